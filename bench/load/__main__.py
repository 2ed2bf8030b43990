"""End-to-end load benchmark: ``python -m bench.load`` (or ``make load``).

Runs, in one go and on this machine:

- a fake Bot Connector (:mod:`bench.load.connector`) in its own process on 127.0.0.1, which
  answers sends and replies, timestamps each reply and counts the TCP connections opened to it;
- the FAQ bot in its own process, started as in production (``python -m bot``, or gunicorn
  with ``--workers N``), authentication off;
- the reference: BotBuilder's stock echo sample on CloudAdapter (:mod:`bench.load.echo_bot`),
  also in its own process;
- the floor: a hand-written aiohttp echo with no botbuilder (:mod:`bench.load.floor_bot`), the
  issue's 0.3 ms figure measured here, so that the FAQ bot's CPU splits into what the HTTP path
  costs on this machine and what the bot adds;
- this process as the load generator: a fixed number of Teams 1:1 messages (the saved
  payload, the development set's questions, unique activity ids) per concurrency level, each
  level after a warm-up at the same concurrency, on kept-alive connections.

Latency runs from the POST until the bot's reply reaches the fake connector (the same
``CLOCK_MONOTONIC`` in both processes); the HTTP column is until the bot's response. CPU per
message is the bot's own processes' ``utime + stime`` from ``/proc`` over the measured phase.
A message without a reply is lost. Nothing here is asserted: figures are printed, with the
issue's targets and whether they are met (exit status 0 either way; 1 if a reply was lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.load.harness import BOTS, QUESTIONS, BenchmarkError, Config, run
from bench.load.report import markdown, to_json

log = logging.getLogger("bench.load")


def _levels(text: str) -> tuple[int, ...]:
    try:
        levels = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}"
        ) from None
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("concurrency levels must be >= 1")
    return levels


def _bots(text: str) -> tuple[str, ...]:
    bots = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [bot for bot in bots if bot not in BOTS]
    if unknown or not bots:
        raise argparse.ArgumentTypeError(f"bots are among {', '.join(BOTS)}: got {text!r}")
    return bots


def _milliseconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of milliseconds: {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def parse(argv: Sequence[str] | None) -> tuple[Config, bool]:
    """The configuration, and whether to write JSON, from the command line."""
    defaults = Config()
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--bots", type=_bots, default=defaults.bots, help="faq,echo,floor (default: all three)"
    )
    parser.add_argument(
        "--concurrency", type=_levels, default=defaults.concurrency, help="default: 1,8,32,128"
    )
    parser.add_argument(
        "--messages", type=_positive, default=defaults.messages, help="per level, FAQ bot"
    )
    parser.add_argument(
        "--echo-messages",
        type=_positive,
        default=defaults.echo_messages,
        help="per level, echo reference (it is slower; same questions)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="per level (default: messages/10, >= 2x concurrency)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run the FAQ bot under gunicorn with N aiohttp workers (default: python -m bot)",
    )
    parser.add_argument(
        "--rounds",
        type=_positive,
        default=defaults.rounds,
        help="measure every level this many times, levels taking turns; report the median "
        "round (default: 3)",
    )
    parser.add_argument(
        "--connector-delay",
        type=_milliseconds,
        default=0.0,
        metavar="MS",
        help="the fake connector answers each send after MS milliseconds (default: 0)",
    )
    parser.add_argument(
        "--connections",
        type=_positive,
        default=None,
        metavar="N",
        help="the FAQ bot's FAQ_CONNECTOR_CONNECTIONS (default: its own default)",
    )
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="evaluation file")
    parser.add_argument("--json", action="store_true", help="write the report as JSON")
    args = parser.parse_args(argv)
    config = Config(
        bots=args.bots,
        concurrency=args.concurrency,
        messages=args.messages,
        echo_messages=args.echo_messages,
        warmup=args.warmup,
        workers=args.workers,
        questions=args.questions,
        rounds=args.rounds,
        connector_delay_ms=args.connector_delay,
        connections=args.connections,
    )
    return config, args.json


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: progress on stderr, the report on stdout."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config, as_json = parse(argv)
    try:
        report = asyncio.run(run(config))
    except BenchmarkError as error:
        log.critical("%s", error)
        return 2
    if as_json:
        sys.stdout.write(json.dumps(to_json(report), indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(markdown(report)) + "\n")
    lost = sum(level.lost for bot in report.bots for level in bot.levels)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
