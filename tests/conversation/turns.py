"""Helpers for driving FaqBot through botbuilder's TestAdapter.

``TestAdapter.send`` runs the whole turn before it returns, so a turn's replies are all in
``adapter.activity_buffer`` by then; :func:`take_replies` reads them exactly (how many, in
which order), which ``assert_reply`` alone cannot.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.faq_bot import FaqBot
from intents import MatchResult, TfidfMatcher
from tests.samples import KNOWLEDGE, smalltalk


def take_replies(adapter: TestAdapter) -> list[Activity]:
    """Every activity the bot sent since the last call, oldest first."""
    replies = list(adapter.activity_buffer)
    adapter.activity_buffer.clear()
    return replies


def the_reply(adapter: TestAdapter) -> Activity:
    """The one reply of a turn, after checking it was the turn's only activity (no typing)."""
    replies = take_replies(adapter)
    assert [r.type for r in replies] == [ActivityTypes.message], replies
    return replies[0]


def card_of(activity: Activity) -> dict[str, Any]:
    """The Adaptive Card content of a reply that carries exactly one card."""
    assert activity.type == ActivityTypes.message
    (attachment,) = activity.attachments
    assert attachment.content_type == CardFactory.content_types.adaptive_card
    content: dict[str, Any] = attachment.content
    return content


class ScriptedMatcher(TfidfMatcher):
    """A matcher fitted on the samples whose verdict the test decides.

    Keeps conversation tests about the bot's behaviour for each decision, independent of
    how the matcher is tuned.
    """

    def __init__(self, result: MatchResult) -> None:
        super().__init__()
        self.fit(KNOWLEDGE, smalltalk())
        self.result = result

    def match(self, text: str | None) -> MatchResult:
        return self.result


class ExplodingMatcher(TfidfMatcher):
    """A matcher that fails the turn, with internals in its message."""

    SECRET = "connection string Password=hunter2"

    def __init__(self) -> None:
        super().__init__()
        self.fit(KNOWLEDGE)

    def match(self, text: str | None) -> MatchResult:
        raise RuntimeError(self.SECRET)


def adapter_for(bot: FaqBot, **options: Any) -> TestAdapter:
    """A TestAdapter running ``bot`` (channel ``test``, bot id ``bot``)."""
    return TestAdapter(bot.on_turn, **options)
