"""aiohttp wiring: routes, adapter, error handler. Composition happens here and nowhere else.

- :func:`create_app` builds the web application from parts that already exist (tests call it
  with a fitted matcher and ``Settings()``).
- :func:`prepare` reads the settings and loads the FAQ, reporting every problem of both at
  once in one :class:`StartupError`.
- :func:`make_app` is the zero-argument async factory gunicorn's aiohttp worker calls:
  ``gunicorn --worker-class aiohttp.GunicornWebWorker bot.app:make_app``.

Routes: ``POST /api/messages`` (Bot Framework), ``GET /healthz`` (alive) and ``GET /readyz``
(knowledge base loaded, with its size and source date).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from aiohttp import web
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes

from bot.auth import bot_framework_authentication
from bot.cards import error_card
from bot.connector import ConnectorPool, PooledCloudAdapter
from bot.dedup import RecentActivities
from bot.faq_bot import FaqBot
from bot.inbound import MAX_BODY_BYTES, http_response, read_activity
from bot.settings import Settings, SettingsError
from bot.stores import create_recorder
from intents import TfidfMatcher
from intents.build import build_matcher
from intents.loader import FaqDataError

log = logging.getLogger(__name__)

ADAPTER = web.AppKey("adapter", CloudAdapter)
BOT = web.AppKey("bot", FaqBot)
SETTINGS = web.AppKey("settings", Settings)
RECENT = web.AppKey("recent_activities", RecentActivities)

#: gunicorn's exit code for "worker failed to boot": the arbiter stops instead of respawning.
WORKER_BOOT_ERROR = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class StartupError(ValueError):
    """Settings or FAQ data that the bot cannot start with; the message lists every problem.

    Attributes:
        problems: One sentence per problem.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"The FAQ bot cannot start: {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([heading, *(f"- {problem}" for problem in self.problems)]))


# --------------------------------------------------------------------------- routes
async def messages(request: web.Request) -> web.Response:
    """Run one turn for a Bot Framework activity (see :mod:`bot.inbound` for the 4xx answers).

    Answers 201, an invoke's own status and body, 200 with the replies for
    ``deliveryMode: expectReplies``, or 400/401/413/415. A retry of an activity whose turn has
    already started runs no turn and gets 201 (:class:`~bot.dedup.RecentActivities`).
    """
    activity = await read_activity(request)
    auth_header = request.headers.get("Authorization", "")
    bot, recent = request.app[BOT], request.app[RECENT]

    async def turn(turn_context: TurnContext) -> None:  # runs once authenticated
        if _is_retry(turn_context.activity, recent):
            log.info("retry of a %s activity ignored: its turn already ran", activity.type)
            return
        await bot.on_turn(turn_context)

    try:
        invoke_response = await request.app[ADAPTER].process_activity(auth_header, activity, turn)
    except PermissionError:
        raise web.HTTPUnauthorized(text="missing or invalid Bot Framework token") from None
    except Exception:
        log.exception("could not process a %s activity", activity.type)
        raise web.HTTPInternalServerError(text="the bot could not process the activity") from None
    return http_response(invoke_response)


def _is_retry(activity: Activity, recent: RecentActivities) -> bool:
    """Whether this activity's turn already started; invokes always run (they need an answer)."""
    if activity.type == ActivityTypes.invoke or not activity.id:
        return False
    return not recent.first_sighting(activity.conversation.id, activity.id)


async def healthz(request: web.Request) -> web.Response:
    """The process is up and serving."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """The knowledge base is loaded: how many entries, and how current its source is."""
    knowledge = request.app[BOT].knowledge
    if not len(knowledge):
        return web.json_response({"status": "not ready"}, status=503)
    updated = knowledge.last_updated
    ready: dict[str, object] = {
        "status": "ready",
        "entries": len(knowledge),
        "sections": {name: len(items) for name, items in knowledge.sections.items()},
        "source": request.app[BOT].source_title,
        "updated": updated.isoformat() if updated else None,
    }
    recorder = request.app[BOT].recorder
    if recorder.enabled:  # written / failed / dropped counters of the question log
        ready["question_log"] = recorder.stats().as_dict()
    return web.json_response(ready)


async def start_question_log(app: web.Application) -> None:
    """``on_startup``: start the question log's background writer (never fails start-up)."""
    await app[BOT].recorder.start()


async def close_question_log(app: web.Application) -> None:
    """``on_cleanup``, after the last request: write what is queued, close the store."""
    await app[BOT].recorder.close()


