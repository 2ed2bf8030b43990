"""Bad input through the real endpoint: a clear 4xx or a friendly reply, never a 500.

Each test ends by checking that the app still answers a normal question, because "keeps
serving" is the point. Retries of the same activity id are here too (``bot.dedup``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from botbuilder.core import TurnContext
from pytest_aiohttp import AiohttpClient

from bot.app import RECENT, create_app
from bot.faq_bot import EMPTY_MESSAGE, UNKNOWN_ACTION, FaqBot
from bot.inbound import MAX_BODY_BYTES, MAX_ID_CHARS
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import (
    TEAMS_COMPOSE_SEARCH,
    TEAMS_PERSONAL_MESSAGE,
    card_submit,
    payload,
    teams_message,
)
from tests.adaptive_cards import texts
from tests.endpoint.fake_connector import FakeConnector
from tests.samples import ASK_SME, REQUEST_SME

Client = TestClient[web.Request, web.Application]
JSON_HEADERS = {"Content-Type": "application/json"}
DELETE = object()  # in a table of changes: remove the field


async def _still_answers(client: Client, connector: FakeConnector) -> None:
    """A normal question, with a fresh id, still gets its answer card."""
    before = len(connector.messages)
    question = teams_message(ASK_SME, service_url=connector.url, id="still-answers")
    response = await client.post("/api/messages", json=question)
    assert response.status == 201
    (reply,) = connector.messages[before:]
    assert texts(reply.card)[0] == REQUEST_SME.question


def _replies(connector: FakeConnector) -> list[str | None]:
    """The text of each message the bot posted (``None`` for a card)."""
    return [call.body.get("text") for call in connector.messages]


async def _post_raw(client: Client, data: bytes | str, **headers: str) -> tuple[int, str]:
    response = await client.post("/api/messages", data=data, headers=headers or JSON_HEADERS)
    return response.status, await response.text()


# --------------------------------------------------------------------------- content type
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "application/json-patch+json",
        "application/octet-stream",
        ";0*",  # Python's MIME parser raises IndexError on this one
        "",
    ],
)
async def test_a_body_not_declared_as_json_is_415(
    client: Client, connector: FakeConnector, content_type: str
) -> None:
    body = json.dumps(teams_message(ASK_SME, service_url=connector.url))

    status, text = await _post_raw(client, body, **{"Content-Type": content_type})

    assert status == 415
    assert "application/json" in text
    assert connector.calls == []
    await _still_answers(client, connector)


async def test_no_content_type_is_415_not_404(client: Client, connector: FakeConnector) -> None:
    body = json.dumps(teams_message(ASK_SME, service_url=connector.url))

    response = await client.post(
        "/api/messages", data=body.encode(), skip_auto_headers={"Content-Type"}
    )

    assert response.status == 415
    assert connector.calls == []


async def test_json_with_a_charset_is_accepted(client: Client, connector: FakeConnector) -> None:
    body = json.dumps(teams_message(ASK_SME, service_url=connector.url))

    status, _ = await _post_raw(client, body, **{"Content-Type": "application/json; charset=utf-8"})

    assert status == 201
    assert len(connector.messages) == 1


async def test_other_methods_are_405(client: Client) -> None:
    assert (await client.get("/api/messages")).status == 405
    assert (await client.put("/api/messages", json={})).status == 405


# --------------------------------------------------------------------------- body
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b'{"type": "message"',
        b"\xff\xfe\x00garbage",  # not UTF-8
        b'{"type": "message", "text": "\xc3\x28"}',  # invalid UTF-8 inside a string
        b"[" * 100_000,  # nested deeper than any parser allows
        b'{"type": "message", "channelData": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
        b'{"id": ' + b"9" * 5_000 + b"}",  # an integer too long to convert
        b"NaN garbage",
    ],
    ids=[
        "empty",
        "broken",
        "truncated",
        "not utf-8",
        "bad utf-8 in a string",
        "deep arrays",
        "deep value",
        "huge integer",
        "junk",
    ],
)
async def test_malformed_json_is_400(client: Client, connector: FakeConnector, body: bytes) -> None:
    status, text = await _post_raw(client, body)

    assert status == 400
    assert text == "the body is not valid JSON"
    await _still_answers(client, connector)


@pytest.mark.parametrize("body", ["[]", '"message"', "5", "null", "true", "[{}]"])
async def test_json_that_is_not_an_object_is_400(
    client: Client, connector: FakeConnector, body: str
) -> None:
    status, text = await _post_raw(client, body)

    assert (status, text) == (400, "the body is not a JSON object")


async def test_an_oversized_body_is_413_before_it_is_read(
    client: Client, connector: FakeConnector
) -> None:
    body = json.dumps(teams_message("x" * MAX_BODY_BYTES, service_url=connector.url))

    status, text = await _post_raw(client, body)

    assert status == 413
    assert str(MAX_BODY_BYTES) in text
    assert connector.calls == []
    await _still_answers(client, connector)


async def test_an_oversized_chunked_body_is_413(client: Client, connector: FakeConnector) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked encoding
        yield b'{"type": "message", "text": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    response = await client.post("/api/messages", data=chunks(), headers=JSON_HEADERS)

    assert response.status == 413
    await _still_answers(client, connector)


async def test_a_huge_text_under_the_limit_gets_an_answer(
    client: Client, connector: FakeConnector
) -> None:
    text = ASK_SME + " " + "word " * ((MAX_BODY_BYTES - 4096) // 5)
    activity = teams_message(text, service_url=connector.url)
    assert len(json.dumps(activity)) < MAX_BODY_BYTES

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    (reply,) = connector.messages
    assert reply.card  # an answer, a choice or the no-match card: never silence


# --------------------------------------------------------------------------- required fields
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": DELETE}, "the activity has no type"),
        ({"type": ""}, "the activity has no type"),
        ({"type": 5}, "the activity has no type"),
        ({"type": ["message"]}, "the activity has no type"),
        ({"serviceUrl": DELETE}, "the activity has no http(s) serviceUrl"),
        ({"serviceUrl": "ftp://127.0.0.1/"}, "the activity has no http(s) serviceUrl"),
        ({"serviceUrl": 7}, "the activity has no http(s) serviceUrl"),
        ({"conversation": DELETE}, "the activity has no valid conversation.id"),
        ({"conversation": "a:1"}, "the activity has no valid conversation.id"),
        ({"conversation": {"id": ""}}, "the activity has no valid conversation.id"),
        ({"conversation": {"id": 12}}, "the activity has no valid conversation.id"),
        ({"conversation": {"name": "no id"}}, "the activity has no valid conversation.id"),
        (
            {"conversation": {"id": "a:1\r\nX-Injected: 1"}},
            "the activity has no valid conversation.id",
        ),
        ({"id": 12}, "the activity's id is not a valid id"),
        ({"id": ""}, "the activity's id is not a valid id"),
        ({"id": "1" * (MAX_ID_CHARS + 1)}, "the activity's id is not a valid id"),
        (
            {"conversation": {"id": "a" * (MAX_ID_CHARS + 1)}},
            "the activity has no valid conversation.id",
        ),
        ({"id": "17156\n78411485"}, "the activity's id is not a valid id"),
        ({"text": 12}, "the activity's text is not a string"),
        ({"text": {"nested": "text"}}, "the activity's text is not a string"),
        ({"from": "someone"}, "the activity's from is not an object"),
        ({"recipient": ["bot"]}, "the activity's recipient is not an object"),
        ({"channelData": "tenant"}, "the activity's channelData is not an object"),
        ({"channelData": None}, "the Teams activity has no channelData"),
        ({"channelData": DELETE}, "the Teams activity has no channelData"),
    ],
)
async def test_an_activity_missing_or_mistyping_a_field_it_needs_is_400(
    client: Client, connector: FakeConnector, change: dict[str, Any], reason: str
) -> None:
    activity = teams_message(ASK_SME, service_url=connector.url)
    for key, value in change.items():
        if value is DELETE:
            del activity[key]
        else:
            activity[key] = value

    status, text = await _post_raw(client, json.dumps(activity))

    assert (status, text) == (400, reason)
    assert connector.calls == []
    await _still_answers(client, connector)


@pytest.mark.parametrize(
    "change",
    [
        {"attachments": "not a list"},
        {"entities": 5},
        {"membersAdded": [5]},
        {"timestamp": "not a date"},
        {"attachments": [5]},
    ],
)
async def test_fields_botbuilder_cannot_read_are_400(
    client: Client, connector: FakeConnector, change: dict[str, Any]
) -> None:
    activity = {**teams_message(ASK_SME, service_url=connector.url), **change}

    status, text = await _post_raw(client, json.dumps(activity))

    assert (status, text) == (400, "the body is not a Bot Framework activity")
    assert connector.calls == []
    await _still_answers(client, connector)


# --------------------------------------------------------------------------- activities
@pytest.mark.parametrize(
    "kind",
    ["somethingNew", "typing", "event", "messageReaction", "endOfConversation", "handoff", "trace"],
)
async def test_activity_types_the_bot_ignores_get_201_and_no_reply(
    client: Client, connector: FakeConnector, kind: str
) -> None:
    activity = teams_message("hello", service_url=connector.url, type=kind)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert connector.calls == []
    await _still_answers(client, connector)


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02\x1b[31m\x7f",
        "how do I request an SME?\x00\x00",
        "\u202eEMS tseuqer\u202c \u200b\u200d\ufeff",
        "😀🙈🚀" * 50,
        "\ud7ff\ue000\uffff",
        "<script>alert(1)</script> <at>someone</at> &amp;&lt;",
        "\n\t\r" * 1000,
    ],
    ids=[
        "control",
        "trailing nul",
        "bidi and zero-width",
        "emoji",
        "odd code points",
        "markup",
        "ws",
    ],
)
async def test_odd_characters_get_a_friendly_reply(
    client: Client, connector: FakeConnector, text: str
) -> None:
    activity = teams_message(text, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert len(connector.messages) == 1  # a card, or the "type your question" hint
    assert _replies(connector) in ([None], [EMPTY_MESSAGE])


async def test_a_deeply_nested_value_within_the_parser_limit_is_an_unknown_button(
    client: Client, connector: FakeConnector
) -> None:
    body = json.dumps(card_submit("VALUE", service_url=connector.url))
    body = body.replace('"VALUE"', '{"a": [' * 400 + "1" + "]}" * 400)

    status, _ = await _post_raw(client, body)

    assert status == 201
    assert _replies(connector) == [UNKNOWN_ACTION]


# --------------------------------------------------------------------------- card submits
@pytest.mark.parametrize(
    "value",
    [
        [1, 2, 3],
        5,
        3.5,
        True,
        "a plain string",
        '{"action": 5}',
        "{not json",
        "x" * 100_000,
        "[" * 5_000 + "]" * 5_000,  # a JSON string nested deeper than the parser allows
        {"msteams": {"value": "[" * 5_000 + "]" * 5_000}},
        {},
        {"": ""},
        {"action": None},
        {"action": ["open"]},
        {"action": {"nested": {"deeper": [1, {"x": None}]}}},
        {"action": "launch-missiles"},
        {"action": "open"},
        {"action": "open", "id": 5},
        {"action": "open", "id": "../../etc/passwd"},
        {"action": "open", "id": "x" * 200},
        {"action": "feedback", "id": "request-sme", "helpful": "yes"},
        {"action": "feedback", "helpful": True},
        {"action": "none", "q": 5},
        {"msteams": "junk"},
        {"msteams": {"value": "{broken"}},
        {"msteams": {"value": [1]}},
        {"msteams": {"value": {"action": 7}}},
    ],
)
async def test_card_submit_with_unexpected_data_gets_the_unknown_button_reply(
    client: Client, connector: FakeConnector, value: Any
) -> None:
    activity = card_submit(value, service_url=connector.url)

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    assert _replies(connector) == [UNKNOWN_ACTION]
    assert connector.updates == []
    await _still_answers(client, connector)


# --------------------------------------------------------------------------- invokes
@pytest.mark.parametrize("name", ["someApp/unknownThing", "", None, "task/fetch", "config/fetch"])
async def test_invokes_the_bot_does_not_handle_are_501(
    client: Client, connector: FakeConnector, name: str | None
) -> None:
    activity = payload(
        TEAMS_PERSONAL_MESSAGE, service_url=connector.url, type="invoke", name=name, text=None
    )
    if name == "task/fetch":
        activity["value"] = {"data": {"x": 1}}

    response = await client.post("/api/messages", json=activity)

    assert response.status == 501
    assert await response.text() == ""
    assert connector.calls == []  # no apology: nothing failed
    await _still_answers(client, connector)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("task/fetch", 7),
        ("tab/fetch", []),
        ("fileConsent/invoke", "x"),
        ("composeExtension/queryLink", 5),
        ("actionableMessage/executeAction", 1),
        ("adaptiveCard/action", None),
        ("adaptiveCard/action", 5),
        ("adaptiveCard/action", {"action": 3}),
        ("adaptiveCard/action", {"action": {"type": "Action.Submit"}}),
    ],
)
async def test_invokes_with_a_malformed_value_are_400(
    client: Client, connector: FakeConnector, name: str, value: Any
) -> None:
    activity = payload(
        TEAMS_PERSONAL_MESSAGE, service_url=connector.url, type="invoke", name=name, value=value
    )

    response = await client.post("/api/messages", json=activity)

    assert response.status == 400
    assert "Traceback" not in await response.text()
    assert connector.calls == []
    await _still_answers(client, connector)


@pytest.mark.parametrize("value", [None, 5, "text", [1], {"queryOptions": "x"}, {"parameters": 3}])
async def test_compose_search_with_junk_parameters_still_answers(
    client: Client, connector: FakeConnector, value: Any
) -> None:
    activity = payload(TEAMS_COMPOSE_SEARCH, service_url=connector.url)
    activity["value"] = value

    response = await client.post("/api/messages", json=activity)

    assert response.status == 200
    assert "composeExtension" in await response.json()


# --------------------------------------------------------------------------- expectReplies
async def test_expect_replies_returns_the_replies_in_the_response(
    client: Client, connector: FakeConnector
) -> None:
    activity = teams_message(ASK_SME, service_url=connector.url, deliveryMode="expectReplies")

    response = await client.post("/api/messages", json=activity)

    assert response.status == 200
    replies = (await response.json())["activities"]
    assert [reply["type"] for reply in replies] == ["message"]
    (attachment,) = replies[0]["attachments"]
    assert attachment["content"]["body"][0]["text"] == REQUEST_SME.question
    assert connector.calls == []  # nothing went through the connector
    await _still_answers(client, connector)


@pytest.mark.parametrize("name", ["composeExtension/query", "adaptiveCard/action", "x/y"])
async def test_expect_replies_on_an_invoke_is_400(
    client: Client, connector: FakeConnector, name: str
) -> None:
    activity = payload(
        TEAMS_COMPOSE_SEARCH, service_url=connector.url, name=name, deliveryMode="expectReplies"
    )

    status, text = await _post_raw(client, json.dumps(activity))

    assert (status, text) == (400, "expectReplies is not supported for invokes")
    await _still_answers(client, connector)


# --------------------------------------------------------------------------- retries
class GatedBot(FaqBot):
    """A bot whose message turns wait for the test to let them finish."""

    def __init__(self, matcher: TfidfMatcher) -> None:
        super().__init__(matcher)
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        self.started.set()
        await self.release.wait()
        await super().on_message_activity(turn_context)


async def test_a_retried_activity_is_answered_once(
    client: Client, connector: FakeConnector
) -> None:
    activity = teams_message(ASK_SME, service_url=connector.url)

    first = await client.post("/api/messages", json=activity)
    retry = await client.post("/api/messages", json=activity)

    assert (first.status, retry.status) == (201, 201)
    assert len(connector.messages) == 1
    await _still_answers(client, connector)


async def test_a_retry_during_a_slow_turn_starts_no_second_turn(
    aiohttp_client: AiohttpClient, connector: FakeConnector, matcher: TfidfMatcher
) -> None:
    bot = GatedBot(matcher)
    client = await aiohttp_client(create_app(Settings(), bot))
    activity = teams_message(ASK_SME, service_url=connector.url)

    first = asyncio.create_task(client.post("/api/messages", json=activity))
    async with asyncio.timeout(10):  # a guard against hanging, not a timed assertion
        await bot.started.wait()
    retry = await client.post("/api/messages", json=activity)
    assert retry.status == 201
    assert connector.calls == []  # the first turn is still waiting
    bot.release.set()
    assert (await first).status == 201

    assert [call.body["type"] for call in connector.posts] == ["message"]


async def test_the_same_id_in_another_conversation_is_answered(
    client: Client, connector: FakeConnector
) -> None:
    activity = teams_message(ASK_SME, service_url=connector.url)
    elsewhere = {**activity, "conversation": {"id": "a:another-conversation"}}

    await client.post("/api/messages", json=activity)
    await client.post("/api/messages", json=elsewhere)

    assert len(connector.messages) == 2


async def test_a_repeated_invoke_is_answered_each_time(
    client: Client, connector: FakeConnector
) -> None:
    search = payload(TEAMS_COMPOSE_SEARCH, service_url=connector.url)

    first = await client.post("/api/messages", json=search)
    second = await client.post("/api/messages", json=search)

    assert (first.status, second.status) == (200, 200)
    assert await first.json() == await second.json()


async def test_a_refused_activity_does_not_use_up_its_id(
    client: Client, connector: FakeConnector
) -> None:
    activity = teams_message(ASK_SME, service_url=connector.url)

    refused = await client.post("/api/messages", json={**activity, "text": 5})
    accepted = await client.post("/api/messages", json=activity)

    assert (refused.status, accepted.status) == (400, 201)
    assert len(connector.messages) == 1


async def test_an_unauthenticated_request_does_not_use_up_its_id(
    aiohttp_client: AiohttpClient, connector: FakeConnector, matcher: TfidfMatcher
) -> None:
    settings = Settings(APP_ID="00000000-0000-0000-0000-000000000001", APP_PASSWORD="secret")
    app = create_app(settings, FaqBot(matcher))
    client = await aiohttp_client(app)

    response = await client.post(
        "/api/messages", json=teams_message(ASK_SME, service_url=connector.url)
    )

    assert response.status == 401
    assert len(app[RECENT]) == 0  # the id is remembered only once a turn starts
    assert connector.calls == []
