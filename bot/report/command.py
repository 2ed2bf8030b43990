"""``python -m bot report``: read the question log, analyse it, and render or apply it.

``bot/__main__.py`` adds the sub-command with :func:`configure` and calls :func:`run`.

Exit status: 0 done; 1 the question log could not be read; 2 settings, FAQ data or the
question log's configuration stop the command (the message says which).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.records import EventRecord, QuestionRecord
from bot.report.analysis import analyze
from bot.report.apply import apply_suggestions
from bot.report.model import Report, ReportOptions
from bot.report.render_csv import render_csv
from bot.report.render_html import render_html
from bot.report.render_markdown import render_markdown
from bot.settings import Settings
from bot.stores import QuestionLogDisabledError, open_store
from intents.build import build_matcher
from intents.loader import FaqDataError

log = logging.getLogger(__name__)

#: The :class:`ReportOptions` fields the command line sets (``--top N``, ...), with their help.
COUNT_OPTIONS = {
    "top": "rows per table",
    "min_group_size": "hide question groups asked fewer than N times",
    "min_evidence": "times users must resolve a phrasing to one entry before it is suggested",
    "max_grouped": "distinct questions grouped per section (the most frequent; keeps it fast)",
}

#: Output formats and their renderers.
RENDERERS: dict[str, Callable[[Report], str]] = {
    "md": render_markdown,
    "html": render_html,
    "csv": render_csv,
}

#: Where ``--format html`` writes without ``--output`` (a browser needs a file).
DEFAULT_HTML_OUTPUT = Path("faq-report.html")

EXIT_OK = 0
EXIT_LOG_ERROR = 1
EXIT_CONFIG_ERROR = 2

_RELATIVE = re.compile(r"(\d+)d")


def parse_since(value: str) -> datetime:
    """``--since``: ``YYYY-MM-DD`` (that day, UTC), an ISO 8601 instant, or ``Nd`` (N days ago).

    Raises:
        argparse.ArgumentTypeError: For anything else.
    """
    text = value.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        return datetime.now(UTC) - timedelta(days=int(relative.group(1)))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date (YYYY-MM-DD), an ISO 8601 time or a number of days (30d)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return number


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the report's options to ``parser`` (the ``report`` sub-command's parser)."""
    parser.description = (
        "What partners asked and what the FAQ missed: top questions and entries, unanswered "
        "and low-confidence questions grouped by similarity, 'not helpful' answers, 'did you "
        "mean' choices, and alternates to add."
    )
    parser.add_argument(
        "--since",
        type=parse_since,
        metavar="DATE",
        help="only records from this day on (YYYY-MM-DD, UTC), ISO time, or e.g. 30d",
    )
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="md",
        help="md (default), csv (one table with a 'section' column), or html (one file)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help=f"write here; default: stdout for md and csv, {DEFAULT_HTML_OUTPUT} for html",
    )
    parser.add_argument(
        "--apply-suggestions",
        action="store_true",
        help="write the suggested alternates into FAQ_DATA_DIR (review with git diff)",
    )
    defaults = ReportOptions()
    for name, help_text in COUNT_OPTIONS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_positive,
            default=getattr(defaults, name),
            metavar="N",
            help=help_text,
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command from synchronous code (the CLI).

    Returns:
        The exit status.
    """
    return asyncio.run(run_async(args, settings))


async def run_async(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command inside a running event loop (what :func:`run` wraps).

    Returns:
        The exit status.
    """
    try:
        matcher = build_matcher(settings.FAQ_DATA_DIR, settings.thresholds)
    except FaqDataError as error:
        log.critical("%s", error)
        return EXIT_CONFIG_ERROR
    since: datetime | None = args.since
    try:
        questions, events = await read_log(settings, since)
    except QuestionLogDisabledError as error:
        log.critical("cannot report: %s", error)
        return EXIT_CONFIG_ERROR
    except Exception as error:  # the store's driver decides what "unreachable" raises
        log.critical("cannot read the question log: %s", error)
        return EXIT_LOG_ERROR
    options = ReportOptions(**{name: getattr(args, name) for name in COUNT_OPTIONS})
    report = analyze(questions, events, matcher, since=since, options=options)
    log.info(
        "report: %d questions, %d events, %d suggestions",
        report.questions,
        report.events,
        len(report.suggestions),
    )
    if args.apply_suggestions:
        try:
            result = apply_suggestions(
                settings.FAQ_DATA_DIR, report.suggestions, settings.thresholds
            )
        except FaqDataError as error:
            log.critical("%s", error)
            return EXIT_CONFIG_ERROR
        sys.stdout.write("\n".join(result.lines(settings.FAQ_DATA_DIR)) + "\n")
        return EXIT_OK
    text = RENDERERS[args.format](report)
    output: Path | None = args.output
    if output is None and args.format == "html":
        output = DEFAULT_HTML_OUTPUT
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        sys.stdout.write(f"wrote {output}\n")
    return EXIT_OK


async def read_log(
    settings: Settings, since: datetime | None
) -> tuple[list[QuestionRecord], list[EventRecord]]:
    """Every question and event at or after ``since`` from the configured store."""
    store = await open_store(settings)
    try:
        return await store.questions(since), await store.events(since)
    finally:
        await store.close()
