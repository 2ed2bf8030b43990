"""The report as ONE self-contained HTML file a maintainer opens in a browser.

No external resource of any kind: the CSS and the small script (sortable tables) are inline,
and the charts are inline SVG drawn here, so the file works offline and from an email
attachment. A Content-Security-Policy ``<meta>`` allows nothing but this file's own style
and script (by their SHA-256 hashes), so even a question that slipped past escaping could
not run a script. Every user-provided text is escaped with :func:`html.escape`.

Charts (each an ``<svg class="chart">`` with an id, one ``rect.bar`` per drawn bar):

- ``chart-per-day``: questions per day, stacked by decision;
- ``chart-decisions``: the decision mix;
- ``chart-unanswered``: the most asked unanswered topics.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from html import escape

from bot.report.layout import Cell, EntryRef, Examples, Table, period, report_tables
from bot.report.model import DayCount, QuestionGroup, Report, Suggestion

#: Decision colours (Teams / Fluent palette: brand purple, orange, red, grey).
COLORS = {"answer": "#6264a7", "clarify": "#e97548", "none": "#c4314b", "smalltalk": "#8a8886"}
FALLBACK_COLOR = "#b3b0ad"

#: Rows of the "top unanswered topics" chart.
CHART_TOPICS = 10
_LABEL_CHARS = 44

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f5f5; color: #242424;
  font: 14px/1.45 "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif; }
header { background: #6264a7; color: #fff; padding: 20px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
header p { margin: 4px 0 0; opacity: .9; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 48px; }
.card { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12);
  padding: 16px 20px; margin: 0 0 20px; overflow-x: auto; }
.card h2 { font-size: 17px; font-weight: 600; margin: 0 0 4px; }
.card p.intro { margin: 0 0 12px; color: #616161; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
  gap: 16px; margin-bottom: 20px; }
.tile { background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12);
  padding: 12px 16px; }
.tile .value { font-size: 26px; font-weight: 600; color: #464775; }
.tile .label { color: #616161; }
.charts { display: grid; grid-template-columns: 1fr; gap: 0; }
svg.chart { display: block; width: 100%; height: auto; max-width: 100%; }
svg.chart text { font: 12px "Segoe UI", system-ui, sans-serif; fill: #424242; }
svg.chart .axis { stroke: #c8c6c4; stroke-width: 1; }
svg.chart .grid { stroke: #edebe9; stroke-width: 1; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0 0; padding: 0;
  list-style: none; color: #616161; }
.legend li::before { content: ""; display: inline-block; width: 10px; height: 10px;
  border-radius: 2px; margin-right: 6px; background: var(--swatch); }
.legend .answer { --swatch: #6264a7; } .legend .clarify { --swatch: #e97548; }
.legend .none { --swatch: #c4314b; } .legend .smalltalk { --swatch: #8a8886; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #edebe9;
  vertical-align: top; }
th { font-weight: 600; color: #424242; background: #faf9f8; white-space: nowrap; }
table.sortable th { cursor: pointer; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: Consolas, "Cascadia Mono", monospace; font-size: 13px;
  background: #f3f2f1; padding: 1px 4px; border-radius: 3px; }
.examples { color: #616161; }
.empty { color: #616161; font-style: italic; }
ol.suggestions li { margin-bottom: 6px; }
.evidence { color: #616161; }
"""

SCRIPT = """
"use strict";
(function () {
  function cellValue(row, index, numeric) {
    var text = row.cells[index] ? row.cells[index].textContent.trim() : "";
    if (!numeric) { return text.toLowerCase(); }
    var value = parseFloat(text.replace(/[^0-9.\\-]/g, ""));
    return isNaN(value) ? -Infinity : value;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.addEventListener("click", function () {
        var numeric = th.classList.contains("num");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute(
    "data-charts", String(document.querySelectorAll("svg.chart").length));
})();
"""


