"""The fast activity serializer writes exactly what msrest writes, byte for byte."""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    InputHints,
    Mention,
    SuggestedActions,
)
from botbuilder.schema.teams import TeamsChannelData, TenantInfo
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.serialization import Serializer

from bot.activity_json import ActivitySerializer
from bot.faq_bot import FaqBot
from intents import TfidfMatcher
from tests.activities import message
from tests.conversation.turns import adapter_for, take_replies

STOCK: Serializer = ConnectorClient(
    MicrosoftAppCredentials.empty(), "http://127.0.0.1:9/"
)._serialize
FAST = ActivitySerializer(STOCK.dependencies)


def as_msrest(activity: Activity) -> bytes | str:
    """msrest's JSON body, or the name of the error it raises."""
    try:
        body = STOCK.body(copy.deepcopy(activity), "Activity")  # type: ignore[no-untyped-call]
    except Exception as error:
        return type(error).__name__
    return json.dumps(body).encode()


def as_fast(activity: Activity) -> bytes | str:
    """The fast serializer's JSON body, or the name of the error it raises."""
    try:
        return json.dumps(FAST.body(activity, "Activity")).encode()
    except Exception as error:
        return type(error).__name__


def _conversation(activity: Activity) -> Activity:
    activity.conversation = ConversationAccount(id="a:1", conversation_type="personal")
    activity.from_property = ChannelAccount(id="28:bot", name="FAQ")
    activity.recipient = ChannelAccount(id="29:user", name="Ana", aad_object_id="aad-1")
    activity.service_url = "https://smba.trafficmanager.net/emea/"
    activity.channel_id = "msteams"
    activity.reply_to_id = "1715678411485"
    return activity


def _edge_cases() -> dict[str, Activity]:
    card = CardFactory.adaptive_card(
        {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "é ✓", "wrap": True}]}
    )
    return {
        "text": MessageFactory.text("Hi **there**"),
        "enums": Activity(
            type=ActivityTypes.message, text="x", input_hint=InputHints.ignoring_input
        ),
        "typing": Activity(type=ActivityTypes.typing),
        "card": MessageFactory.attachment(card),
        "mention": Activity(
            type="message",
            text="<at>Ana</at> hi",
            entities=[
                Mention(
                    mentioned=ChannelAccount(id="29:user", name="Ana"),
                    text="<at>Ana</at>",
                    type="mention",
                )
            ],
        ),
        "trace": Activity(
            type=ActivityTypes.trace,
            timestamp=datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC),
            name="on_turn_error Trace",
            label="TurnError",
            value="ValueError: boom",
            value_type="https://www.botframework.com/schemas/error",
        ),
        "object-values": Activity(
            type="message",
            value={"a": None, "b": [1, 2.5, True, None, {"c": "d"}], "e": {}, "f": []},
            channel_data={"notification": {"alert": True}, "tenant": {"id": "t"}},
        ),
        "model-in-object": Activity(
            type="message", channel_data=TeamsChannelData(tenant=TenantInfo(id="t-1"))
        ),
        "suggested-actions": Activity(
            type="message",
            suggested_actions=SuggestedActions(
                actions=[CardAction(type="imBack", title="Yes", value="yes")], to=["29:user"]
            ),
        ),
        "relates-to": Activity(
            type="event",
            name="x",
            relates_to=ConversationReference(activity_id="1", channel_id="msteams"),
        ),
        # Shapes the fast path hands to msrest (which has its own, odd, rules for them).
        "dict-attachment": Activity(
            type="message",
            attachments=[{"contentType": "text/plain", "content": "hi"}],
        ),
        "int-keys": Activity(type="message", value={1: "one"}),
        "tuple": Activity(type="message", value=("a", "b")),
        "ordered-dict": Activity(type="message", value=OrderedDict(a=1)),
        "enum-in-object": Activity(type="message", value={"kind": ActivityTypes.message}),  # raises
        "int-as-text": Activity(type="message", text=42),
    }


EDGE_CASES = _edge_cases()


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_case_matches_msrest(name: str) -> None:
    activity = _conversation(EDGE_CASES[name])
    assert as_fast(activity) == as_msrest(activity)


def _bot_replies(matcher: TfidfMatcher) -> list[Activity]:
    """Every kind of activity the bot sends, as the adapter hands them to the connector."""
    import asyncio

    async def converse() -> list[Activity]:
        adapter = adapter_for(FaqBot(matcher))
        for text in [
            "how do I request an SME?",
            "what is the esd",
            "bake bread",
            "thanks",
            "help",
            "",
        ]:
            await adapter.send(text)
        await adapter.send(message(value={"action": "open", "id": "request-sme", "via": "topic"}))
        await adapter.send(Activity(type=ActivityTypes.installation_update, action="add"))
        return take_replies(adapter)

    return asyncio.run(converse())


def test_every_reply_of_the_bot_matches_msrest_without_msrest(
    matcher: TfidfMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = _bot_replies(matcher)
    assert len(replies) >= 8
    expected = [as_msrest(reply) for reply in replies]

    def no_msrest(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fast path fell back to msrest")

    monkeypatch.setattr(Serializer, "body", no_msrest)  # the bot's replies never need it
    assert [as_fast(reply) for reply in replies] == expected
