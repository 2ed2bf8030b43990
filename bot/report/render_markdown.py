"""The report as Markdown: one page a maintainer reads in a terminal, a PR or a wiki.

Questions are user input: every user-provided text is escaped so it shows literally (no
markup, links or HTML of its own).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.report.layout import Cell, EntryRef, Examples, Table, period, report_tables
from bot.report.model import Report, Suggestion

#: Days listed in the Markdown table (the most recent); the HTML chart shows them all.
MAX_DAYS = 31

APPLY_HINT = (
    "Apply them with `python -m bot report --apply-suggestions`, then review with "
    "`git diff faq_data/`."
)

_SPECIAL = "\\`*_[]|~#"


def escape(text: str) -> str:
    """``text`` as literal Markdown table-cell text: no markup, no HTML, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join(f"\\{char}" if char in _SPECIAL else char for char in text)
    return " ".join(text.split())


def render_markdown(report: Report) -> str:
    """The whole report as Markdown."""
    lines = ["# FAQ bot report", "", _period(report), ""]
    if report.empty:
        lines += ["No questions or clicks were recorded in this period.", ""]
        lines += _notes(report)
        return "\n".join(lines)
    lines += _summary(report)
    lines += _per_day(report)
    for table in report_tables(report):
        lines += _table(table)
    lines += _suggestions(report.suggestions)
    lines += _notes(report)
    return "\n".join(lines)


def _period(report: Report) -> str:
    return period(report, "; ") + "."


def _summary(report: Report) -> list[str]:
    lines = [
        "## Summary",
        "",
        f"- Questions: **{report.questions}** from {report.users} users "
        f"({', '.join(f'{k} {v}' for k, v in report.surfaces.items()) or 'none'})",
        f"- Clicks and votes: **{report.events}**",
        "",
        "| decision | questions | share |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {decision} | {count} | {_percent(count, report.questions)} |"
        for decision, count in report.decisions.items()
    ]
    return [*lines, ""]


def _per_day(report: Report) -> list[str]:
    days = report.per_day[-MAX_DAYS:]
    lines = ["## Questions per day", ""]
    if len(report.per_day) > MAX_DAYS:
        lines += [f"The last {MAX_DAYS} of {len(report.per_day)} days (UTC).", ""]
    decisions = list(report.decisions)[:4]
    lines += [
        "| day | questions | " + " | ".join(decisions) + " |",
        "|---|---:|" + "---:|" * len(decisions),
    ]
    lines += [
        f"| {d.day.isoformat()} | {d.total} | "
        + " | ".join(str(d.decisions.get(k, 0)) for k in decisions)
        + " |"
        for d in days
    ]
    return [*lines, ""]


def _suggestions(suggestions: Sequence[Suggestion]) -> list[str]:
    lines = ["## Suggestions", ""]
    if not suggestions:
        return [*lines, "None: no phrasing was resolved to one entry often enough.", ""]
    for number, s in enumerate(suggestions, 1):
        sources = ", ".join(f"{kind} {count}" for kind, count in s.sources.items())
        lines.append(
            f"{number}. add '{escape(s.phrasing)}' as an alternate of {_code(s.entry_id)} "
            f"(evidence {s.evidence}: {sources}; now: {s.now})"
        )
    return [*lines, "", APPLY_HINT, ""]


def _notes(report: Report) -> list[str]:
    if not report.notes:
        return []
    return ["## Notes", "", *(f"- {escape(note)}" for note in report.notes), ""]


def _table(table: Table) -> list[str]:
    lines = [f"## {table.title}", ""]
    if table.intro:
        lines += [table.intro, ""]
    if not table.rows:
        return [*lines, "None in this period.", ""]
    lines.append("| " + " | ".join(table.headers) + " |")
    lines.append("|" + "|".join("---" for _ in table.headers) + "|")
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table.rows]
    return [*lines, ""]


def _cell(cell: Cell) -> str:
    if isinstance(cell, EntryRef):
        return _code(cell.entry_id)
    if isinstance(cell, Examples):
        return "; ".join(escape(x) for x in cell.texts)
    return escape(str(cell))


def _code(entry_id: str | None) -> str:
    return f"`{entry_id}`" if entry_id else ""


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"
