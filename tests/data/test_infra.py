"""Deployment assets that cannot be run here: the Bicep template, its parameters, the ignore files.

There is no Bicep CLI on the build machines, so these are static checks: the parameters
file only sets parameters the template declares (with allowed values, and no secrets), the
web app keeps the security settings and the Bot Framework app setting names, the Azure Bot
has the Teams channel, and App Service starts the bot with the same command as the Dockerfile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deployment.package import placeholder_names
from tests.endpoint.test_container_command import dockerfile_instructions, start_command

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "deployment" / "infra"
BICEP = (INFRA / "azure.bicep").read_text(encoding="utf-8")
PARAMETERS_FILE = INFRA / "azure.parameters.json"


@dataclass(frozen=True)
class Param:
    """One ``param`` declaration of the Bicep file with its decorators."""

    name: str
    type: str
    default: str | None
    decorators: str

    @property
    def allowed(self) -> list[str] | None:
        block = re.search(r"@allowed\(\[(.*?)\]\)", self.decorators, re.DOTALL)
        return re.findall(r"'([^']*)'", block.group(1)) if block else None

    @property
    def secure(self) -> bool:
        return "@secure()" in self.decorators


def _code(text: str) -> str:
    """The Bicep source without comments; strings become ``''`` plus their ``${...}`` code."""
    out, position = [], 0
    for match in re.finditer(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'", text, re.DOTALL):
        out.append(text[position : match.start()])
        if match.group().startswith("'"):
            out.append(" ".join(["''", *re.findall(r"\$\{([^}]*)\}", match.group())]))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _params() -> dict[str, Param]:
    params: dict[str, Param] = {}
    decorators: list[str] = []
    for line in BICEP.splitlines():
        stripped = line.strip()
        declaration = re.match(r"param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$", stripped)
        if declaration:
            name, kind, default = declaration.groups()
            params[name] = Param(name, kind, default, "\n".join(decorators))
            decorators = []
        elif stripped.startswith("@") or (decorators and not stripped.startswith("//")):
            decorators.append(stripped)
        if not stripped:
            decorators = []
    return params


def _parameters_file() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return document


def _string_value(name: str) -> str:
    """The single-quoted literal assigned to ``var name``."""
    match = re.search(rf"^var {name} = '([^']*)'$", BICEP, re.MULTILINE)
    assert match, f"no `var {name} = '...'` in azure.bicep"
    return match.group(1)


# -- the parameters file ----------------------------------------------------------------------


def test_parameters_file_is_a_deployment_parameters_document() -> None:
    document = _parameters_file()

    assert document["$schema"].endswith("/deploymentParameters.json#")
    assert document["contentVersion"] == "1.0.0.0"
    assert all(set(entry) == {"value"} for entry in document["parameters"].values())


def test_parameters_file_sets_only_declared_parameters() -> None:
    unknown = set(_parameters_file()["parameters"]) - set(_params())

    assert unknown == set()


def test_required_parameters_are_given() -> None:
    params = _params()
    required = {name for name, param in params.items() if param.default is None}
    secrets = {name for name in required if params[name].secure}

    assert required - secrets <= set(_parameters_file()["parameters"])
    assert secrets == {"logSalt"}  # passed on the command line (deployment/README.md)


def test_parameter_values_are_allowed_and_hold_no_secret() -> None:
    params = _params()
    for name, entry in _parameters_file()["parameters"].items():
        allowed = params[name].allowed
        assert allowed is None or entry["value"] in allowed, name
        assert not params[name].secure, f"{name} is a secret: pass it on the command line"


def test_every_parameter_and_variable_is_used() -> None:
    code = _code(BICEP)
    names = [*_params(), *re.findall(r"^var (\w+) =", code, re.MULTILINE)]

    unused = [name for name in names if len(re.findall(rf"\b{name}\b", code)) < 2]

    assert unused == []


def test_brackets_balance() -> None:
    stack: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for char in _code(BICEP):
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            assert stack, f"unexpected {char!r}"
            assert stack.pop() == pairs[char], f"mismatched {char!r}"
    assert stack == []


# -- identity ---------------------------------------------------------------------------------


def test_app_type_is_managed_identity_by_default_or_single_tenant() -> None:
    app_type = _params()["appType"]

    assert app_type.allowed == ["UserAssignedMSI", "SingleTenant"]
    assert app_type.default == "'UserAssignedMSI'"
    assert "'MultiTenant'" not in BICEP  # can no longer be created


def test_password_is_a_secure_parameter_used_only_for_single_tenant() -> None:
    assert _params()["appPassword"].secure
    assert re.search(
        r"secretSettings = useManagedIdentity \? \[\] : \[\s*\{\s*name: 'MicrosoftAppPassword'\s*"
        r"value: appPassword",
        BICEP,
    )
    assert BICEP.count("appPassword") == 2  # declared, then used in secretSettings only
    assert not re.search(r"^output .*(?i:password|secret)", BICEP, re.MULTILINE)


def test_user_assigned_identity_is_the_bots_app_id() -> None:
    assert "'Microsoft.ManagedIdentity/userAssignedIdentities@" in BICEP
    assert "type: 'UserAssigned'" in BICEP
    assert re.search(
        r"botAppId = useManagedIdentity \? identity\.properties\.clientId : appId", BICEP
    )


# -- web app ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        "httpsOnly: true",
        "minTlsVersion: '1.2'",
        "ftpsState: 'Disabled'",
        "alwaysOn: true",
        "'PYTHON|3.11'",
        "reserved: true",
        "appCommandLine: useContainer ? '' : startupCommand",
    ],
)
def test_web_app_setting(setting: str) -> None:
    assert setting in BICEP


def test_app_settings_use_bot_framework_names() -> None:
    names = re.findall(r"name: '([A-Za-z_]+)'\s*value:", BICEP)

    assert {
        "MicrosoftAppType",
        "MicrosoftAppId",
        "MicrosoftAppTenantId",
        "MicrosoftAppPassword",
        "SCM_DO_BUILD_DURING_DEPLOYMENT",
    } <= set(names)
    assert re.search(r"name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'\s*value: 'true'", BICEP)
    # The question log: a salt always (production refuses to start without one), and never
    # SQLite on App Service's /home network share.
    assert {"FAQ_LOG_SALT", "FAQ_LOG_PATH", "FAQ_DATABASE_URL"} <= set(names)
    assert re.search(r"name: 'FAQ_LOG_PATH'\s*value: '/tmp/", BICEP)
    assert (
        "appSettings: concat(botSettings, secretSettings, logSettings, containerSettings, "
        "faqAppSettings)" in BICEP
    )


def test_app_service_starts_the_bot_like_the_dockerfile() -> None:
    app_service = _string_value("startupCommand").split()
    container = start_command()
    bind = container.index("--bind") + 1

    assert app_service[bind] == container[bind].partition(":")[0] == "0.0.0.0"
    assert app_service[:bind] + app_service[bind + 1 :] == container[:bind] + container[bind + 1 :]


# -- Azure Bot --------------------------------------------------------------------------------


def test_azure_bot_points_at_the_web_app_with_its_identity() -> None:
    bot = BICEP[BICEP.index("resource bot ") : BICEP.index("resource teamsChannel ")]

    assert "'Microsoft.BotService/botServices@" in bot
    assert "kind: 'azurebot'" in bot
    assert "location: 'global'" in bot
    assert "name: botSku" in bot
    assert "endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'" in bot
    for field in ("msaAppType", "msaAppId", "msaAppTenantId", "msaAppMSIResourceId"):
        assert f"{field}: " in bot
    assert _params()["botSku"].allowed == ["F0", "S1"]


def test_teams_channel_is_enabled() -> None:
    channel = BICEP[BICEP.index("resource teamsChannel ") :]

    assert "'Microsoft.BotService/botServices/channels@" in channel
    assert "parent: bot" in channel
    assert channel.count("'MsTeamsChannel'") == 2  # resource name and channelName


def test_outputs_fill_the_manifest_placeholders_that_come_from_azure() -> None:
    outputs = set(re.findall(r"^output (\w+) string", BICEP, re.MULTILINE))
    manifest = json.loads((ROOT / "deployment" / "appPackage" / "manifest.json").read_text())

    assert {"BOT_ID", "BOT_DOMAIN"} <= outputs & set(placeholder_names(manifest))
    assert {"BOT_TENANT_ID", "BOT_AZURE_APP_SERVICE_RESOURCE_ID"} <= outputs


# -- what ships -------------------------------------------------------------------------------


def test_container_image_holds_only_the_runtime() -> None:
    instructions = dockerfile_instructions((ROOT / "Dockerfile").read_text())
    copied = [args.split()[0] for keyword, args in instructions if keyword == "COPY"]
    user = [args for keyword, args in instructions if keyword == "USER"]

    assert ("FROM", "python:3.11-slim") in instructions
    assert copied == ["requirements.txt", "bot/", "intents/", "faq_data/"]
    assert ("RUN", "pip install --no-cache-dir -r requirements.txt") in instructions
    assert user, "the image must not run as root"
    assert user[-1] not in ("root", "0")
    assert ("EXPOSE", "3978") in instructions
    (healthcheck,) = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    assert "urllib.request" in healthcheck
    assert "/healthz" in healthcheck


@pytest.mark.parametrize(
    "pattern", ["tests/", "deployment/", ".venv/", ".env", ".env.*", "bench/", "eval/"]
)
def test_zip_deploy_leaves_out(pattern: str) -> None:
    lines = (ROOT / ".webappignore").read_text().splitlines()

    assert pattern in lines
    assert {"**/__pycache__/", ".pytest_cache/", ".mypy_cache/", ".ruff_cache/"} <= set(lines)
