"""Settings from the environment: names, defaults, and one error listing every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATA_DIR, Settings, SettingsError
from intents import Thresholds


def test_defaults_run_the_emulator_without_authentication() -> None:
    settings = Settings.from_env({})

    assert settings == Settings()
    assert settings.APP_ID == ""
    assert settings.APP_TYPE == "MultiTenant"
    assert settings.PORT == 3978
    assert settings.FAQ_HOST == "localhost"
    assert settings.FAQ_DATA_DIR == DEFAULT_DATA_DIR
    assert settings.thresholds == Thresholds()
    assert not settings.auth_enabled


def test_bot_framework_and_faq_names_are_read() -> None:
    settings = Settings.from_env(
        {
            "MicrosoftAppId": "00000000-0000-0000-0000-000000000001",
            "MicrosoftAppPassword": "secret",
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": "00000000-0000-0000-0000-0000000000aa",
            "PORT": "8000",
            "FAQ_HOST": "0.0.0.0",
            "FAQ_DATA_DIR": "/srv/faq",
            "FAQ_ANSWER_THRESHOLD": "0.6",
            "FAQ_ANSWER_MARGIN": "0.1",
            "FAQ_CLARIFY_THRESHOLD": "0.25",
            "FAQ_LOG_LEVEL": "debug",
            "FAQ_LOG_SALT": "0123456789abcdef0123",
            "FAQ_CONNECTOR_CONNECTIONS": "16",
        }
    )

    assert settings.APP_ID == "00000000-0000-0000-0000-000000000001"
    assert settings.APP_TENANTID == "00000000-0000-0000-0000-0000000000aa"
    assert settings.PORT == 8000
    assert settings.FAQ_HOST == "0.0.0.0"
    assert Path("/srv/faq") == settings.FAQ_DATA_DIR
    assert settings.thresholds == Thresholds(answer=0.6, margin=0.1, clarify=0.25)
    assert settings.FAQ_LOG_LEVEL == "DEBUG"
    assert settings.FAQ_CONNECTOR_CONNECTIONS == 16
    assert settings.auth_enabled


def test_empty_values_take_the_defaults() -> None:
    assert Settings.from_env({"PORT": "", "FAQ_ANSWER_THRESHOLD": "  "}) == Settings()


def test_user_assigned_identity_needs_no_password() -> None:
    settings = Settings.from_env(
        {
            "MicrosoftAppId": "00000000-0000-0000-0000-000000000001",
            "MicrosoftAppType": "UserAssignedMSI",
            "MicrosoftAppTenantId": "00000000-0000-0000-0000-0000000000aa",
            "FAQ_LOG_SALT": "0123456789abcdef0123",
        }
    )

    assert settings.APP_TYPE == "UserAssignedMSI"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {
                "MicrosoftAppType": "SingleTenant",
                "FAQ_ANSWER_THRESHOLD": "abc",
                "PORT": "99999",
                "FAQ_LOG_LEVEL": "chatty",
            }
        )

    problems = caught.value.problems
    assert problems == [
        "FAQ_ANSWER_THRESHOLD='abc' is not a number",
        "MicrosoftAppId is required when MicrosoftAppType=SingleTenant",
        "MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant",
        "MicrosoftAppPassword is required when MicrosoftAppType=SingleTenant",
        "PORT must be from 1 to 65535, got 99999",
        "FAQ_LOG_LEVEL='CHATTY' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    ]
    assert str(caught.value).count("\n") == len(problems) - 1


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"MicrosoftAppType": "Bogus"}, "MicrosoftAppType='Bogus' is not one of"),
        ({"MicrosoftAppId": "id-only"}, "MicrosoftAppPassword is required when MicrosoftAppId"),
        ({"MicrosoftAppPassword": "pw-only"}, "MicrosoftAppPassword is set but MicrosoftAppId"),
        ({"MicrosoftAppType": "UserAssignedMSI"}, "MicrosoftAppTenantId is required"),
        ({"PORT": "eighty"}, "PORT='eighty' is not a whole number"),
        ({"FAQ_ANSWER_MARGIN": "-0.1"}, "FAQ_ANSWER_MARGIN must be within [0, 1], got -0.1"),
        ({"FAQ_CLARIFY_THRESHOLD": "nan"}, "FAQ_CLARIFY_THRESHOLD must be within [0, 1]"),
        ({"FAQ_CONNECTOR_CONNECTIONS": "0"}, "FAQ_CONNECTOR_CONNECTIONS must be from 1 to 1000"),
        ({"FAQ_CONNECTOR_CONNECTIONS": "8.5"}, "FAQ_CONNECTOR_CONNECTIONS='8.5' is not a whole"),
        (
            {"FAQ_ANSWER_THRESHOLD": "0.3", "FAQ_CLARIFY_THRESHOLD": "0.4"},
            "FAQ_CLARIFY_THRESHOLD (0.4) must not exceed FAQ_ANSWER_THRESHOLD (0.3)",
        ),
    ],
)
def test_invalid_settings_name_the_variable(environ: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)

    assert any(found.startswith(problem) for found in caught.value.problems), caught.value


def test_error_carries_usable_fallback_settings() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {
                "FAQ_DATA_DIR": "/srv/faq",
                "FAQ_ANSWER_THRESHOLD": "2",
                "FAQ_LOG_LEVEL": "x",
                "FAQ_CONNECTOR_CONNECTIONS": "-3",
            }
        )

    fallback = caught.value.fallback
    assert fallback.FAQ_CONNECTOR_CONNECTIONS == Settings().FAQ_CONNECTOR_CONNECTIONS
    assert Path("/srv/faq") == fallback.FAQ_DATA_DIR
    assert fallback.thresholds == Thresholds()
    assert not fallback.thresholds.problems()
    assert fallback.FAQ_LOG_LEVEL == "INFO"


def test_password_never_appears_in_the_representation() -> None:
    settings = Settings(APP_ID="id", APP_PASSWORD="hunter2")

    assert "hunter2" not in repr(settings)


class _Recording(dict[str, str]):
    """An empty environment that remembers which names were looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)


def test_env_example_lists_exactly_the_variables_read() -> None:
    environ = _Recording()
    Settings.from_env(environ)
    example = Path(__file__).resolve().parents[2] / ".env.example"
    listed = {
        line.split("=", 1)[0]
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }

    assert listed == environ.asked


def test_env_example_values_are_valid_settings() -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )

    assert Settings.from_env(values) == Settings()
