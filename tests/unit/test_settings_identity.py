"""The bot identity settings (``MicrosoftApp*``): what each app type needs, checked at start-up.

Settings that pass validation must be settings botbuilder accepts, and no problem message may
quote the password (or a value that might be the password in the wrong variable).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.app import StartupError, prepare
from bot.auth import ChannelAuthentication, bot_framework_authentication
from bot.settings import Settings, SettingsError

APP_ID = "6f1c7a52-3d4e-4b8a-9f21-0c5d8e7a9b13"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PASSWORD = "Zq8~kT3vLw.XpR7nM2sY-hF5dG9bJ4cA1eU6oI0"  # a made-up client secret of the right shape
#: Other settings that depend on authentication, out of the way of these tests.
UNRELATED = {"FAQ_LOG_ENABLED": "false"}


def _identity(
    app_type: str | None = None,
    app_id: str | None = None,
    password: str | None = None,
    tenant: str | None = None,
) -> dict[str, str]:
    values = {
        "MicrosoftAppType": app_type,
        "MicrosoftAppId": app_id,
        "MicrosoftAppPassword": password,
        "MicrosoftAppTenantId": tenant,
    }
    present = {name: value for name, value in values.items() if value is not None}
    return {**UNRELATED, **present}


@pytest.mark.parametrize(
    "environ",
    [
        _identity(),  # no authentication: the Emulator
        _identity("MultiTenant", APP_ID, PASSWORD),
        _identity(None, APP_ID, PASSWORD),  # MultiTenant is the default type
        _identity("SingleTenant", APP_ID, PASSWORD, TENANT_ID),
        _identity("SingleTenant", APP_ID, PASSWORD, "contoso.onmicrosoft.com"),
        _identity("singletenant", APP_ID.upper(), PASSWORD, TENANT_ID),  # as botbuilder reads
        _identity("UserAssignedMSI", APP_ID, None, TENANT_ID),
    ],
    ids=[
        "none",
        "multi-tenant",
        "default-type",
        "single-tenant",
        "single-tenant-domain",
        "case-insensitive",
        "managed-identity",
    ],
)
def test_each_app_type_starts_with_what_it_needs(environ: dict[str, str]) -> None:
    settings = Settings.from_env(environ)

    assert isinstance(bot_framework_authentication(settings), ChannelAuthentication)
    assert settings.auth_enabled == bool(environ.get("MicrosoftAppId"))


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        (
            _identity("UserAssignedMSI", APP_ID, PASSWORD, TENANT_ID),
            "MicrosoftAppPassword must be empty when MicrosoftAppType=UserAssignedMSI",
        ),
        (
            _identity("UserAssignedMSI", None, None, TENANT_ID),
            "MicrosoftAppId is required when MicrosoftAppType=UserAssignedMSI",
        ),
        (
            _identity("UserAssignedMSI", APP_ID),
            "MicrosoftAppTenantId is required when MicrosoftAppType=UserAssignedMSI",
        ),
        (
            _identity("SingleTenant", APP_ID, None, TENANT_ID),
            "MicrosoftAppPassword is required when MicrosoftAppType=SingleTenant",
        ),
        (
            _identity("SingleTenant", APP_ID, PASSWORD),
            "MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant",
        ),
        (
            _identity("SingleTenant", APP_ID, PASSWORD, "common"),
            "MicrosoftAppTenantId must be the Directory (tenant) ID",
        ),
        (
            _identity("SingleTenant", APP_ID, PASSWORD, "https://login.microsoftonline.com/x"),
            "MicrosoftAppTenantId must be the Directory (tenant) ID",
        ),
        (_identity("MultiTenant", "FastTrack FAQ bot", PASSWORD), "MicrosoftAppId is not a GUID"),
        (_identity("MultiTenant", f"{{{APP_ID}}}", PASSWORD), "MicrosoftAppId is not a GUID"),
        (_identity("MultiTenant", APP_ID), "MicrosoftAppPassword is required when MicrosoftAppId"),
        (_identity("Managed", APP_ID, None, TENANT_ID), "MicrosoftAppType='Managed' is not one of"),
    ],
    ids=[
        "msi-with-password",
        "msi-without-client-id",
        "msi-without-tenant",
        "single-tenant-without-password",
        "single-tenant-without-tenant",
        "tenant-common",
        "tenant-url",
        "app-id-is-a-name",
        "app-id-in-braces",
        "multi-tenant-without-password",
        "unknown-type",
    ],
)
def test_bad_identity_stops_start_up(environ: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(environ)

    assert any(found.startswith(problem) for found in caught.value.problems), caught.value


def test_every_identity_problem_is_listed_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(_identity("UserAssignedMSI", "my-bot", PASSWORD, "common"))

    named = [problem.split(" ", 1)[0] for problem in caught.value.problems]
    assert [name for name in named if name.startswith("MicrosoftApp")] == [
        "MicrosoftAppPassword",
        "MicrosoftAppId",
        "MicrosoftAppTenantId",
    ]


@pytest.mark.parametrize(
    ("app_type", "app_id", "password", "tenant"),
    list(
        itertools.product(
            ["MultiTenant", "SingleTenant", "UserAssignedMSI"],
            [None, APP_ID],
            [None, PASSWORD],
            [None, TENANT_ID],
        )
    ),
)
def test_settings_that_validate_are_settings_botbuilder_accepts(
    app_type: str, app_id: str | None, password: str | None, tenant: str | None
) -> None:
    try:
        settings = Settings.from_env(_identity(app_type, app_id, password, tenant))
    except SettingsError:
        return  # refused with a message, before botbuilder could refuse it with a traceback
    bot_framework_authentication(settings)  # botbuilder raises on what it cannot use


@pytest.mark.parametrize(
    "environ",
    [
        _identity("UserAssignedMSI", APP_ID, PASSWORD, TENANT_ID),
        _identity("MultiTenant", None, PASSWORD),
        _identity("SingleTenant", PASSWORD, PASSWORD, PASSWORD),  # pasted everywhere
        _identity("Bogus", PASSWORD, PASSWORD),
    ],
    ids=["msi-with-password", "password-only", "password-everywhere", "bogus-type"],
)
def test_start_up_error_never_shows_the_password(environ: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(StartupError) as caught:
        prepare({**environ, "FAQ_DATA_DIR": str(tmp_path / "missing")})

    message = str(caught.value)
    assert "MicrosoftApp" in message
    assert PASSWORD not in message
    assert PASSWORD not in repr(caught.value)
    assert PASSWORD not in repr(Settings(APP_ID=APP_ID, APP_PASSWORD=PASSWORD))
