"""Sent activities are copied shallowly: the caller's object is untouched, its parts shared."""

from __future__ import annotations

from typing import Any

from botbuilder.core import BotAdapter, CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ResourceResponse,
)

from bot.connector import _SharedCardTurnContext


class RecordingAdapter(BotAdapter):  # type: ignore[misc]
    """Keeps what the turn context hands it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Activity] = []

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        self.sent += activities
        return [ResourceResponse(id=str(i)) for i, _ in enumerate(activities)]

    async def update_activity(self, context: TurnContext, activity: Activity) -> Any:
        raise NotImplementedError

    async def delete_activity(self, context: TurnContext, reference: Any) -> Any:
        raise NotImplementedError


def _inbound() -> Activity:
    return Activity(
        type=ActivityTypes.message,
        id="in-1",
        channel_id="msteams",
        service_url="https://smba.example/",
        conversation=ConversationAccount(id="a:1"),
        from_property=ChannelAccount(id="29:user"),
        recipient=ChannelAccount(id="28:bot"),
    )


async def test_the_callers_activity_is_untouched_and_its_card_shared() -> None:
    adapter = RecordingAdapter()
    context = _SharedCardTurnContext(adapter, _inbound())
    card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "x"}]}
    reply = MessageFactory.attachment(CardFactory.adaptive_card(card))
    before = dict(reply.__dict__)

    await context.send_activity(reply)

    (sent,) = adapter.sent
    assert reply.__dict__ == before  # no conversation reference stamped on the caller's
    assert type(sent) is Activity
    assert sent is not reply
    assert sent.attachments is reply.attachments  # shared, not deep-copied
    assert sent.reply_to_id == "in-1"
    assert sent.conversation.id == "a:1"
    assert sent.recipient.id == "29:user"


async def test_text_replies_and_other_types_still_go_out() -> None:
    adapter = RecordingAdapter()
    context = _SharedCardTurnContext(adapter, _inbound())

    await context.send_activity("hello")

    (sent,) = adapter.sent
    assert type(sent) is Activity
    assert sent.text == "hello"
    assert sent.input_hint == "acceptingInput"
