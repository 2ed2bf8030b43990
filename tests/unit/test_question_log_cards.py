"""Card buttons carry the question's record id, so clicks and votes link back without state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.actions import (
    MAX_CARRIED_QUESTION,
    VIA_CHOICE,
    VIA_RELATED,
    VIA_TOPIC,
    Feedback,
    NoneOfThese,
    OpenEntry,
    parse_action,
)
from bot.cards import (
    HELPFUL,
    NONE_OF_THESE,
    NOT_HELPFUL,
    answer_card,
    did_you_mean_card,
    next_steps,
    no_match_card,
)
from tests.adaptive_cards import assert_valid_card, rows, submit_button
from tests.samples import ESD_KICKOFF, ESD_PURPOSE, KNOWLEDGE, MANAGE_ENGAGEMENTS, REQUEST_SME

QID = "0123456789abcdef0123456789abcdef"
ASKED = "what is the esd"


def test_did_you_mean_choices_carry_the_question_id_and_text() -> None:
    card = did_you_mean_card(ASKED, [ESD_PURPOSE, ESD_KICKOFF], question_id=QID)

    assert_valid_card(card)
    for _, data in rows(card):
        assert parse_action(data) == OpenEntry(
            data["id"], via=VIA_CHOICE, question_id=QID, question=ASKED
        )
        assert parse_action(data["msteams"]["value"]) == parse_action(data)
    assert parse_action(submit_button(card, NONE_OF_THESE)) == NoneOfThese(ASKED, QID)


def test_answer_card_related_rows_and_votes_carry_the_question_id() -> None:
    related = [MANAGE_ENGAGEMENTS]
    card = answer_card(REQUEST_SME, related, question_id=QID, asked="need an expert")

    assert_valid_card(card)
    ((_, row),) = rows(card)
    assert parse_action(row) == OpenEntry(MANAGE_ENGAGEMENTS.id, via=VIA_RELATED, question_id=QID)
    assert parse_action(submit_button(card, HELPFUL)) == Feedback(
        REQUEST_SME.id, True, question_id=QID, question="need an expert"
    )
    assert parse_action(submit_button(card, NOT_HELPFUL)) == Feedback(
        REQUEST_SME.id, False, question_id=QID, question="need an expert"
    )


def test_no_match_nearest_rows_carry_the_question_id() -> None:
    card = no_match_card("pizza", next_steps(KNOWLEDGE), nearest=[REQUEST_SME], question_id=QID)

    assert_valid_card(card)
    ((_, row),) = rows(card)
    assert parse_action(row) == OpenEntry(REQUEST_SME.id, via=VIA_TOPIC, question_id=QID)


def test_without_a_question_id_cards_carry_nothing_of_the_log() -> None:
    cards = [
        did_you_mean_card(ASKED, [ESD_PURPOSE]),
        answer_card(REQUEST_SME, [MANAGE_ENGAGEMENTS]),
        no_match_card("pizza", next_steps(KNOWLEDGE), nearest=[REQUEST_SME]),
    ]

    for card in cards:
        text = json.dumps(card)
        assert '"qid"' not in text
        assert '"via"' not in text


def test_a_long_question_is_carried_shortened_and_the_card_stays_small() -> None:
    long_question = "word " * 400
    card = did_you_mean_card(long_question, [ESD_PURPOSE, ESD_KICKOFF], question_id=QID)

    assert_valid_card(card)
    carried = [data["q"] for _, data in rows(card)]
    assert all(len(q) <= MAX_CARRIED_QUESTION for q in carried)
    assert len(json.dumps(card).encode()) < 8_000


@pytest.mark.parametrize(
    "junk",
    [
        {"action": "open", "id": "request-sme", "qid": "NOT-HEX"},
        {"action": "open", "id": "request-sme", "qid": "a" * 65},
        {"action": "open", "id": "request-sme", "qid": 7},
        {"action": "feedback", "id": "request-sme", "helpful": True, "qid": "<script>"},
    ],
)
def test_a_malformed_question_id_is_ignored_not_trusted(junk: dict[str, Any]) -> None:
    action = parse_action(junk)

    assert action is not None
    assert getattr(action, "question_id", "missing") is None


def test_an_unknown_via_is_ignored() -> None:
    action = parse_action({"action": "open", "id": "request-sme", "via": "x", "qid": QID})

    assert action == OpenEntry("request-sme", via=None, question_id=QID)
