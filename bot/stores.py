"""Which question log store a process uses, chosen from the settings (the one factory).

``FAQ_LOG_ENABLED=false`` records nothing; ``FAQ_DATABASE_URL`` selects PostgreSQL (several
bot instances); otherwise the SQLite file ``FAQ_LOG_PATH`` (one instance, the default).
"""

from __future__ import annotations

import logging

from bot.recorder import DEVELOPMENT_SALT, Recorder
from bot.records import RecordStore
from bot.settings import Settings
from bot.store_postgres import PostgresRecordStore, redact_url
from bot.store_sqlite import SqliteRecordStore

log = logging.getLogger(__name__)


class QuestionLogDisabledError(RuntimeError):
    """A command needs the question log, but ``FAQ_LOG_ENABLED=false``."""


def create_store(settings: Settings) -> RecordStore | None:
    """The store the settings describe, not opened yet; ``None`` when recording is off."""
    if not settings.FAQ_LOG_ENABLED:
        return None
    if settings.FAQ_DATABASE_URL:
        return PostgresRecordStore(settings.FAQ_DATABASE_URL)
    return SqliteRecordStore(settings.FAQ_LOG_PATH)


def describe_store(settings: Settings) -> str:
    """Where the log goes, safe to log (no password)."""
    if not settings.FAQ_LOG_ENABLED:
        return "off (FAQ_LOG_ENABLED=false)"
    if settings.FAQ_DATABASE_URL:
        return f"PostgreSQL {redact_url(settings.FAQ_DATABASE_URL)}"
    return f"SQLite {settings.FAQ_LOG_PATH}"


async def open_store(settings: Settings) -> RecordStore:
    """The configured store, opened (schema created or migrated); the caller closes it.

    Raises:
        QuestionLogDisabledError: When recording is off.
        Exception: Whatever the store raises when it cannot be reached.
    """
    store = create_store(settings)
    if store is None:
        raise QuestionLogDisabledError("the question log is off (FAQ_LOG_ENABLED=false)")
    await store.open()
    return store


def log_salt(settings: Settings) -> str:
    """``FAQ_LOG_SALT``, or the fixed development salt when it is empty (Emulator only).

    Settings validation already refuses an empty salt once ``MicrosoftAppId`` is set.
    """
    return settings.FAQ_LOG_SALT or DEVELOPMENT_SALT


def create_recorder(settings: Settings) -> Recorder:
    """The recorder of a serving process (started by the app's ``on_startup``)."""
    store = create_store(settings)
    if store is None:
        log.info("question log: off")
        return Recorder.disabled()
    if not settings.FAQ_LOG_SALT:
        log.warning(
            "FAQ_LOG_SALT is empty: user ids in the question log are hashed with a fixed "
            "development salt (fine for the Emulator; set FAQ_LOG_SALT in production)"
        )
    log.info(
        "question log: %s, records kept %d days",
        describe_store(settings),
        settings.FAQ_LOG_RETENTION_DAYS,
    )
    return Recorder(store, salt=log_salt(settings), retention_days=settings.FAQ_LOG_RETENTION_DAYS)
