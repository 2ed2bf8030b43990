"""A failing turn: logged with its traceback, a short apology, no internals for users."""

from __future__ import annotations

import logging

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse

from bot.app import on_turn_error
from bot.cards import SORRY
from bot.faq_bot import FaqBot
from tests.activities import message
from tests.adaptive_cards import assert_valid_card, texts
from tests.conversation.turns import ExplodingMatcher, card_of, take_replies


def _adapter(**options: object) -> TestAdapter:
    adapter = TestAdapter(FaqBot(ExplodingMatcher()).on_turn, **options)
    adapter.on_turn_error = on_turn_error
    return adapter


async def test_user_gets_an_apology_without_internals(caplog: pytest.LogCaptureFixture) -> None:
    adapter = _adapter(send_trace_activities=True)

    with caplog.at_level(logging.ERROR, logger="bot.app"):
        await adapter.send(message("how do I request an SME?", channel_id="msteams"))

    replies = take_replies(adapter)
    assert [r.type for r in replies] == [ActivityTypes.message]
    card = card_of(replies[0])
    assert texts(card) == [SORRY]
    assert_valid_card(card)
    assert ExplodingMatcher.SECRET not in str([r.serialize() for r in replies])
    (record,) = caplog.records
    assert record.exc_info is not None  # the traceback is in the log


async def test_emulator_also_gets_a_trace_with_the_error() -> None:
    adapter = _adapter(send_trace_activities=True)

    await adapter.send(message("how do I request an SME?", channel_id="emulator"))

    replies = take_replies(adapter)
    assert [r.type for r in replies] == ["message", "trace"]
    trace = replies[1]
    assert trace.label == "TurnError"
    assert ExplodingMatcher.SECRET in trace.value
    assert trace.timestamp.tzinfo is not None


async def test_a_failing_apology_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    adapter = _adapter()

    async def connector_down(
        context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        raise ConnectionError("connector down")

    adapter.send_activities = connector_down

    with caplog.at_level(logging.ERROR, logger="bot.app"):
        await adapter.send(message("how do I request an SME?"))

    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("unhandled error in a")
    assert messages[1] == "could not tell the user about the error"
