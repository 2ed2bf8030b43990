"""Markdown, CSV and HTML renderings of the report: content, escaping, self-containment."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from bot.records import EventKind
from bot.report.analysis import analyze
from bot.report.model import Report
from bot.report.render_csv import COLUMNS, render_csv, safe_cell
from bot.report.render_html import CSS, SCRIPT, content_security_policy, render_html
from bot.report.render_markdown import APPLY_HINT, escape, render_markdown
from intents import TfidfMatcher
from tests.report.builders import LogBuilder

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
ATTACK = '<script>alert("x")</script> | **bold** [link](https://evil.example) =cmd()'


@pytest.fixture
def report(question_log: LogBuilder) -> Report:
    """A small log with every section filled, and a question that attacks every format."""
    for user in ("a", "b"):
        asked = question_log.ask("where to track deployments", user=user)
        question_log.act(EventKind.CHOICE, "manage-engagements", asked)
    answered = question_log.ask("how do I request an SME?")
    question_log.act(EventKind.NOT_HELPFUL, "request-sme", answered)
    question_log.on_day(1)
    question_log.ask("what is the lunch menu today")
    question_log.ask(ATTACK, verbatim=True)
    question_log.ask("hello")
    return analyze(question_log.questions, question_log.events, question_log.matcher, now=NOW)


@pytest.fixture
def empty(faq_matcher: TfidfMatcher) -> Report:
    return analyze([], [], faq_matcher, now=NOW)


class TestMarkdown:
    def test_every_section_is_there(self, report: Report) -> None:
        text = render_markdown(report)
        for heading in (
            "# FAQ bot report",
            "## Summary",
            "## Questions per day",
            "## Top entries",
            "## Top questions",
            "## Unanswered questions, grouped",
            "## Low-confidence questions, grouped",
            '## Most "not helpful" answers',
            '## "Did you mean" choices',
            "## Suggestions",
        ):
            assert f"\n{heading}\n" in f"\n{text}"
        assert "| answer | 1 | 16.7% |" in text
        assert "| 2025-03-04 | 3 | 0 | 0 | 2 | 1 |" in text
        assert "| where to track deployments | `manage-engagements` | 2 |" in text
        assert (
            "1. add 'where to track deployments' as an alternate of `manage-engagements` "
            "(evidence 2: choice 2; now: clarify manage-engagements)"
        ) in text
        assert APPLY_HINT in text

    def test_user_text_cannot_inject_markup(self, report: Report) -> None:
        text = render_markdown(report)
        assert "<script>" not in text
        assert '&lt;script&gt;alert("x")&lt;/script&gt; \\| \\*\\*bold\\*\\* \\[link\\]' in text
        assert escape("a|b\nc") == "a\\|b c"

    def test_an_empty_report_says_so(self, empty: Report) -> None:
        text = render_markdown(empty)
        assert "No questions or clicks were recorded in this period." in text
        assert "## Top entries" not in text


class TestCsv:
    def test_one_table_with_a_section_column(self, report: Report) -> None:
        rows = list(csv.DictReader(io.StringIO(render_csv(report))))
        assert tuple(rows[0]) == COLUMNS
        sections = {row["section"] for row in rows}
        assert sections == {
            "summary",
            "decision",
            "day",
            "top_entry",
            "top_question",
            "unanswered",
            "low_confidence",
            "not_helpful",
            "choice",
            "suggestion",
        }
        (suggestion,) = [row for row in rows if row["section"] == "suggestion"]
        assert suggestion["text"] == "where to track deployments"
        assert suggestion["entry_id"] == "manage-engagements"
        assert suggestion["count"] == "2"
        assert suggestion["detail"] == "choice=2; now=clarify manage-engagements"
        summary = {row["text"]: row["count"] for row in rows if row["section"] == "summary"}
        assert summary == {"questions": "6", "events": "3", "users": "3"}

    def test_formulas_are_neutralised(self, report: Report) -> None:
        assert safe_cell("=cmd()") == "'=cmd()"
        assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
        assert safe_cell("-1+2") == "'-1+2"
        assert safe_cell("ftop login") == "ftop login"
        for row in csv.reader(io.StringIO(render_csv(report))):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row)

    def test_an_empty_report_has_the_summary_only(self, empty: Report) -> None:
        rows = list(csv.DictReader(io.StringIO(render_csv(empty))))
        assert {row["section"] for row in rows} == {"summary", "decision"}


class TestHtml:
    def test_self_contained(self, report: Report) -> None:
        page = render_html(report)
        # The only URL is the one a user typed, shown as text (never an attribute).
        assert set(re.findall(r"https?://[^\s<)]*", page)) == {"https://evil.example"}
        assert not re.search(r"<(?:link|img|iframe|object|embed)\b", page)
        assert not re.search(r"\b(?:src|href)=", page)
        assert page.count("<script>") == 1
        assert page.count("<style>") == 1

    def test_the_policy_allows_only_the_pages_own_style_and_script(self, report: Report) -> None:
        page = render_html(report)
        policy = content_security_policy()
        assert f'<meta http-equiv="Content-Security-Policy" content="{policy}">' in page
        assert "default-src 'none'" in policy
        assert "unsafe-inline" not in policy
        assert f"<style>{CSS}</style>" in page
        assert f"<script>{SCRIPT}</script>" in page

    def test_user_text_is_escaped_everywhere(self, report: Report) -> None:
        page = render_html(report)
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page

    def test_three_charts_with_bars(self, report: Report) -> None:
        page = render_html(report)
        for chart in ("chart-per-day", "chart-decisions", "chart-unanswered"):
            match = re.search(rf'<svg class="chart" id="{chart}".*?</svg>', page, re.S)
            assert match is not None, chart
            assert 'class="bar' in match.group(0)

    def test_an_empty_report_renders_without_charts(self, empty: Report) -> None:
        page = render_html(empty)
        assert "<svg" not in page
        assert "No questions in this period." in page
