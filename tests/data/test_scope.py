"""The shipped knowledge base keeps its own phrasings and its out-of-scope topics apart.

Built with the production recipe (:func:`intents.build.build_matcher`): no question or
alternate of an entry that the entries alone would answer or clarify is turned away because of
an out-of-scope topic, and every phrasing of ``faq_data/out_of_scope.yaml`` gets "not covered".
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from intents.build import build_matcher
from intents.loader import load_smalltalk
from intents.matcher import TfidfMatcher
from intents.models import Decision

FAQ_DIR = Path(__file__).resolve().parents[2] / "faq_data"
MATCHER = build_matcher(FAQ_DIR)
ENTRIES_ONLY = TfidfMatcher().fit(replace(MATCHER.knowledge_, out_of_scope=()), load_smalltalk())
# Phrasings the entries alone answer or clarify (a few Engagement Start Date alternates that
# never name the ESD fall below the clarify threshold through the section-topic discount).
ENTRY_PHRASINGS = [
    (e.id, p)
    for e in MATCHER.entries_
    for p in e.phrasings
    if ENTRIES_ONLY.match(p).decision is not Decision.NONE
]
TOPIC_PHRASINGS = [(t.id, p) for t in MATCHER.knowledge_.out_of_scope for p in t.phrasings]


@pytest.mark.parametrize(
    ("entry_id", "phrasing"), ENTRY_PHRASINGS, ids=[f"{i}:{p}" for i, p in ENTRY_PHRASINGS]
)
def test_no_out_of_scope_topic_turns_a_phrasing_away(entry_id: str, phrasing: str) -> None:
    result = MATCHER.match(phrasing)
    assert result.out_of_scope is None, f"{phrasing!r} is closer to {result.out_of_scope!r}"
    assert result.best is not None
    assert result.best.entry.id == entry_id, f"{phrasing!r} is closer to {result.best.entry.id}"


@pytest.mark.parametrize(
    ("topic_id", "phrasing"), TOPIC_PHRASINGS, ids=[f"{i}:{p}" for i, p in TOPIC_PHRASINGS]
)
def test_every_out_of_scope_phrasing_is_not_covered(topic_id: str, phrasing: str) -> None:
    result = MATCHER.match(phrasing)
    best = result.best.entry.id if result.best else None
    assert result.decision is Decision.NONE, f"{phrasing!r} got {result.decision} -> {best}"


def test_shipped_data_declares_kinds_of_question_and_out_of_scope_topics() -> None:
    knowledge = MATCHER.knowledge_
    assert {"who", "when", "how-much"} <= set(knowledge.asks)
    assert len(knowledge.out_of_scope) >= 10
    assert all(len(topic.phrasings) >= 5 for topic in knowledge.out_of_scope)