def content_security_policy() -> str:
    """The policy: nothing from anywhere, except this file's own style and script."""
    return (
        f"default-src 'none'; style-src '{_sha256(CSS)}'; script-src '{_sha256(SCRIPT)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        "<title>FAQ bot report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header><h1>FAQ bot report</h1>",
        f"<p>{escape(_period(report))}</p></header>",
        "<main>",
        _tiles(report),
        _card("Questions per day", "UTC days, stacked by decision.", _per_day_chart(report)),
        _card("Decision mix", "", _decision_chart(report)),
        _card(
            "Top unanswered topics",
            "Unanswered questions grouped by similarity; hover a bar for examples.",
            _unanswered_chart(report.unanswered),
        ),
        _tables(report),
        _suggestions(report.suggestions),
        _notes(report.notes),
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


# ---------------------------------------------------------------------- page parts
def _period(report: Report) -> str:
    return period(report, " \u00b7 ")


def _tiles(report: Report) -> str:
    total = report.questions
    tiles = [
        ("questions", str(total)),
        ("users", str(report.users)),
        ("answered", _percent(report.decisions.get("answer", 0), total)),
        ('"did you mean"', _percent(report.decisions.get("clarify", 0), total)),
        ("unanswered", _percent(report.decisions.get("none", 0), total)),
        ("clicks and votes", str(report.events)),
    ]
    cells = "".join(
        f'<div class="tile"><div class="value">{escape(value)}</div>'
        f'<div class="label">{escape(label)}</div></div>'
        for label, value in tiles
    )
    return f'<section class="tiles">{cells}</section>'


def _card(title: str, intro: str, body: str) -> str:
    intro_html = f'<p class="intro">{escape(intro)}</p>' if intro else ""
    return f'<section class="card"><h2>{escape(title)}</h2>{intro_html}{body}</section>'


def _tables(report: Report) -> str:
    return "\n".join(_table(table) for table in report_tables(report))


def _table(table: Table) -> str:
    """A card with a sortable table."""
    if not table.rows:
        return _card(table.title, table.intro, '<p class="empty">None in this period.</p>')

    def cls(index: int) -> str:
        return ' class="num"' if index in table.numeric else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(table.headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{_cell(cell)}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    html = f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return _card(table.title, table.intro, html)


def _cell(cell: Cell) -> str:
    if isinstance(cell, EntryRef):
        return _code(cell.entry_id)
    if isinstance(cell, Examples):
        return _examples(cell.texts)
    return escape(str(cell))


def _suggestions(suggestions: Sequence[Suggestion]) -> str:
    if not suggestions:
        body = '<p class="empty">None: no phrasing was resolved to one entry often enough.</p>'
    else:
        items = "".join(
            f"<li>add <strong>\u2018{escape(s.phrasing)}\u2019</strong> as an alternate of "
            f'{_code(s.entry_id)} <span class="evidence">(evidence {s.evidence}: '
            f"{escape(', '.join(f'{k} {v}' for k, v in s.sources.items()))}; "
            f"now: {escape(s.now)})</span></li>"
            for s in suggestions
        )
        body = (
            f'<ol class="suggestions">{items}</ol><p>Apply them with '
            "<code>python -m bot report --apply-suggestions</code>, then review with "
            "<code>git diff faq_data/</code>.</p>"
        )
    return _card("Suggestions", "Phrasings users consistently resolved to one entry.", body)


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return _card("Notes", "", f"<ul>{items}</ul>")


def _examples(examples: Sequence[str]) -> str:
    return '<span class="examples">' + "<br>".join(escape(x) for x in examples) + "</span>"


def _code(entry_id: str | None) -> str:
    return f"<code>{escape(entry_id)}</code>" if entry_id else ""


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "\u2013"


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


# ---------------------------------------------------------------------- charts
def _svg(chart_id: str, width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _legend(decisions: Iterable[str]) -> str:
    items = "".join(f'<li class="{escape(d)}">{escape(d)}</li>' for d in decisions)
    return f'<ul class="legend">{items}</ul>'


def _no_data(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _per_day_chart(report: Report) -> str:
    days: Sequence[DayCount] = report.per_day
    highest = max((d.total for d in days), default=0)
    if highest == 0:
        return _no_data("No questions in this period.")
    width, height = 760, 240
    left, right, top, bottom = 44, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / len(days)
    bar_w = max(1.0, step * 0.8)
    parts = [
        f'<line class="grid" x1="{left}" y1="{top + plot_h * f:.1f}" x2="{width - right}" '
        f'y2="{top + plot_h * f:.1f}"></line>'
        for f in (0.0, 0.5)
    ]
    parts.append(
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}"></line>'
    )
    for value, f in ((highest, 0.0), (highest / 2, 0.5), (0, 1.0)):
        label = f"{value:g}" if value == int(value) else f"{value:.1f}"
        parts.append(
            f'<text x="{left - 6}" y="{top + plot_h * f + 4:.1f}" text-anchor="end">{label}</text>'
        )
    for index, day in enumerate(days):
        x = left + index * step + (step - bar_w) / 2
        y = float(top + plot_h)
        detail = ", ".join(f"{k} {v}" for k, v in day.decisions.items())
        rects = []
        for decision, count in day.decisions.items():
            if not count:
                continue
            h = plot_h * count / highest
            y -= h
            rects.append(
                f'<rect class="bar bar-{escape(decision)}" x="{x:.2f}" y="{y:.2f}" '
                f'width="{bar_w:.2f}" height="{h:.2f}" '
                f'fill="{COLORS.get(decision, FALLBACK_COLOR)}"></rect>'
            )
        if rects:
            tip = f"{day.day.isoformat()}: {day.total} questions ({detail})"
            parts.append(f"<g><title>{escape(tip)}</title>{''.join(rects)}</g>")
    ticks = sorted({0, len(days) // 2, len(days) - 1})
    for index in ticks:
        x = left + index * step + step / 2
        anchor = "start" if index == 0 and len(days) > 1 else "middle"
        if index == len(days) - 1 and len(days) > 1:
            anchor = "end"
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" text-anchor="{anchor}">'
            f"{days[index].day.isoformat()}</text>"
        )
    chart = _svg("chart-per-day", width, height, "Questions per day", "".join(parts))
    return chart + _legend(days[0].decisions)


def _decision_chart(report: Report) -> str:
    total = report.questions
    if not total:
        return _no_data("No questions in this period.")
    width, row_h, label_w, count_w = 760, 30, 110, 110
    items = list(report.decisions.items())
    height = row_h * len(items) + 8
    bar_max = width - label_w - count_w
    parts = []
    for index, (decision, count) in enumerate(items):
        y = 4 + index * row_h
        parts.append(f'<text x="0" y="{y + 19}">{escape(decision)}</text>')
        if count:
            parts.append(
                f'<rect class="bar bar-{escape(decision)}" x="{label_w}" y="{y + 5}" '
                f'width="{max(2.0, bar_max * count / total):.2f}" height="{row_h - 10}" '
                f'rx="3" fill="{COLORS.get(decision, FALLBACK_COLOR)}">'
                f"<title>{escape(decision)}: {count}</title></rect>"
            )
        parts.append(
            f'<text x="{width}" y="{y + 19}" text-anchor="end">'
            f"{count} ({_percent(count, total)})</text>"
        )
    return _svg("chart-decisions", width, height, "Decision mix", "".join(parts))


def _unanswered_chart(groups: Sequence[QuestionGroup]) -> str:
    shown = list(groups[:CHART_TOPICS])
    if not shown:
        return _no_data("No unanswered questions in this period.")
    width, row_h, label_w, count_w = 760, 28, 330, 50
    height = row_h * len(shown) + 8
    highest = max(g.count for g in shown)
    bar_max = width - label_w - count_w
    parts = []
    for index, group in enumerate(shown):
        y = 4 + index * row_h
        label = group.label
        if len(label) > _LABEL_CHARS:
            label = label[: _LABEL_CHARS - 1].rstrip() + "\u2026"
        tip = f"{group.label}: asked {group.count} times in {group.phrasings} phrasings"
        if group.examples:
            tip += " (e.g. " + "; ".join(group.examples) + ")"
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<text x="0" y="{y + 18}">{escape(label)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 5}" '
            f'width="{max(2.0, bar_max * group.count / highest):.2f}" height="{row_h - 10}" '
            f'rx="3" fill="{COLORS["none"]}"></rect>'
            f'<text x="{width}" y="{y + 18}" text-anchor="end">{group.count}</text></g>'
        )
    return _svg("chart-unanswered", width, height, "Top unanswered topics", "".join(parts))
