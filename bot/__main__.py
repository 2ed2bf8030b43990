"""Local entry point: ``python -m bot`` (what ``make run`` calls).

Serves the same application as ``gunicorn bot.app:make_app`` on ``FAQ_HOST:PORT``
(``localhost:3978`` by default, where the Bot Framework Emulator looks). Invalid settings or
FAQ data are logged as one message listing every problem, and the process exits with
status 2, without a traceback.
"""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from bot.app import StartupError, configure_logging, create_app, prepare
from bot.faq_bot import FaqBot

log = logging.getLogger("bot")

#: Exit status for settings or FAQ data the bot cannot start with.
EXIT_CONFIG_ERROR = 2


def main() -> int:
    """Read the environment, load the FAQ and serve until interrupted.

    Returns:
        The process exit status.
    """
    configure_logging()
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
    app = create_app(settings, FaqBot(matcher))
    web.run_app(app, host=settings.FAQ_HOST, port=settings.PORT, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
