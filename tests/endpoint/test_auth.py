"""Bot Framework authentication over real HTTP: tokens signed and checked as in production.

The adapter is the production one (``create_app`` with ``MicrosoftAppId`` set). Only the
well-known Microsoft endpoints are replaced by :class:`OpenIdServer` on 127.0.0.1, which signs
tokens the way the Bot Framework channel does and gives the bot its outbound access tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from botbuilder.core import TurnContext
from pytest_aiohttp import AiohttpClient, AiohttpServer

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import EMULATOR_MESSAGE, TEAMS_COMPOSE_SEARCH, payload, teams_message
from tests.conversation.turns import ExplodingMatcher
from tests.endpoint.fake_connector import FakeConnector
from tests.endpoint.openid_server import (
    BOT_FRAMEWORK_TENANT,
    OpenIdServer,
    forger_key,
    use_local_bot_framework,
)

Client = TestClient[web.Request, web.Application]
#: Serves the real app for the given settings and bot.
MakeClient = Callable[[Settings, FaqBot], Awaitable[Client]]

APP_ID = "6f1c7a52-3d4e-4b8a-9f21-0c5d8e7a9b13"
OTHER_APP_ID = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PASSWORD = "Zq8~kT3vLw.XpR7nM2sY-hF5dG9bJ4cA1eU6oI0"  # a made-up client secret of the right shape

MULTI_TENANT = Settings(APP_ID=APP_ID, APP_PASSWORD=PASSWORD)
SINGLE_TENANT = Settings(
    APP_ID=APP_ID, APP_PASSWORD=PASSWORD, APP_TYPE="SingleTenant", APP_TENANTID=TENANT_ID
)
MANAGED_IDENTITY = Settings(APP_ID=APP_ID, APP_TYPE="UserAssignedMSI", APP_TENANTID=TENANT_ID)


class SpyBot(FaqBot):
    """The real bot, counting the turns that reach it."""

    def __init__(self, matcher: TfidfMatcher) -> None:
        super().__init__(matcher)
        self.turns = 0

    async def on_turn(self, turn_context: TurnContext) -> None:
        self.turns += 1
        await super().on_turn(turn_context)


@dataclass
class Channel:
    """The local Bot Framework: token service, connector, and the bot's app behind them."""

    openid: OpenIdServer
    connector: FakeConnector
    authorizations: list[str] = field(default_factory=list)  # headers of the bot's requests


@pytest.fixture
def openid(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenIdServer]:
    """The token service on 127.0.0.1, with botbuilder pointed at it for this test."""
    with OpenIdServer() as server:
        server.register_client(APP_ID, PASSWORD)
        use_local_bot_framework(monkeypatch, server)
        yield server


