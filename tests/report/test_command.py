"""``python -m bot report`` through :func:`bot.report.command.run_async`, on a real SQLite log."""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.records import EventKind
from bot.report.command import (
    DEFAULT_HTML_OUTPUT,
    EXIT_CONFIG_ERROR,
    EXIT_OK,
    configure,
    parse_since,
    run_async,
)
from bot.settings import Settings
from bot.store_sqlite import SqliteRecordStore
from tests.report.builders import LogBuilder


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot report")
    configure(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
async def settings(tmp_path: Path, data_copy: Path, question_log: LogBuilder) -> Settings:
    """Settings whose SQLite log holds two clarified-then-chosen questions and a miss."""
    for user in ("a", "b"):
        asked = question_log.ask("where to track deployments", user=user)
        question_log.act(EventKind.CHOICE, "manage-engagements", asked)
    question_log.on_day(5)
    question_log.ask("what is the lunch menu today")
    path = tmp_path / "log.sqlite3"
    store = SqliteRecordStore(path)
    await store.open()
    try:
        await store.write(question_log.questions, question_log.events)
    finally:
        await store.close()
    return Settings(FAQ_LOG_PATH=path, FAQ_DATA_DIR=data_copy)


async def test_markdown_goes_to_stdout(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_async(parse(), settings) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("# FAQ bot report\n")
    assert "- Questions: **3** from 3 users" in out
    assert "add 'where to track deployments' as an alternate of `manage-engagements`" in out


async def test_since_leaves_out_older_records(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_async(parse("--since", "2025-03-05"), settings) == EXIT_OK
    out = capsys.readouterr().out
    assert "- Questions: **1** from 1 users" in out
    assert "since 2025-03-05" in out


async def test_csv_to_a_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.csv"
    assert await run_async(parse("--format", "csv", "--output", str(target)), settings) == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert {"section": "choice", "rank": "1", "text": "where to track deployments"}.items() <= (
        rows[[r["section"] for r in rows].index("choice")].items()
    )


async def test_html_defaults_to_a_file(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert await run_async(parse("--format", "html"), settings) == EXIT_OK
    page = (tmp_path / DEFAULT_HTML_OUTPUT).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'id="chart-per-day"' in page


async def test_apply_suggestions_writes_the_copy_and_says_what_it_added(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = settings.FAQ_DATA_DIR / "build-a-successful-practice.yaml"
    before = entries.read_text(encoding="utf-8")
    assert await run_async(parse("--apply-suggestions"), settings) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "added 'where to track deployments' to manage-engagements "
        "(build-a-successful-practice.yaml)"
    )
    assert out[-1] == f"review with: git diff -- {settings.FAQ_DATA_DIR}"
    after = entries.read_text(encoding="utf-8")
    assert len(after) == len(before) + len("      - where to track deployments\n")
    # A second run finds nothing left to suggest: the matcher now answers it.
    assert await run_async(parse("--apply-suggestions"), settings) == EXIT_OK
    assert capsys.readouterr().out == "nothing written\n"


async def test_a_disabled_log_stops_with_status_2(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    off = replace(settings, FAQ_LOG_ENABLED=False)
    assert await run_async(parse(), off) == EXIT_CONFIG_ERROR
    assert "FAQ_LOG_ENABLED=false" in caplog.text


async def test_broken_faq_data_stops_with_status_2(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    (settings.FAQ_DATA_DIR / "synonyms.yaml").write_text("synonyms: [", encoding="utf-8")
    assert await run_async(parse(), settings) == EXIT_CONFIG_ERROR
    assert "synonyms.yaml: YAML syntax error" in caplog.text


def test_since_accepts_days_times_and_relative_days() -> None:
    assert parse_since("2025-03-05") == datetime(2025, 3, 5, tzinfo=UTC)
    assert parse_since("2025-03-05T10:30:00+01:00").utcoffset() is not None
    assert (datetime.now(UTC) - parse_since("7d")).days in (6, 7)
    with pytest.raises(argparse.ArgumentTypeError, match="is not a date"):
        parse_since("last week")


def test_bad_numbers_are_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--min-evidence", "0")
    assert "is not a whole number of at least 1" in capsys.readouterr().err
