"""The matcher's shortcuts compute exactly what the plain computation does."""

from __future__ import annotations

import unicodedata
from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import TfidfMatcher
from intents import matcher as matcher_module
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


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    documents=st.integers(1, 40),
    terms=st.integers(1, 60),
    density=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
    picked=st.integers(0, 30),
)
def test_dense_products_are_the_postings_walk(
    documents: int, terms: int, density: float, seed: int, picked: int
) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(documents, terms, density=density, random_state=rng, format="csr")
    columns = rng.choice(terms, size=min(picked, terms), replace=False).astype(np.intp)
    weights = rng.random(len(columns))
    dense = matcher_module._Postings(matrix)
    assert dense.dense is not None
    walk = matcher_module._Postings(matrix)
    walk.dense = None
    expected = matrix.toarray() @ np.bincount(columns, weights, minlength=terms)

    # A matrix product may add in another order than the walk: equal to the last few bits.
    np.testing.assert_allclose(dense.dot(columns, weights), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(walk.dot(columns, weights), expected, rtol=1e-12, atol=1e-15)


def test_a_matcher_with_dense_products_decides_as_one_without(
    matcher: TfidfMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matcher_module, "_MAX_DENSE_CELLS", 0)
    sparse = TfidfMatcher().fit(matcher.knowledge_, matcher.smalltalk_)
    assert sparse.word_index_.dense is None
    assert matcher.word_index_.dense is not None

    for text in [*TEXTS, "request SME support portal login", "who approves my travel"]:
        mine, theirs = matcher._scores(text), sparse._scores(text)
        np.testing.assert_allclose(mine.confidence, theirs.confidence, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(
            mine.topic_confidence, theirs.topic_confidence, rtol=1e-12, atol=1e-15
        )
        assert matcher.match(text) == sparse.match(text)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5000001, 0.9]), min_size=1, max_size=40))
def test_ranking_in_python_is_numpy_s_ranking(matcher: TfidfMatcher, values: list[float]) -> None:
    entries = len(matcher.entries_)
    confidence = np.resize(np.array(values), entries)  # ties included

    in_python = matcher._ranked(confidence)
    with mock.patch.object(matcher_module, "_SORTED_IN_PYTHON", 0):
        in_numpy = matcher._ranked(confidence)

    assert in_python == in_numpy
