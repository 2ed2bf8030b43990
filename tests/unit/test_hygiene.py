"""Input hygiene: whatever a user sends becomes one bounded, clean line."""

from __future__ import annotations

import pytest

from intents.hygiene import MAX_QUESTION_CHARS, clean_text, fold


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (None, ""),
        ("", ""),
        ("   \r\n\t ", ""),
        ("<at>FAQ Bot</at> how do I\r\nrequest an SME?", "how do I request an SME?"),
        ("Q&amp;A &lt;FTOP&gt; and&nbsp;more", "Q&A <FTOP> and more"),
        ("<p>Where is <b>FTOP</b>?</p><p>Thanks</p>", "Where is FTOP? Thanks"),
        ("is 3 < 5 and 5 > 3?", "is 3 < 5 and 5 > 3?"),
        ("zero\u200bwidth and\x00nul\x07bell", "zero width and nul bell"),
        ("soft\u00adhyphen", "softhyphen"),
        ("emoji 👍 stay", "emoji 👍 stay"),
    ],
)
def test_clean_text(raw: str | None, clean: str) -> None:
    assert clean_text(raw) == clean


def test_long_input_is_cut_at_a_word_boundary() -> None:
    text = "engagement " * 200
    cleaned = clean_text(text)
    assert len(cleaned) <= MAX_QUESTION_CHARS
    assert cleaned.endswith("engagement")


def test_one_endless_word_is_cut_too() -> None:
    assert len(clean_text("x" * 10_000)) == MAX_QUESTION_CHARS


def test_fold_lowers_and_strips_accents_and_curly_quotes() -> None:
    assert fold("Résumé DON\u2019T \u201cFTOP\u201d") == 'resume don\'t "ftop"'
