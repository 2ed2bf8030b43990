"""Rating an answer: recorded in the question log, acknowledged on the rated card itself."""

from __future__ import annotations

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from bot.cards import FEEDBACK_THANKS_HELPFUL, FEEDBACK_THANKS_NOT_HELPFUL, HELPFUL, NOT_HELPFUL
from bot.faq_bot import FEEDBACK_RECEIVED, FaqBot
from bot.recorder import Recorder
from bot.records import EventKind, EventRecord
from intents import TfidfMatcher
from tests.activities import message
from tests.adaptive_cards import assert_valid_card, buttons, submit_button, texts
from tests.conversation.turns import (
    adapter_for,
    card_of,
    take_replies,
    the_reply,
)
from tests.memory_store import MemoryStore
from tests.samples import ASK_SME, REQUEST_SME


class VoteLog:
    """A real recorder over an in-memory store; :meth:`votes` flushes and reads it."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.recorder = Recorder(self.store)

    async def votes(self) -> list[EventRecord]:
        await self.recorder.flush()
        return [e for e in await self.store.events() if e.kind in _VOTES]


_VOTES = (EventKind.HELPFUL, EventKind.NOT_HELPFUL)


async def _rated_card_data(adapter: TestAdapter, title: str) -> dict[str, object]:
    await adapter.send(ASK_SME)
    return submit_button(card_of(the_reply(adapter)), title)


async def test_rating_updates_the_card_in_place(matcher: TfidfMatcher) -> None:
    votes = VoteLog()
    adapter = adapter_for(FaqBot(matcher, recorder=votes.recorder))
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
    (vote,) = await votes.votes()
    assert (vote.kind, vote.entry_id) == (EventKind.HELPFUL, "request-sme")
    assert vote.question_id is not None  # the card carried its question's record id
    assert vote.user not in ("", "User1")  # a salted hash, never the raw id


async def test_not_helpful_is_acknowledged_differently(matcher: TfidfMatcher) -> None:
    votes = VoteLog()
    adapter = adapter_for(FaqBot(matcher, recorder=votes.recorder))
    data = await _rated_card_data(adapter, NOT_HELPFUL)

    await adapter.send(message(value=data, reply_to_id="card-7"))

    (updated,) = adapter.updated_activities
    assert FEEDBACK_THANKS_NOT_HELPFUL in texts(card_of(updated))
    assert [v.kind for v in await votes.votes()] == [EventKind.NOT_HELPFUL]


async def test_rating_without_the_card_id_is_thanked_in_a_reply(matcher: TfidfMatcher) -> None:
    votes = VoteLog()
    adapter = adapter_for(FaqBot(matcher, recorder=votes.recorder))
    data = await _rated_card_data(adapter, HELPFUL)

    await adapter.send(message(value=data))

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]
    assert adapter.updated_activities == []
    assert len(await votes.votes()) == 1


async def test_rating_falls_back_to_a_reply_when_the_update_fails(matcher: TfidfMatcher) -> None:
    adapter = adapter_for(FaqBot(matcher))

    async def cannot_update(context: TurnContext, activity: Activity) -> None:
        raise NotImplementedError("this channel cannot edit messages")

    adapter.update_activity = cannot_update
    value = {"action": "feedback", "id": "request-sme", "helpful": True}

    await adapter.send(message(value=value, reply_to_id="card-7"))

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]


async def test_rating_a_retired_entry_is_still_recorded(matcher: TfidfMatcher) -> None:
    votes = VoteLog()
    adapter = adapter_for(FaqBot(matcher, recorder=votes.recorder))

    await adapter.send(
        message(value={"action": "feedback", "id": "retired", "helpful": False}, reply_to_id="c")
    )

    assert [r.text for r in take_replies(adapter)] == [FEEDBACK_RECEIVED]
    assert [v.entry_id for v in await votes.votes()] == ["retired"]


async def test_a_rating_is_logged_without_the_user(
    matcher: TfidfMatcher, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = adapter_for(FaqBot(matcher))

    with caplog.at_level("INFO", logger="bot.faq_bot"):
        await adapter.send(
            message(value={"action": "feedback", "id": "request-sme", "helpful": True})
        )

    assert "feedback entry=request-sme helpful=True" in caplog.text
    assert "User1" not in caplog.text  # no user ids in the log
