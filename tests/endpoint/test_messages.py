"""The whole HTTP path: saved Teams and Emulator payloads in, connector calls out (offline)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from bot.app import create_app
from bot.cards import (
    FEEDBACK_THANKS_HELPFUL,
    HELPFUL,
    SORRY,
    WELCOME_TITLE,
    answer_card,
)
from bot.faq_bot import EMPTY_MESSAGE, FEEDBACK_RECEIVED, FaqBot
from bot.settings import Settings
from tests.activities import (
    EMULATOR_MESSAGE,
    TEAMS_BOT_ADDED,
    TEAMS_CARD_SUBMIT,
    TEAMS_CHANNEL_MESSAGE,
    TEAMS_INSTALLATION_ADD,
    TEAMS_MEMBER_ADDED,
    TEAMS_PERSONAL_MESSAGE,
    card_submit,
    payload,
    teams_message,
)
from tests.adaptive_cards import (
    MAX_CARD_BYTES,
    assert_valid_card,
    open_urls,
    row_ids,
    rows,
    submit_button,
    texts,
)
from tests.conversation.turns import ExplodingMatcher
from tests.endpoint.fake_connector import Call, FakeConnector
from tests.samples import MANAGE_ENGAGEMENTS, REQUEST_SME

Client = TestClient[web.Request, web.Application]


def _answered_with(connector: FakeConnector, activity: dict[str, Any]) -> Call:
    """The turn's one message (no typing indicator), replying to ``activity``."""
    assert connector.unexpected == []
    assert [call.body["type"] for call in connector.posts] == ["message"]
    for call in connector.posts:
        assert call.activity_id == activity["id"]  # a reply: same thread in a channel
        assert call.conversation_id == activity["conversation"]["id"]
        assert call.body["replyToId"] == activity["id"]
        assert call.size < MAX_CARD_BYTES
    reply = connector.posts[0]
    assert_valid_card(reply.card)
    return reply


def _shows_answer(call: Call, entry_question: str) -> None:
    assert texts(call.card)[0] == entry_question