@pytest.fixture
async def channel(openid: OpenIdServer, aiohttp_server: AiohttpServer) -> Channel:
    """A fake connector that also records the ``Authorization`` header of each bot request."""
    fake = FakeConnector()
    channel = Channel(openid, fake)

    @web.middleware
    async def record_authorization(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        channel.authorizations.append(request.headers.get("Authorization", ""))
        return await handler(request)

    app = fake.app()
    app.middlewares.append(record_authorization)
    server = await aiohttp_server(app)
    fake.url = str(server.make_url("/"))
    return channel


@pytest.fixture
def make_client(aiohttp_client: AiohttpClient) -> MakeClient:
    """Serve the real app for the given settings and bot (closed after the test)."""

    async def make(settings: Settings, bot: FaqBot) -> Client:
        return await aiohttp_client(create_app(settings, bot))

    return make


@pytest.fixture
def spy(matcher: TfidfMatcher) -> SpyBot:
    """The real bot over the sample FAQ, counting its turns."""
    return SpyBot(matcher)


@pytest.fixture
async def spy_client(channel: Channel, make_client: MakeClient, spy: SpyBot) -> Client:
    """The app as a multi-tenant bot serving :func:`spy`, once the local channel is up."""
    return await make_client(MULTI_TENANT, spy)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def channel_token(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    """A valid token for ``activity``, as the channel signs it."""
    return openid.channel_token(audience=APP_ID, service_url=activity["serviceUrl"])


# --------------------------------------------------------------------------- accepted
@pytest.mark.parametrize(
    ("settings", "tenant"),
    [(MULTI_TENANT, BOT_FRAMEWORK_TENANT), (SINGLE_TENANT, TENANT_ID)],
    ids=["MultiTenant", "SingleTenant"],
)
async def test_valid_channel_token_is_answered_with_the_bots_own_token(
    channel: Channel,
    make_client: MakeClient,
    matcher: TfidfMatcher,
    settings: Settings,
    tenant: str,
) -> None:
    bot = SpyBot(matcher)
    client = await make_client(settings, bot)
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)
    token = channel_token(channel.openid, activity)

    response = await client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 201
    assert bot.turns == 1
    assert [call.body["type"] for call in channel.connector.posts] == ["message"]
    # Each reply is authenticated with an access token the bot got for itself, as its app.
    assert channel.authorizations
    assert all(header.startswith("Bearer ") for header in channel.authorizations)
    assert {header.removeprefix("Bearer ") for header in channel.authorizations} <= set(
        channel.openid.issued
    )
    requests = channel.openid.token_requests
    assert requests
    assert {(r.tenant, r.client_id, r.managed_identity) for r in requests} == {
        (tenant, APP_ID, False)
    }
    assert {r.scope for r in requests} == {"https://api.botframework.com/.default"}


async def test_user_assigned_managed_identity_replies_with_an_identity_token(
    channel: Channel,
    make_client: MakeClient,
    matcher: TfidfMatcher,
) -> None:
    channel.openid.register_client(APP_ID, None)  # a managed identity has no secret
    client = await make_client(MANAGED_IDENTITY, SpyBot(matcher))
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)
    token = channel_token(channel.openid, activity)

    response = await client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 201
    assert [call.body["type"] for call in channel.connector.posts] == ["message"]
    assert {header.removeprefix("Bearer ") for header in channel.authorizations} <= set(
        channel.openid.issued
    )
    assert {(r.client_id, r.managed_identity) for r in channel.openid.token_requests} == {
        (APP_ID, True)
    }


@pytest.mark.parametrize("version", ["1.0", "2.0"])
async def test_emulator_token_for_this_app_is_accepted(
    channel: Channel,
    spy: SpyBot,
    spy_client: Client,
    version: str,
) -> None:
    activity = payload(EMULATOR_MESSAGE, service_url=channel.connector.url)
    token = channel.openid.emulator_token(app_id=APP_ID, version=version)

    response = await spy_client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 201
    assert spy.turns == 1
    assert channel.connector.messages


