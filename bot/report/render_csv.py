"""The report as CSV: ONE table, a ``section`` column saying which part of the report a row is.

One file opens in any spreadsheet and filters by section; the columns are the same for every
section:

``section``
    ``summary``, ``decision``, ``day``, ``top_entry``, ``top_question``, ``unanswered``,
    ``low_confidence``, ``not_helpful``, ``choice``, ``suggestion``.
``rank``
    1, 2, 3... within the section.
``text``
    The metric (summary), decision, ISO day, entry question, question, group label or phrasing.
``entry_id``
    The entry the row is about, when there is one.
``count``
    The row's number: questions, times asked, votes, choices or evidence.
``detail``
    The rest, as ``key=value`` pairs separated by ``; `` (examples separated by `` | ``).

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or carriage return) get a leading ``'``: questions are user input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.report.model import Report

COLUMNS = ("section", "rank", "text", "entry_id", "count", "detail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = tuple[str, int, str, str, int, str]


def safe_cell(value: str) -> str:
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def render_csv(report: Report) -> str:
    """The whole report as one CSV table (header first, ``\\r\\n`` line ends as RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for section, rank, text, entry_id, count, detail in _rows(report):
        writer.writerow(
            [section, rank, safe_cell(text), safe_cell(entry_id), count, safe_cell(detail)]
        )
    return buffer.getvalue()


def _rows(report: Report) -> Iterator[Row]:
    since = report.since.isoformat() if report.since else ""
    yield ("summary", 1, "questions", "", report.questions, f"since={since}")
    yield ("summary", 2, "events", "", report.events, "")
    yield ("summary", 3, "users", "", report.users, "")
    for rank, (decision, count) in enumerate(report.decisions.items(), 1):
        yield ("decision", rank, decision, "", count, "")
    for rank, day in enumerate(report.per_day, 1):
        detail = "; ".join(f"{k}={v}" for k, v in day.decisions.items())
        yield ("day", rank, day.day.isoformat(), "", day.total, detail)
    for rank, e in enumerate(report.top_entries, 1):
        detail = (
            f"answered={e.answered}; opened={e.opened}; helpful={e.helpful}; "
            f"not_helpful={e.not_helpful}"
        )
        yield ("top_entry", rank, e.question, e.entry_id, e.total, detail)
    for rank, q in enumerate(report.top_questions, 1):
        yield ("top_question", rank, q.text, q.entry_id or "", q.count, f"decision={q.decision}")
    for section, groups in (
        ("unanswered", report.unanswered),
        ("low_confidence", report.low_confidence),
    ):
        for rank, g in enumerate(groups, 1):
            score = f"{g.score:.4f}" if g.score is not None else ""
            detail = f"phrasings={g.phrasings}; score={score}; examples={' | '.join(g.examples)}"
            yield (section, rank, g.label, g.entry_id or "", g.count, detail)
    for rank, v in enumerate(report.not_helpful, 1):
        detail = f"helpful={v.helpful}; examples={' | '.join(v.examples)}"
        yield ("not_helpful", rank, v.question, v.entry_id, v.not_helpful, detail)
    for rank, c in enumerate(report.choices, 1):
        yield ("choice", rank, c.text, c.entry_id, c.count, "")
    for rank, s in enumerate(report.suggestions, 1):
        sources = "; ".join(f"{k}={v}" for k, v in s.sources.items())
        yield ("suggestion", rank, s.phrasing, s.entry_id, s.evidence, f"{sources}; now={s.now}")