# --------------------------------------------------------------------------- questions
@pytest.mark.parametrize("name", [EMULATOR_MESSAGE, TEAMS_PERSONAL_MESSAGE])
async def test_question_is_answered_through_the_connector(
    client: Client, connector: FakeConnector, name: str
) -> None:
    activity = payload(name, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    reply = _answered_with(connector, activity)
    assert texts(reply.card)[:2] == [REQUEST_SME.question, REQUEST_SME.answer]
    assert open_urls(reply.card) == [(link.title, link.url) for link in REQUEST_SME.links]
    assert row_ids(reply.card) == list(REQUEST_SME.related)


async def test_channel_mention_is_answered_in_its_thread(
    client: Client, connector: FakeConnector
) -> None:
    activity = payload(TEAMS_CHANNEL_MESSAGE, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    reply = _answered_with(connector, activity)
    assert ";messageid=" in reply.conversation_id  # the thread of the question
    _shows_answer(reply, REQUEST_SME.question)


async def test_message_without_words_gets_a_text_hint(
    client: Client, connector: FakeConnector
) -> None:
    activity = teams_message("", service_url=connector.url)

    await client.post("/api/messages", json=activity)

    assert [call.body.get("text") for call in connector.messages] == [EMPTY_MESSAGE]


# --------------------------------------------------------------------------- card clicks
async def test_card_submit_opens_the_entry_in_its_value(
    client: Client, connector: FakeConnector
) -> None:
    activity = payload(TEAMS_CARD_SUBMIT, service_url=connector.url)
    assert "text" not in activity

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    _shows_answer(_answered_with(connector, activity), MANAGE_ENGAGEMENTS.question)


def _related_row_data() -> dict[str, Any]:
    card = answer_card(REQUEST_SME, [MANAGE_ENGAGEMENTS])
    ((_, data),) = rows(card)
    return data


@pytest.mark.parametrize(
    "shape",
    ["the data as sent", "data without msteams", "messageBack value only"],
)
async def test_related_question_click_works_in_every_shape_teams_may_send(
    client: Client, connector: FakeConnector, shape: str
) -> None:
    data = _related_row_data()
    value = {
        "the data as sent": data,
        "data without msteams": {k: v for k, v in data.items() if k != "msteams"},
        "messageBack value only": data["msteams"]["value"],
    }[shape]
    activity = card_submit(value, service_url=connector.url, text="")

    await client.post("/api/messages", json=activity)

    _shows_answer(_answered_with(connector, activity), MANAGE_ENGAGEMENTS.question)


async def test_rating_updates_the_rated_card(client: Client, connector: FakeConnector) -> None:
    value = submit_button(answer_card(REQUEST_SME), HELPFUL)
    activity = card_submit(value, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert connector.posts == []
    (update,) = connector.updates
    assert update.activity_id == activity["replyToId"]
    assert update.conversation_id == activity["conversation"]["id"]
    assert FEEDBACK_THANKS_HELPFUL in texts(update.card)
    assert texts(update.card)[0] == REQUEST_SME.question
    assert_valid_card(update.card)


async def test_refused_update_falls_back_to_a_reply(
    client: Client, connector: FakeConnector
) -> None:
    connector.update_status = 404
    value = submit_button(answer_card(REQUEST_SME), HELPFUL)
    activity = card_submit(value, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert len(connector.updates) == 1
    assert [call.body.get("text") for call in connector.messages] == [FEEDBACK_RECEIVED]


# --------------------------------------------------------------------------- installs and joins
@pytest.mark.parametrize("name", [TEAMS_BOT_ADDED, TEAMS_INSTALLATION_ADD])
async def test_bot_arriving_in_a_team_posts_the_welcome(
    client: Client, connector: FakeConnector, name: str
) -> None:
    activity = payload(name, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert connector.unexpected == []
    (welcome,) = connector.messages
    assert texts(welcome.card)[0] == WELCOME_TITLE
    assert welcome.conversation_id == activity["conversation"]["id"]
    assert_valid_card(welcome.card)


async def test_install_then_join_of_the_same_team_welcomes_once(
    client: Client, connector: FakeConnector
) -> None:
    for name in (TEAMS_INSTALLATION_ADD, TEAMS_BOT_ADDED):
        await client.post("/api/messages", json=payload(name, service_url=connector.url))

    assert len(connector.messages) == 1


async def test_another_member_joining_sends_and_asks_nothing(
    client: Client, connector: FakeConnector
) -> None:
    activity = payload(TEAMS_MEMBER_ADDED, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert connector.calls == []
    assert connector.unexpected == []  # no roster lookup either


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("name", [TEAMS_PERSONAL_MESSAGE, EMULATOR_MESSAGE])
async def test_failing_turn_apologises_and_the_app_keeps_serving(
    aiohttp_client: AiohttpClient, connector: FakeConnector, name: str
) -> None:
    client = await aiohttp_client(create_app(Settings(), FaqBot(ExplodingMatcher())))
    activity = payload(name, service_url=connector.url)

    first = await client.post("/api/messages", json=activity)
    # A new activity id: the same id again would be a retry, answered without a turn.
    second = await client.post("/api/messages", json={**activity, "id": "another-message"})

    assert (first.status, second.status) == (201, 201)
    apologies = connector.messages
    assert len(apologies) == 2
    assert all(texts(call.card) == [SORRY] for call in apologies)
    traces = [call for call in connector.posts if call.body["type"] == "trace"]
    if name == EMULATOR_MESSAGE:
        assert len(traces) == 2
        assert ExplodingMatcher.SECRET in traces[0].body["value"]
    else:  # nothing about the cause reaches Teams users
        assert traces == []
        assert ExplodingMatcher.SECRET not in str([call.body for call in connector.calls])
    assert (await client.get("/healthz")).status == 200


# --------------------------------------------------------------------------- HTTP status
async def test_non_json_body_is_415(client: Client) -> None:
    response = await client.post(
        "/api/messages", data="hello", headers={"Content-Type": "text/plain"}
    )

    assert response.status == 415


async def test_missing_content_type_is_415(client: Client) -> None:
    response = await client.post("/api/messages", data=b"{}", skip_auto_headers={"Content-Type"})

    assert response.status == 415


async def test_malformed_json_is_400(client: Client) -> None:
    response = await client.post(
        "/api/messages", data="{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status == 400


async def test_activity_without_type_is_400(client: Client) -> None:
    response = await client.post("/api/messages", json={"text": "hi"})

    assert response.status == 400


async def test_missing_token_is_401_once_an_app_id_is_set(
    aiohttp_client: AiohttpClient, connector: FakeConnector, matcher: Any
) -> None:
    settings = Settings(APP_ID="00000000-0000-0000-0000-000000000001", APP_PASSWORD="secret")
    client = await aiohttp_client(create_app(settings, FaqBot(matcher)))

    response = await client.post(
        "/api/messages", json=teams_message("hi", service_url=connector.url)
    )

    assert response.status == 401
    assert connector.calls == []


async def test_healthz_says_alive(client: Client) -> None:
    response = await client.get("/healthz")

    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_reports_the_knowledge_base(client: Client) -> None:
    response = await client.get("/readyz")

    assert response.status == 200
    assert await response.json() == {
        "status": "ready",
        "entries": 5,
        "sections": {"Resources": 3, "Engagement Start Date": 2},
        "source": "Build a Successful Practice FAQs",
        "updated": "2020-04-23",
    }
