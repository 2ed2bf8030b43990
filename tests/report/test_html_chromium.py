"""The HTML report in a real browser: headless Chromium renders it with no script errors,
draws the three charts, runs none of the scripts hidden in questions, and its own small
script (allowed by hash in the Content-Security-Policy) runs.

Chromium is the Debian package ``chromium`` that ``tests/system/install-packages`` installs;
without it this test FAILS (it does not skip), naming that script.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from bot.records import EventKind
from bot.report.analysis import analyze
from bot.report.render_html import render_html
from tests.report.builders import LogBuilder
from tests.report.chromium import ChromiumMissingError, chromium_page, find_chromium

#: Recorded verbatim, as if the log held them: the report must show them as text.
SCRIPT_IN_QUESTION = "<script>window.__xss = 1</script> who is our PSM"
HANDLER_IN_QUESTION = '<img src=x onerror="window.__xss = 2"> lunch menu'

CHART_BARS = """JSON.stringify({
  charts: document.documentElement.getAttribute("data-charts"),
  perDay: document.querySelectorAll("#chart-per-day rect.bar").length,
  decisions: document.querySelectorAll("#chart-decisions rect.bar").length,
  unanswered: document.querySelectorAll("#chart-unanswered rect.bar").length,
  perDayHeight: document.getElementById("chart-per-day").getBoundingClientRect().height,
  xss: typeof window.__xss,
  images: document.images.length,
  text: document.body.textContent
})"""


def busy_log(question_log: LogBuilder) -> LogBuilder:
    """A week of questions: answers, clarifications, misses, clicks, votes and two attacks."""
    for day in range(7):
        question_log.on_day(day)
        for _ in range(day + 2):
            question_log.ask("how do I request an SME?")
        question_log.ask("where to track deployments")
        question_log.ask("how do I reset my partner center password")
        question_log.ask("forgot partner center password")
        question_log.ask(SCRIPT_IN_QUESTION, verbatim=True)
        question_log.ask(HANDLER_IN_QUESTION, verbatim=True)
        question_log.ask("hello")
    clarify = question_log.ask("where to track deployments")
    question_log.act(EventKind.CHOICE, "manage-engagements", clarify)
    answer = question_log.ask("how do I request an SME?")
    question_log.act(EventKind.NOT_HELPFUL, "request-sme", answer)
    return question_log


async def test_report_renders_in_chromium_with_charts_and_no_script_errors(
    question_log: LogBuilder, tmp_path: Path
) -> None:
    try:
        find_chromium()
    except ChromiumMissingError as error:
        pytest.fail(str(error))
    busy = busy_log(question_log)
    report = analyze(busy.questions, busy.events, busy.matcher)
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")

    async with chromium_page(tmp_path / "profile") as page:
        for domain in ("Page", "Runtime", "Log"):
            await page.send(f"{domain}.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=1200,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        await page.send("Page.navigate", url=page_file.as_uri())
        await page.wait_for("Page.loadEventFired")
        drawn = await page.evaluate(CHART_BARS)
        shot = await page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        (tmp_path / "report.png").write_bytes(base64.b64decode(shot["data"]))
        errors = page.errors()

    assert errors == []
    seen = json.loads(drawn)
    assert seen["charts"] == "3"  # the report's own script ran (its CSP hash is right)
    assert seen["perDay"] >= 7  # at least one bar per day
    assert seen["decisions"] == 4  # answer, clarify, none, smalltalk all occurred
    assert seen["unanswered"] >= 2
    assert seen["perDayHeight"] > 100
    assert seen["xss"] == "undefined"
    assert seen["images"] == 0
    assert "<script>window.__xss = 1</script> who is our psm" in seen["text"]
    assert '<img src=x onerror="window.__xss = 2"> lunch menu' in seen["text"]
