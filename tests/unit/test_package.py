"""deployment.package: env files, placeholder filling, shape checks and the zip, on tmp_path."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest

from deployment.package import (
    PackageError,
    build_package,
    fill_placeholders,
    load_environment,
    main,
    manifest_problems,
    placeholder_names,
    read_env_file,
)

APP_ID = "11111111-2222-4333-8444-555555555555"
BOT_ID = "66666666-7777-4888-8999-aaaaaaaaaaaa"

TEMPLATE: dict[str, Any] = {
    "$schema": "https://developer.microsoft.com/json-schemas/teams/v1.24/MicrosoftTeams.schema.json",
    "manifestVersion": "1.24",
    "id": "${{TEAMS_APP_ID}}",
    "name": {"short": "FAQ${{APP_NAME_SUFFIX}}"},
    "developer": {"name": "Someone", "websiteUrl": "${{APP_WEBSITE_URL}}"},
    "icons": {"color": "color.png", "outline": "outline.png"},
    "bots": [{"botId": "${{BOT_ID}}", "scopes": ["personal"]}],
    "composeExtensions": [{"botId": "${{BOT_ID}}", "commands": []}],
    "validDomains": ["${{BOT_DOMAIN}}"],
}

GOOD_ENV = f"""\
# a comment
TEAMS_APP_ID={APP_ID}
BOT_ID={BOT_ID}
BOT_DOMAIN=bot.example.net
APP_NAME_SUFFIX=" (test)"
APP_WEBSITE_URL=https://example.org/faq
"""


def _project(tmp_path: Path, env: str = GOOD_ENV, user: str | None = None) -> tuple[Path, Path]:
    """An appPackage folder (template + two icons) and an env folder holding ``.env.test``."""
    app_dir, env_dir = tmp_path / "appPackage", tmp_path / "env"
    app_dir.mkdir()
    env_dir.mkdir()
    (app_dir / "manifest.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    (app_dir / "color.png").write_bytes(b"colour icon bytes")
    (app_dir / "outline.png").write_bytes(b"outline icon bytes")
    (env_dir / ".env.test").write_text(env, encoding="utf-8")
    if user is not None:
        (env_dir / ".env.test.user").write_text(user, encoding="utf-8")
    return app_dir, env_dir


def _build(tmp_path: Path, app_dir: Path, env_dir: Path) -> Path:
    return build_package("test", app_dir=app_dir, env_dir=env_dir, out_dir=tmp_path / "build")


def test_env_file_reads_comments_quotes_inline_comments_and_export(tmp_path: Path) -> None:
    path = tmp_path / ".env.x"
    path.write_text(
        "# whole-line comment\n\n"
        "PLAIN=value\n"
        "SPACED = value with spaces  \n"
        "INLINE=value # trailing comment\n"
        'QUOTED=" keep # this "\n'
        "SINGLE='single'\n"
        "export EXPORTED=yes\n"
        "EMPTY=\n",
        encoding="utf-8",
    )

    assert read_env_file(path) == {
        "PLAIN": "value",
        "SPACED": "value with spaces",
        "INLINE": "value",
        "QUOTED": " keep # this ",
        "SINGLE": "single",
        "EXPORTED": "yes",
        "EMPTY": "",
    }


def test_env_file_errors_name_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / ".env.x"
    path.write_text("GOOD=1\nno equals sign\n1BAD=2\n", encoding="utf-8")

    with pytest.raises(PackageError) as caught:
        read_env_file(path)

    assert ".env.x:2" in str(caught.value)
    assert ".env.x:3" in str(caught.value)


def test_user_file_values_win_over_the_committed_file(tmp_path: Path) -> None:
    _, env_dir = _project(tmp_path, user="BOT_DOMAIN=mine.example.net\nSECRET_X=s\n")

    values = load_environment("test", env_dir)

    assert values["BOT_DOMAIN"] == "mine.example.net"
    assert values["BOT_ID"] == BOT_ID
    assert values["SECRET_X"] == "s"


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    _, env_dir = _project(tmp_path, user="")

    with pytest.raises(PackageError, match=r"no \.env\.prod .*known environments: test\)"):
        load_environment("prod", env_dir)


@pytest.mark.parametrize("name", ["../test", "", "a/b", ".hidden"])
def test_environment_name_must_be_a_plain_word(tmp_path: Path, name: str) -> None:
    _, env_dir = _project(tmp_path)

    with pytest.raises(PackageError, match="invalid environment name"):
        load_environment(name, env_dir)


def test_placeholder_names_are_sorted_and_unique() -> None:
    assert placeholder_names(TEMPLATE) == [
        "APP_NAME_SUFFIX",
        "APP_WEBSITE_URL",
        "BOT_DOMAIN",
        "BOT_ID",
        "TEAMS_APP_ID",
    ]


def test_every_missing_or_empty_variable_is_named_at_once() -> None:
    values = {"TEAMS_APP_ID": APP_ID, "BOT_ID": "", "APP_NAME_SUFFIX": ""}

    with pytest.raises(PackageError) as caught:
        fill_placeholders(TEMPLATE, values)

    assert str(caught.value) == "no value for APP_WEBSITE_URL, BOT_DOMAIN, BOT_ID"


def test_optional_variable_may_be_empty_but_must_be_defined() -> None:
    values = {
        "TEAMS_APP_ID": APP_ID,
        "BOT_ID": BOT_ID,
        "BOT_DOMAIN": "bot.example.net",
        "APP_WEBSITE_URL": "https://example.org",
    }

    with pytest.raises(PackageError, match="APP_NAME_SUFFIX"):
        fill_placeholders(TEMPLATE, values)
    assert fill_placeholders(TEMPLATE, {**values, "APP_NAME_SUFFIX": ""})["name"] == {
        "short": "FAQ"
    }


def test_values_are_inserted_as_json_strings_not_raw_text() -> None:
    filled = fill_placeholders({"a": "x${{V}}y", "n": 3}, {"V": 'quote " and \\ backslash'})

    assert filled == {"a": 'xquote " and \\ backslashy', "n": 3}


def test_values_are_not_scanned_for_placeholders_again() -> None:
    assert fill_placeholders({"a": "${{V}}"}, {"V": "${{W}}x"}) == {"a": "${{W}}x"}


def test_malformed_placeholder_is_an_error() -> None:
    with pytest.raises(PackageError, match="malformed"):
        fill_placeholders({"a": "${{not-a-name}}"}, {})


def test_shape_checks_catch_typical_env_mistakes() -> None:
    manifest = {
        **TEMPLATE,
        "id": "not-a-guid",
        "name": {"short": "x" * 31},
        "developer": {"name": "n", "websiteUrl": "http://example.org"},
        "bots": [{"botId": BOT_ID}],
        "composeExtensions": [{"botId": "also-not-a-guid"}],
        "validDomains": ["https://bot.example.net/api/messages"],
        "manifestVersion": "1.25",
    }

    problems = manifest_problems(manifest)

    assert len(problems) == 6, problems
    assert any(p.startswith("id is not a GUID") for p in problems)
    assert any(p.startswith("composeExtensions[0].botId") for p in problems)
    assert any("developer.websiteUrl" in p for p in problems)
    assert any("validDomains" in p for p in problems)
    assert any("name.short is 31 characters" in p for p in problems)
    assert any("manifestVersion" in p for p in problems)


def test_filled_template_passes_the_shape_checks(tmp_path: Path) -> None:
    _, env_dir = _project(tmp_path)

    filled = fill_placeholders(TEMPLATE, load_environment("test", env_dir))

    assert manifest_problems(filled) == []


def test_zip_holds_the_filled_manifest_and_the_icons_at_its_root(tmp_path: Path) -> None:
    app_dir, env_dir = _project(tmp_path)

    target = _build(tmp_path, app_dir, env_dir)

    assert target == tmp_path / "build" / "appPackage.test.zip"
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["manifest.json", "color.png", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read("color.png") == b"colour icon bytes"
        assert archive.read("outline.png") == b"outline icon bytes"
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["validDomains"] == ["bot.example.net"]
    assert manifest["name"]["short"] == "FAQ (test)"
    assert "${{" not in json.dumps(manifest)


def test_zip_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    app_dir, env_dir = _project(tmp_path)

    first = _build(tmp_path, app_dir, env_dir).read_bytes()
    second = _build(tmp_path, app_dir, env_dir).read_bytes()

    assert first == second


def test_missing_variable_names_the_env_files_and_writes_nothing(tmp_path: Path) -> None:
    app_dir, env_dir = _project(tmp_path, env=f"TEAMS_APP_ID={APP_ID}\n")

    with pytest.raises(PackageError) as caught:
        _build(tmp_path, app_dir, env_dir)

    message = str(caught.value)
    assert "no value for APP_NAME_SUFFIX, APP_WEBSITE_URL, BOT_DOMAIN, BOT_ID" in message
    assert ".env.test or env/.env.test.user" in message
    assert not (tmp_path / "build").exists()


def test_missing_icon_is_reported(tmp_path: Path) -> None:
    app_dir, env_dir = _project(tmp_path)
    (app_dir / "outline.png").unlink()

    with pytest.raises(PackageError, match=r"icons\.outline: outline\.png not found"):
        _build(tmp_path, app_dir, env_dir)


def test_command_line_logs_the_error_and_exits_1(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    with caplog.at_level(logging.ERROR, logger="deployment.package"):
        code = main(["--env", "no-such-env", "--out-dir", str(tmp_path)])

    assert code == 1
    assert "no .env.no-such-env" in caplog.text
    assert list(tmp_path.iterdir()) == []