async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    """The one safety net of a turn: log it, apologise, keep serving.

    The user sees a short apology and nothing about the cause; only the Emulator, a
    developer's tool, also gets a trace activity with the error text.
    """
    activity = turn_context.activity
    log.error(
        "unhandled error in a %s turn on %s", activity.type, activity.channel_id, exc_info=error
    )
    try:
        await turn_context.send_activity(
            MessageFactory.attachment(CardFactory.adaptive_card(error_card()))
        )
        if activity.channel_id == "emulator":
            await turn_context.send_activity(
                Activity(
                    type=ActivityTypes.trace,
                    timestamp=datetime.now(UTC),
                    name="on_turn_error Trace",
                    label="TurnError",
                    value=f"{type(error).__name__}: {error}",
                    value_type="https://www.botframework.com/schemas/error",
                )
            )
    except Exception:  # the connector itself may be what failed; never raise from here
        log.exception("could not tell the user about the error")


# --------------------------------------------------------------------------- wiring
def create_app(settings: Settings, bot: FaqBot) -> web.Application:
    """Build the web application from already-constructed parts.

    Args:
        settings: Valid settings (their ``APP_*`` fields configure authentication).
        bot: The bot that handles every turn.

    Returns:
        The application, ready for ``web.run_app``, gunicorn or ``aiohttp_client``.
    """
    adapter = PooledCloudAdapter(
        bot_framework_authentication(settings),
        ConnectorPool(connections_per_host=settings.FAQ_CONNECTOR_CONNECTIONS),
    )
    adapter.on_turn_error = on_turn_error
    if not settings.auth_enabled:
        log.warning(
            "MicrosoftAppId is empty: authentication is OFF (Bot Framework Emulator only; "
            "Teams needs an app id)"
        )

    app = web.Application(middlewares=[aiohttp_error_middleware], client_max_size=MAX_BODY_BYTES)
    app[ADAPTER] = adapter
    app[BOT] = bot
    app[SETTINGS] = settings
    app[RECENT] = RecentActivities()
    app.on_cleanup.append(adapter.on_cleanup)  # closes the pooled connector connections
    app.on_startup.append(start_question_log)
    app.on_cleanup.append(close_question_log)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def prepare(environ: Mapping[str, str] | None = None) -> tuple[Settings, TfidfMatcher]:
    """Read the settings and fit the matcher on the FAQ data.

    Args:
        environ: The variables to read (the process environment when ``None``).

    Returns:
        The settings and a fitted matcher.

    Raises:
        StartupError: Listing every settings problem and every FAQ data problem together.
    """
    problems: list[str] = []
    try:
        settings = Settings.from_env() if environ is None else Settings.from_env(environ)
    except SettingsError as error:
        problems += error.problems
        settings = error.fallback  # still good enough to check the FAQ data
    matcher: TfidfMatcher | None = None
    try:
        matcher = build_matcher(settings.FAQ_DATA_DIR, settings.thresholds)
    except FaqDataError as error:
        problems += [f"FAQ data: {problem}" for problem in error.problems]
    if problems or matcher is None:
        raise StartupError(problems)
    return settings, matcher


def freeze_start_up_heap() -> None:
    """Exempt everything start-up built (libraries, FAQ index) from garbage collection.

    Call once the matcher and the app exist. Without it, every full collection walks the
    hundreds of thousands of objects scikit-learn, botbuilder and the index are made of:
    a pause of tens of milliseconds in the middle of some request. Start-up garbage is
    collected first, so it is not kept forever. Young collections then run less often.
    """
    gc.collect()
    gc.freeze()
    # A turn leaves no reference cycles (tests/endpoint/test_connection_reuse.py), so young
    # collections find almost nothing to free: run them every 10,000 allocations, not 700.
    gc.set_threshold(10_000, 10, 10)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Log to stderr at ``level`` unless a host (gunicorn, pytest) already set handlers up."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.getLogger().setLevel(level)


async def make_app() -> web.Application:
    """Zero-argument async factory for gunicorn: read the environment, load the FAQ, wire up.

    Invalid settings or FAQ data are logged as one message (no traceback) and stop the
    worker with gunicorn's boot-error exit code, so gunicorn halts instead of respawning.
    """
    configure_logging()
    try:
        settings, matcher = prepare()
    except StartupError as error:
        log.critical("%s", error)
        raise SystemExit(WORKER_BOOT_ERROR) from None
    configure_logging(settings.log_level)
    log.info("FAQ bot ready: %d entries", len(matcher.entries_))
    app = create_app(settings, FaqBot(matcher, recorder=create_recorder(settings)))
    freeze_start_up_heap()
    return app
