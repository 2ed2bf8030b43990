"""The report as Markdown: one page a maintainer reads in a terminal, a PR or a wiki.

Questions are user input: every user-provided text is escaped so it shows literally (no
markup, links or HTML of its own).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.report.model import QuestionGroup, Report, Suggestion

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
    lines += _section(
        "Top entries",
        ["entry", "question", "answered", "opened by a click", "helpful", "not helpful"],
        [
            [
                _code(r.entry_id),
                escape(r.question or "(no longer in the FAQ)"),
                str(r.answered),
                str(r.opened),
                str(r.helpful),
                str(r.not_helpful),
            ]
            for r in report.top_entries
        ],
    )
    lines += _section(
        "Top questions",
        ["question", "asked", "decision", "entry"],
        [
            [escape(r.text), str(r.count), r.decision, _code(r.entry_id)]
            for r in report.top_questions
        ],
    )
    lines += _groups(
        "Unanswered questions, grouped",
        "Questions the FAQ did not cover (no-match card), similar phrasings on one row.",
        report.unanswered,
        ["nearest entry", "its confidence"],
    )
    lines += _groups(
        "Low-confidence questions, grouped",
        'Questions that got "did you mean", or an answer just above the threshold.',
        report.low_confidence,
        ["entry offered", "mean confidence"],
    )
    lines += _section(
        'Most "not helpful" answers',
        ["entry", "question", "not helpful", "helpful", "asked as"],
        [
            [
                _code(r.entry_id),
                escape(r.question or "(no longer in the FAQ)"),
                str(r.not_helpful),
                str(r.helpful),
                "; ".join(escape(x) for x in r.examples),
            ]
            for r in report.not_helpful
        ],
    )
    lines += _section(
        '"Did you mean" choices',
        ["question", "entry chosen", "times"],
        [[escape(r.text), _code(r.entry_id), str(r.count)] for r in report.choices],
    )
    lines += _suggestions(report.suggestions)
    lines += _notes(report)
    return "\n".join(lines)


def _period(report: Report) -> str:
    generated = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    if report.first is None or report.last is None:
        span = "no records"
    else:
        span = f"records from {report.first:%Y-%m-%d} to {report.last:%Y-%m-%d}"
    since = f", since {report.since:%Y-%m-%d}" if report.since else ""
    return f"Generated {generated}; {span}{since}."


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


def _groups(
    title: str, intro: str, groups: Sequence[QuestionGroup], extra: Sequence[str]
) -> list[str]:
    rows = [
        [
            escape(g.label),
            str(g.count),
            str(g.phrasings),
            "; ".join(escape(x) for x in g.examples),
            _code(g.entry_id),
            f"{g.score:.2f}" if g.score is not None else "",
        ]
        for g in groups
    ]
    return _section(
        title, ["topic (most asked)", "asked", "phrasings", "examples", *extra], rows, intro
    )


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


def _section(
    title: str, header: Sequence[str], rows: Sequence[Sequence[str]], intro: str = ""
) -> list[str]:
    lines = [f"## {title}", ""]
    if intro:
        lines += [intro, ""]
    if not rows:
        return [*lines, "None in this period.", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _code(entry_id: str | None) -> str:
    return f"`{entry_id}`" if entry_id else ""


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0.0%"
