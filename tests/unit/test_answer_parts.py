"""An answer card built from an entry's kept parts is the card built from scratch."""

from __future__ import annotations

import json

import pytest

from bot.cards import answer_card, answer_card_from, answer_parts
from bot.faq_bot import MAX_RELATED, FaqBot
from intents import FaqEntry, TfidfMatcher
from tests.samples import ENTRIES, KNOWLEDGE

QUESTION_IDS = [None, "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"]


def _related(entry: FaqEntry) -> list[FaqEntry]:
    found = [KNOWLEDGE.get(entry_id) for entry_id in entry.related]
    return [other for other in found if other is not None][:MAX_RELATED]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
@pytest.mark.parametrize("feedback", [None, True, False])
@pytest.mark.parametrize("interactive", [True, False])
def test_a_card_from_parts_is_the_card_from_scratch(
    entry: FaqEntry, feedback: bool | None, interactive: bool
) -> None:
    parts = answer_parts(entry)
    related = _related(entry)
    for question_id in QUESTION_IDS:
        expected = answer_card(
            entry,
            related,
            feedback=feedback,
            interactive=interactive,
            question_id=question_id,
            asked="how?",
        )
        card = answer_card_from(
            parts,
            related,
            feedback=feedback,
            interactive=interactive,
            question_id=question_id,
            asked="how?",
        )

        assert json.dumps(card) == json.dumps(expected)  # same keys in the same order


def test_the_bot_keeps_each_entrys_parts_and_fills_in_each_questions_ids(
    matcher: TfidfMatcher,
) -> None:
    bot = FaqBot(matcher)
    for entry in ENTRIES:
        for question_id in [*QUESTION_IDS, *QUESTION_IDS]:
            card = bot._answer_card(entry, question_id=question_id, asked="how?")
            expected = answer_card(entry, _related(entry), question_id=question_id, asked="how?")

            assert json.dumps(card) == json.dumps(expected)  # same keys in the same order