# --------------------------------------------------------------------------- rejected
def _forged(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    """Right claims and key id, signed with a key that is not the channel's."""
    return openid.channel_token(
        audience=APP_ID, service_url=activity["serviceUrl"], key=forger_key()
    )


def _wrong_audience(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return openid.channel_token(audience=OTHER_APP_ID, service_url=activity["serviceUrl"])


def _no_audience(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return openid.channel_token(audience="", service_url=activity["serviceUrl"])


def _wrong_issuer(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return openid.channel_token(
        audience=APP_ID, service_url=activity["serviceUrl"], issuer="https://evil.example.com"
    )


def _expired(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    # Well past botbuilder's five minutes of clock tolerance.
    return openid.channel_token(audience=APP_ID, service_url=activity["serviceUrl"], lifetime=-900)


def _unknown_key(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return openid.channel_token(
        audience=APP_ID, service_url=activity["serviceUrl"], key=forger_key(), kid="not-published"
    )


def _other_service_url(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    # A token minted for another conversation's service cannot redirect the bot's replies.
    return openid.channel_token(audience=APP_ID, service_url="https://smba.example.com/emea/")


def _unsigned(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return channel_token(openid, activity).rsplit(".", 1)[0] + "."


def _emulator_token_for_another_app(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return openid.emulator_token(app_id=OTHER_APP_ID)


def _garbage(openid: OpenIdServer, activity: dict[str, Any]) -> str:
    return "not-a-jwt"


REJECTED = {
    "forged-signature": _forged,
    "wrong-audience": _wrong_audience,
    "no-audience": _no_audience,
    "wrong-issuer": _wrong_issuer,
    "expired": _expired,
    "unknown-key": _unknown_key,
    "other-service-url": _other_service_url,
    "unsigned": _unsigned,
    "emulator-token-for-another-app": _emulator_token_for_another_app,
    "garbage": _garbage,
}


@pytest.mark.parametrize("make_token", REJECTED.values(), ids=REJECTED.keys())
async def test_bad_token_is_401_and_no_turn_runs(
    caplog: pytest.LogCaptureFixture,
    channel: Channel,
    spy: SpyBot,
    spy_client: Client,
    make_token: Callable[[OpenIdServer, dict[str, Any]], str],
) -> None:
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)

    token = make_token(channel.openid, activity)
    caplog.set_level(logging.DEBUG)

    response = await spy_client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 401
    assert spy.turns == 0
    assert channel.connector.calls == []
    assert channel.connector.unexpected == []
    # The operator sees why (one warning), never the token itself.
    (refusal,) = [r for r in caplog.records if r.getMessage().startswith("refused a message")]
    assert refusal.levelno == logging.WARNING
    assert token not in caplog.text
    assert token not in await response.text()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"}],
    ids=["none", "empty", "bearer-without-token", "basic"],
)
async def test_request_without_a_bearer_token_is_401(
    channel: Channel,
    spy: SpyBot,
    spy_client: Client,
    headers: dict[str, str],
) -> None:
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)

    response = await spy_client.post("/api/messages", json=activity, headers=headers)

    assert response.status == 401
    assert spy.turns == 0
    assert channel.connector.calls == []


async def test_key_not_endorsed_for_the_channel_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    channel: Channel,
    make_client: MakeClient,
    matcher: TfidfMatcher,
) -> None:
    with OpenIdServer(endorsements=["webchat"]) as webchat_only:
        use_local_bot_framework(monkeypatch, webchat_only)
        bot = SpyBot(matcher)
        client = await make_client(MULTI_TENANT, bot)
        activity = teams_message("how do I request an SME?", service_url=channel.connector.url)
        token = channel_token(webchat_only, activity)

        response = await client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 401
    assert bot.turns == 0
    assert channel.connector.calls == []


@pytest.mark.parametrize("valid", [True, False], ids=["valid-token", "forged-token"])
async def test_invoke_is_answered_only_with_a_valid_token(
    channel: Channel,
    spy: SpyBot,
    spy_client: Client,
    valid: bool,
) -> None:
    activity = payload(TEAMS_COMPOSE_SEARCH, service_url=channel.connector.url)
    token = (channel_token if valid else _forged)(channel.openid, activity)

    response = await spy_client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == (200 if valid else 401)
    assert spy.turns == (1 if valid else 0)
    results = (await response.json())["composeExtension"]["attachments"] if valid else []
    assert bool(results) == valid


async def test_unreachable_signing_keys_are_a_server_error_not_a_401(
    channel: Channel,
    spy: SpyBot,
    spy_client: Client,
) -> None:
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)
    token = channel_token(channel.openid, activity)
    channel.openid.available = False  # the channel may retry a 5xx; a 401 says "go away"

    response = await spy_client.post("/api/messages", json=activity, headers=bearer(token))

    assert response.status == 500
    assert spy.turns == 0
    assert channel.connector.calls == []


# --------------------------------------------------------------------------- secrets
async def test_secrets_stay_out_of_logs_and_bodies(
    caplog: pytest.LogCaptureFixture,
    channel: Channel,
    make_client: MakeClient,
    matcher: TfidfMatcher,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, botbuilder's, aiohttp's, urllib3's
    activity = teams_message("how do I request an SME?", service_url=channel.connector.url)
    good = channel_token(channel.openid, activity)
    bad = _wrong_audience(channel.openid, activity)
    answering = await make_client(MULTI_TENANT, FaqBot(matcher))
    failing = await make_client(MULTI_TENANT, FaqBot(ExplodingMatcher()))

    bodies = [
        await (await answering.post("/api/messages", json=activity, headers=bearer(good))).text(),
        await (await answering.post("/api/messages", json=activity, headers=bearer(bad))).text(),
        await (await answering.post("/api/messages", json=activity)).text(),
        await (await failing.post("/api/messages", json=activity, headers=bearer(good))).text(),
    ]

    assert "unhandled error" in caplog.text  # the failing turn was logged ...
    assert len(channel.connector.messages) == 2  # ... and both turns replied
    assert "refused a message activity from msteams: PermissionError" in caplog.text
    assert {"aiohttp.access", "bot.auth", "urllib3.connectionpool"} <= {
        record.name for record in caplog.records
    }  # the access log and the HTTP client's debug log are among those checked
    replies = [str(call.body) for call in channel.connector.calls]
    outbound = channel.openid.issued
    assert outbound
    for secret in [PASSWORD, good, bad, *outbound]:
        assert secret not in caplog.text
        for record in caplog.records:
            assert secret not in str(record.args)
        for text in bodies + replies:
            assert secret not in text
