"""The question log's privacy: salted hashes for ids, a salt in production, secrets hidden."""

from __future__ import annotations

import hashlib
import hmac
import logging

import pytest

from bot.recorder import DEVELOPMENT_SALT, hash_user
from bot.settings import DEFAULT_LOG_PATH, Settings, SettingsError
from bot.store_postgres import PostgresRecordStore, redact_url
from bot.store_sqlite import SqliteRecordStore
from bot.stores import create_recorder, create_store, describe_store, log_salt

AAD_ID = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"
TEAMS_ID = (
    "29:1Hn3Fq0M8u2h7ZcKj4yVw5eTq9rXb6sLp0aD1gN3mC7vB2xQ8kW4jR5tY6uI9oP3lK2hG7fD1sA0zX8cV5bN4mE"
)
SALT = "unit-test-salt-0123456789"
PRODUCTION = {
    "MicrosoftAppId": "00000000-0000-0000-0000-000000000001",
    "MicrosoftAppPassword": "secret",
}


# --------------------------------------------------------------------------- hashing
def test_the_hash_is_hmac_sha256_of_the_id_keyed_with_the_salt() -> None:
    expected = hmac.new(SALT.encode(), AAD_ID.encode(), hashlib.sha256).hexdigest()

    assert hash_user(AAD_ID, SALT) == expected
    # A fixed vector, so a change of algorithm cannot pass unnoticed (it would orphan every
    # record from export-user and erase-user).
    assert expected == "2fef290004cf257374f5662a5388fcd0070b163e7e9311c093d95d99f587f18f"


def test_the_hash_reveals_nothing_of_the_id_and_depends_on_the_salt() -> None:
    hashed = hash_user(TEAMS_ID, SALT)

    assert TEAMS_ID not in hashed
    assert TEAMS_ID.split(":")[1][:8] not in hashed
    assert hash_user(TEAMS_ID, "another-salt-0123456789") != hashed
    assert hash_user(TEAMS_ID + "x", SALT) != hashed


def test_an_entra_object_id_hashes_the_same_in_any_case_and_spacing() -> None:
    assert hash_user(AAD_ID.upper(), SALT) == hash_user(f"  {AAD_ID} ", SALT)
    assert hash_user(AAD_ID.upper(), SALT) == hash_user(AAD_ID, SALT)


def test_channel_ids_keep_their_case() -> None:
    assert hash_user(TEAMS_ID.lower(), SALT) != hash_user(TEAMS_ID, SALT)


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_no_user_id_is_no_user(missing: str | None) -> None:
    assert hash_user(missing, SALT) == ""


# --------------------------------------------------------------------------- settings
def test_production_needs_a_salt() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(PRODUCTION)

    assert any(problem.startswith("FAQ_LOG_SALT is required") for problem in caught.value.problems)


def test_production_with_a_salt_or_without_the_log_is_fine() -> None:
    assert Settings.from_env({**PRODUCTION, "FAQ_LOG_SALT": SALT}).FAQ_LOG_SALT == SALT
    assert not Settings.from_env({**PRODUCTION, "FAQ_LOG_ENABLED": "false"}).FAQ_LOG_ENABLED


def test_the_emulator_uses_the_development_salt_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings()
    caplog.set_level(logging.INFO)

    recorder = create_recorder(settings)

    assert log_salt(settings) == DEVELOPMENT_SALT
    assert recorder.user_hash(AAD_ID) == hash_user(AAD_ID, DEVELOPMENT_SALT)
    assert "FAQ_LOG_SALT is empty" in caplog.text


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"FAQ_LOG_SALT": "short"}, "FAQ_LOG_SALT must be at least 16 characters"),
        ({"FAQ_LOG_RETENTION_DAYS": "0"}, "FAQ_LOG_RETENTION_DAYS must be from 1 to 3650"),
        ({"FAQ_LOG_RETENTION_DAYS": "ninety"}, "FAQ_LOG_RETENTION_DAYS='ninety' is not a whole"),
        ({"FAQ_LOG_ENABLED": "maybe"}, "FAQ_LOG_ENABLED='maybe' is not true or false"),
        ({"FAQ_DATABASE_URL": "mysql://x@h/db"}, "FAQ_DATABASE_URL must be a postgresql:// URL"),
    ],
)
def test_bad_question_log_settings_name_the_variable(environ: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)

    assert any(found.startswith(problem) for found in caught.value.problems), caught.value


def test_question_log_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.FAQ_LOG_ENABLED
    assert settings.FAQ_LOG_PATH == DEFAULT_LOG_PATH
    assert DEFAULT_LOG_PATH.parent.name == "var"  # git-ignored
    assert settings.FAQ_DATABASE_URL == ""
    assert settings.FAQ_LOG_RETENTION_DAYS == 90


@pytest.mark.parametrize("value", ["false", "FALSE", "no", "off", "0"])
def test_the_log_can_be_switched_off(value: str) -> None:
    settings = Settings.from_env({"FAQ_LOG_ENABLED": value})

    assert create_store(settings) is None
    assert not create_recorder(settings).enabled


def test_the_store_follows_the_settings() -> None:
    sqlite = create_store(Settings())
    postgres = create_store(Settings(FAQ_DATABASE_URL="postgresql://u:pw@db.example/faq"))

    assert isinstance(sqlite, SqliteRecordStore)
    assert isinstance(postgres, PostgresRecordStore)


def test_secrets_never_appear_in_representations_or_descriptions() -> None:
    url = "postgresql://faq:hunter2@db.example:5432/faq?sslmode=require"
    settings = Settings(FAQ_DATABASE_URL=url, FAQ_LOG_SALT="pepper-0123456789abcdef")

    assert "hunter2" not in repr(settings)
    assert "pepper" not in repr(settings)
    assert "hunter2" not in repr(create_store(settings))
    assert describe_store(settings) == (
        "PostgreSQL postgresql://faq:***@db.example:5432/faq?sslmode=require"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h/db", "postgresql://h/db"),
        ("postgresql://u:secret@[::1:5432/db", "<unparsable database URL>"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
