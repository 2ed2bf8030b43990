"""Command line: ``python -m bot [serve | export-user | erase-user | purge | report]``.

- ``serve`` (also with no command; what ``make run`` calls) serves the same application as
  ``gunicorn bot.app:make_app`` on ``FAQ_HOST:PORT`` (``localhost:3978`` by default, where the
  Bot Framework Emulator looks).
- ``export-user USER_ID`` writes everything the question log holds for one user as JSON;
  ``erase-user USER_ID`` deletes it (GDPR requests). ``USER_ID`` is the user's Microsoft Entra
  object id (a GUID, as the Entra admin center shows it), or the channel's user id where the
  channel sends no Entra id (the Emulator); the command hashes it with ``FAQ_LOG_SALT``, as
  the bot did.
- ``purge`` applies the retention period (``FAQ_LOG_RETENTION_DAYS``) now.
- ``report`` summarises the question log (see ``python -m bot report --help``).

Every command reads the same settings as the bot. Invalid settings or FAQ data are logged as
one message listing every problem, and the process exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import StartupError, configure_logging, create_app, freeze_start_up_heap, prepare
from bot.faq_bot import FaqBot
from bot.recorder import hash_user
from bot.records import RecordStore
from bot.settings import Settings, SettingsError
from bot.stores import create_recorder, describe_store, log_salt, open_store

log = logging.getLogger("bot")

#: Exit status for settings or FAQ data the bot cannot start with.
EXIT_CONFIG_ERROR = 2
#: Exit status when the question log cannot be reached.
EXIT_STORE_ERROR = 1

SERVE, EXPORT_USER, ERASE_USER, PURGE, REPORT = (
    "serve",
    "export-user",
    "erase-user",
    "purge",
    "report",
)


def build_parser(*, with_report: bool = False) -> argparse.ArgumentParser:
    """The command line. ``with_report`` asks the report package for its options.

    The report package is imported only when its command is used, so the other commands
    never depend on it.
    """
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="The FastTrack FAQ bot for Microsoft Teams."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(SERVE, help="serve the bot on FAQ_HOST:PORT (the default command)")
    for name, verb in ((EXPORT_USER, "print as JSON"), (ERASE_USER, "delete")):
        command = commands.add_parser(
            name, help=f"{verb} everything the question log holds for one user"
        )
        command.add_argument(
            "user_id",
            metavar="USER_ID",
            help="the user's Entra object id (or the channel user id where there is none)",
        )
    commands.choices[EXPORT_USER].add_argument(
        "--output", type=Path, help="write the JSON to this file instead of standard output"
    )
    commands.add_parser(PURGE, help="delete records older than FAQ_LOG_RETENTION_DAYS now")
    report = commands.add_parser(REPORT, help="summarise the question log")
    if with_report:
        from bot.report.command import configure  # only for this command

        configure(report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command.

    Args:
        argv: The arguments (``sys.argv[1:]`` when ``None``).

    Returns:
        The process exit status.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(with_report=arguments[:1] == [REPORT]).parse_args(arguments)
    configure_logging()
    if args.command in (None, SERVE):
        return serve()
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        log.critical("%s", StartupError(error.problems))
        return EXIT_CONFIG_ERROR
    configure_logging(settings.log_level)
    if args.command == REPORT:
        from bot.report.command import run  # only for this command

        return run(args, settings)
    return asyncio.run(_question_log_command(args, settings))


def serve() -> int:
    """Read the environment, load the FAQ and serve until interrupted."""
    try:
        settings, matcher = prepare()
    except StartupError as error:
        log.critical("%s", error)
        return EXIT_CONFIG_ERROR
    configure_logging(settings.log_level)
    log.info(
        "FAQ bot: %d entries, listening on http://%s:%d/api/messages",
        len(matcher.entries_),
        settings.FAQ_HOST,
        settings.PORT,
    )
    app = create_app(settings, FaqBot(matcher, recorder=create_recorder(settings)))
    freeze_start_up_heap()
    # No access log (a line per request cost a tenth of a message's CPU): the question log
    # records every question, and gunicorn logs access only when given --access-logfile.
    web.run_app(app, host=settings.FAQ_HOST, port=settings.PORT, print=None, access_log=None)
    return 0


async def _question_log_command(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.FAQ_LOG_SALT:
        log.warning("FAQ_LOG_SALT is empty: using the development salt, as the bot does")
    try:
        store = await open_store(settings)
    except Exception as error:
        log.critical("cannot open the question log (%s): %s", describe_store(settings), error)
        return EXIT_STORE_ERROR
    try:
        if args.command == EXPORT_USER:
            return await export_user(store, args.user_id, settings, args.output)
        if args.command == ERASE_USER:
            return await erase_user(store, args.user_id, settings)
        return await purge(store, settings)
    finally:
        await store.close()


async def export_user(
    store: RecordStore, user_id: str, settings: Settings, output: Path | None
) -> int:
    """Write one user's questions, clicks and votes as JSON (stdout, or ``output``)."""
    user = hash_user(user_id, log_salt(settings))
    if not user:
        log.critical("USER_ID is empty")
        return EXIT_CONFIG_ERROR
    questions, events = await store.export_user(user)
    document = {
        "exported_at": datetime.now(UTC).isoformat(),
        "user_hash": user,
        "questions": [_jsonable(asdict(record)) for record in questions],
        "events": [_jsonable(asdict(record)) for record in events],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
    log.info("exported %d questions and %d events", len(questions), len(events))
    return 0


async def erase_user(store: RecordStore, user_id: str, settings: Settings) -> int:
    """Delete one user's questions, clicks and votes."""
    user = hash_user(user_id, log_salt(settings))
    if not user:
        log.critical("USER_ID is empty")
        return EXIT_CONFIG_ERROR
    erased = await store.erase_user(user)
    log.info("erased %d records of user %s…", erased, user[:12])
    sys.stdout.write(f"{erased}\n")
    return 0


async def purge(store: RecordStore, settings: Settings) -> int:
    """Delete records older than the retention period."""
    days = settings.FAQ_LOG_RETENTION_DAYS
    before = datetime.now(UTC) - timedelta(days=days)
    deleted = await store.purge(before)
    log.info("purged %d records older than %d days", deleted, days)
    sys.stdout.write(f"{deleted}\n")
    return 0


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in record.items()
    }


if __name__ == "__main__":
    sys.exit(main())
