"""Rating an answer: recorded through the sink, acknowledged on the rated card itself."""

from __future__ import annotations

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from bot.cards import FEEDBACK_THANKS_HELPFUL, FEEDBACK_THANKS_NOT_HELPFUL, HELPFUL, NOT_HELPFUL
from bot.faq_bot import FEEDBACK_RECEIVED, FaqBot
from bot.feedback import Rating
from intents import TfidfMatcher
from tests.activities import message
from tests.adaptive_cards import assert_valid_card, buttons, submit_button, texts
from tests.conversation.turns import (
    RecordingSink,
    adapter_for,
    card_of,
    take_replies,
    the_reply,
)
from tests.samples import ASK_SME, REQUEST_SME


async def _rated_card_data(adapter: TestAdapter, title: str) -> dict[str, object]:
    await adapter.send(ASK_SME)
    return submit_button(card_of(the_reply(adapter)), title)


async def test_rating_updates_the_card_in_place(matcher: TfidfMatcher) -> None:
    sink = RecordingSink()
    adapter = adapter_for(FaqBot(matcher, feedback=sink))
    data = await _rated_card_data(adapter, HELPFUL)

    await adapter.send(message(value=data, reply_to_id="card-7"))

    assert take_replies(adapter) == []  # no typing, no new message
    (updated,) = adapter.updated_activities
    assert updated.id == "card-7"
    card = card_of(updated)
    assert texts(card)[:2] == [REQUEST_SME.question, REQUEST_SME.answer]
    assert FEEDBACK_THANKS_HELPFUL in texts(card)
    assert HELPFUL not in [b["title"] for b in buttons(card)]
    assert_valid_card(card)
    assert sink.ratings == [
        Rating(entry_id="request-sme", helpful=True, channel_id="test", user_id="User1")
    ]


async def test_not_helpful_is_acknowledged_differently(matcher: TfidfMatcher) -> None:
    sink = RecordingSink()
    adapter = adapter_for(FaqBot(matcher, feedback=sink))
    data = await _rated_card_data(adapter, NOT_HELPFUL)

    await adapter.send(message(value=data, reply_to_id="card-7"))

    (updated,) = adapter.updated_activities
    assert FEEDBACK_THANKS_NOT_HELPFUL in texts(card_of(updated))
    assert [r.helpful for r in sink.ratings] == [False]


async def test_rating_without_the_card_id_is_thanked_in_a_reply(matcher: TfidfMatcher) -> None:
    sink = RecordingSink()
    adapter = adapter_for(FaqBot(matcher, feedback=sink))
    data = await _rated_card_data(adapter, HELPFUL)

    await adapter.send(message(value=data))

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]
    assert adapter.updated_activities == []
    assert len(sink.ratings) == 1


async def test_rating_falls_back_to_a_reply_when_the_update_fails(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher, feedback=RecordingSink()))

    async def cannot_update(context: TurnContext, activity: Activity) -> None:
        raise NotImplementedError("this channel cannot edit messages")

    adapter.update_activity = cannot_update
    value = {"action": "feedback", "id": "request-sme", "helpful": True}

    await adapter.send(message(value=value, reply_to_id="card-7"))

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]


async def test_rating_a_retired_entry_is_still_recorded(matcher: TfidfMatcher) -> None:
    sink = RecordingSink()
    adapter = adapter_for(FaqBot(matcher, feedback=sink))

    await adapter.send(
        message(value={"action": "feedback", "id": "retired", "helpful": False}, reply_to_id="c")
    )

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]
    assert [r.entry_id for r in sink.ratings] == ["retired"]


async def test_default_sink_logs_the_rating(
    matcher: TfidfMatcher, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = adapter_for(FaqBot(matcher))

    with caplog.at_level("INFO", logger="bot.feedback"):
        await adapter.send(
            message(value={"action": "feedback", "id": "request-sme", "helpful": True})
        )

    assert "feedback entry=request-sme helpful=True" in caplog.text
    assert "User1" not in caplog.text  # no user ids in the log
