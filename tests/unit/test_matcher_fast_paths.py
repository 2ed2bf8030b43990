"""The matcher's shortcuts compute exactly what the plain computation does."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import TfidfMatcher
from intents.analyzer import words
from intents.hygiene import fold

TEXTS = [
    "how do I request an SME",
    "  Résumé   CAFÉ naïve ",
    "\u0130stanbul \u00df \ufb01le \u2019quote\u2019 \u201cdouble\u201d",
    "FTOP\tportal\nlogin",
    "",
    "x",
]


def _slow_fold(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"')
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=40) | st.text(st.characters(max_codepoint=127), max_size=40))
def test_fold_is_the_unicode_fold(text: str) -> None:
    assert fold(text) == _slow_fold(text)


def test_repeated_tokenizing_gives_fresh_equal_lists() -> None:
    first = words("Customer's kick-off")
    first.append("changed")

    assert words("Customer's kick-off") == ["customer", "kick", "off"]


@pytest.mark.parametrize("text", TEXTS)
def test_character_columns_are_the_analyzers(matcher: TfidfMatcher, text: str) -> None:
    vocabulary = matcher.char_vocabulary_
    expected = [vocabulary[gram] for gram in matcher.char_analyzer_(text) if gram in vocabulary]

    assert matcher._char_columns(text) == expected
    assert matcher._char_columns(text) == expected  # from the per-word cache


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=st.text(max_size=60))
def test_character_columns_of_any_text_are_the_analyzers(matcher: TfidfMatcher, text: str) -> None:
    vocabulary = matcher.char_vocabulary_
    expected = [vocabulary[gram] for gram in matcher.char_analyzer_(text) if gram in vocabulary]

    assert matcher._char_columns(text) == expected
