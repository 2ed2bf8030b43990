"""What the Markdown and HTML reports show, defined once: the period line and the tables.

A table is its title, a one-line intro, the column headers, the rows as plain values and
which columns are numbers. The renderers only format and escape the cells: text (user input
included) as text, an :class:`EntryRef` as code, :class:`Examples` as their own list. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.report.model import QuestionGroup, Report

#: Shown for an entry that is no longer in the FAQ.
GONE = "(no longer in the FAQ)"


@dataclass(frozen=True, slots=True)
class EntryRef:
    """An entry id, shown as code; ``None`` (no entry) shows as an empty cell."""

    entry_id: str | None


@dataclass(frozen=True, slots=True)
class Examples:
    """Example phrasings, most frequent first, shown as one cell."""

    texts: tuple[str, ...]


#: A cell: text to escape, a count, an entry or example phrasings.
Cell = str | int | EntryRef | Examples


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the report.

    Attributes:
        title: The section heading.
        intro: One sentence under the heading ("" for none).
        headers: The column headers.
        rows: One tuple of cells per row, as many as ``headers``; empty for "none".
        numeric: Indexes of the columns that hold numbers (right-aligned, sorted as numbers).
    """

    title: str
    intro: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = frozenset()


def period(report: Report, separator: str) -> str:
    """``Generated <time>{separator}records from <day> to <day>[, since <day>]``."""
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    if report.first is None or report.last is None:
        span = "no records"
    else:
        span = f"records from {report.first:%Y-%m-%d} to {report.last:%Y-%m-%d}"
    since = f", since {report.since:%Y-%m-%d}" if report.since else ""
    return f"Generated {generated}{separator}{span}{since}"


def report_tables(report: Report) -> tuple[Table, ...]:
    """The report's tables, in the order both renderers show them."""
    return (
        Table(
            "Top entries",
            "",
            ("entry", "question", "answered", "opened by a click", "helpful", "not helpful"),
            tuple(
                (
                    EntryRef(r.entry_id),
                    r.question or GONE,
                    r.answered,
                    r.opened,
                    r.helpful,
                    r.not_helpful,
                )
                for r in report.top_entries
            ),
            frozenset({2, 3, 4, 5}),
        ),
        Table(
            "Top questions",
            "Normalized text: case, accents and punctuation around it ignored.",
            ("question", "asked", "decision", "entry"),
            tuple(
                (r.text, r.count, r.decision, EntryRef(r.entry_id)) for r in report.top_questions
            ),
            frozenset({1}),
        ),
        _group_table(
            "Unanswered questions, grouped",
            "Questions the FAQ did not cover (no-match card); similar phrasings on one row.",
            report.unanswered,
            ("nearest entry", "its confidence"),
        ),
        _group_table(
            "Low-confidence questions, grouped",
            'Questions that got "did you mean", or an answer just above the threshold.',
            report.low_confidence,
            ("entry offered", "mean confidence"),
        ),
        Table(
            'Most "not helpful" answers',
            "",
            ("entry", "question", "not helpful", "helpful", "asked as"),
            tuple(
                (
                    EntryRef(r.entry_id),
                    r.question or GONE,
                    r.not_helpful,
                    r.helpful,
                    Examples(r.examples),
                )
                for r in report.not_helpful
            ),
            frozenset({2, 3}),
        ),
        Table(
            '"Did you mean" choices',
            "Which entry users picked for a phrasing: the entry it should map to.",
            ("question", "entry chosen", "times"),
            tuple((r.text, EntryRef(r.entry_id), r.count) for r in report.choices),
            frozenset({2}),
        ),
    )


def _group_table(
    title: str, intro: str, groups: Sequence[QuestionGroup], extra: tuple[str, str]
) -> Table:
    return Table(
        title,
        intro,
        ("topic (most asked)", "asked", "phrasings", "examples", *extra),
        tuple(
            (
                g.label,
                g.count,
                g.phrasings,
                Examples(g.examples),
                EntryRef(g.entry_id),
                f"{g.score:.2f}" if g.score is not None else "",
            )
            for g in groups
        ),
        frozenset({1, 2, 5}),
    )
