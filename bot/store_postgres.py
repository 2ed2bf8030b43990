"""The question log in PostgreSQL: for several bot instances behind one Azure Bot.

A SQLite file cannot be shared safely between machines (App Service instances, containers),
so ``FAQ_DATABASE_URL`` switches the log to PostgreSQL (Azure Database for PostgreSQL, or any
server). :mod:`asyncpg` is fully asynchronous and pooled: a write is one transaction of
pipelined inserts, and the event loop never blocks on the network.

Same tables as :mod:`bot.store_sqlite` (``timestamptz`` and ``double precision`` columns),
same :data:`MIGRATIONS` discipline: each migration runs in a transaction holding an advisory
lock, so instances starting together migrate once. The URL may hold a password: it is never
logged (:func:`redact_url`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.records import (
    EventRecord,
    QuestionRecord,
    SchemaError,
    event_from_row,
    event_row,
    question_from_row,
    question_row,
)

#: Each migration is a list of statements; index + 1 is the schema version it produces.
MIGRATIONS: list[list[str]] = [
    [  # 1: questions and events, with the indexes of the report (time) and of GDPR (user)
        """CREATE TABLE questions (
            id TEXT PRIMARY KEY,
            at TIMESTAMPTZ NOT NULL,
            user_hash TEXT NOT NULL,
            channel TEXT NOT NULL,
            conversation_type TEXT NOT NULL,
            surface TEXT NOT NULL,
            text TEXT NOT NULL,
            decision TEXT NOT NULL,
            entry_id TEXT,
            score DOUBLE PRECISION,
            runner_up_id TEXT,
            runner_up_score DOUBLE PRECISION
        )""",
        "CREATE INDEX questions_at ON questions (at)",
        "CREATE INDEX questions_user ON questions (user_hash)",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            at TIMESTAMPTZ NOT NULL,
            user_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            question_id TEXT,
            entry_id TEXT,
            question_text TEXT
        )""",
        "CREATE INDEX events_at ON events (at)",
        "CREATE INDEX events_user ON events (user_hash)",
    ],
    [  # 2: clicks and votes are joined to their question by the report and by erase-user
        "CREATE INDEX events_question ON events (question_id)",
    ],
]

#: pg_advisory_xact_lock key that serialises migrations across instances ("FAQLOG").
_MIGRATION_LOCK = 0x4641514C4F47
_QUESTION_COLUMNS = (
    "id, at, user_hash, channel, conversation_type, surface, text, decision, "
    "entry_id, score, runner_up_id, runner_up_score"
)
_EVENT_COLUMNS = "id, at, user_hash, kind, question_id, entry_id, question_text"


def redact_url(url: str) -> str:
    """``url`` without its password, for log lines and error messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
    except ValueError:
        return "<unparsable database URL>"


class PostgresRecordStore:
    """:class:`~bot.records.RecordStore` on PostgreSQL through an asyncpg pool.

    Args:
        url: ``postgresql://user:password@host:port/database?sslmode=require``.
        migrations: The schema history (tests pass a prefix to build an older database).
        max_connections: Pool size; the writer needs one, the report or a CLI command another.
    """

    def __init__(
        self,
        url: str,
        *,
        migrations: Sequence[Sequence[str]] = MIGRATIONS,
        max_connections: int = 4,
    ) -> None:
        self._url = url
        self._migrations = migrations
        self._max_connections = max_connections
        self._pool: Any = None

    def __repr__(self) -> str:
        return f"PostgresRecordStore({redact_url(self._url)!r})"

    async def open(self) -> None:
        """Create the pool, then create or migrate the schema."""
        if self._pool is not None:
            return
        try:
            pool = await asyncpg.create_pool(
                self._url, min_size=1, max_size=self._max_connections, command_timeout=30
            )
        except Exception as error:  # asyncpg may echo the DSN: say where, never the password
            raise ConnectionError(
                f"cannot connect to the question log at {redact_url(self._url)}: "
                f"{type(error).__name__}"
            ) from None
        try:
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                await _migrate(connection, self._migrations)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        """Close the pool."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def schema_version(self) -> int:
        """The version of the database (``len(MIGRATIONS)`` once migrated)."""
        async with self._acquire() as connection:
            return await _version(connection)

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        """Insert a batch in one transaction; ids already stored are skipped."""
        async with self._acquire() as connection, connection.transaction():
            if questions:
                await connection.executemany(
                    f"INSERT INTO questions ({_QUESTION_COLUMNS}) VALUES "
                    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                    "ON CONFLICT (id) DO NOTHING",
                    [question_row(record) for record in questions],
                )
            if events:
                await connection.executemany(
                    f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                    "ON CONFLICT (id) DO NOTHING",
                    [event_row(record) for record in events],
                )

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Every question at or after ``since`` (all when ``None``), oldest first."""
        rows = await self._select(f"SELECT {_QUESTION_COLUMNS} FROM questions", since)
        return [question_from_row(row) for row in rows]

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        """Every event at or after ``since`` (all when ``None``), oldest first."""
        rows = await self._select(f"SELECT {_EVENT_COLUMNS} FROM events", since)
        return [event_from_row(row) for row in rows]

    async def purge(self, before: datetime) -> int:
        """Delete every record older than ``before``; return how many were deleted."""
        async with self._acquire() as connection, connection.transaction():
            questions = await connection.execute("DELETE FROM questions WHERE at < $1", before)
            events = await connection.execute("DELETE FROM events WHERE at < $1", before)
        return _count(questions) + _count(events)

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        """Everything recorded for one hashed user id, oldest first."""
        async with self._acquire() as connection:
            questions = await connection.fetch(
                f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE user_hash = $1 ORDER BY at, id",
                user,
            )
            events = await connection.fetch(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE user_hash = $1 ORDER BY at, id", user
            )
        return [question_from_row(row) for row in questions], [
            event_from_row(row) for row in events
        ]

    async def erase_user(self, user: str) -> int:
        """Delete one user's questions, clicks and votes; return how many records.

        Other people's clicks and votes on this user's questions (in a channel) are kept, but
        the copy of the question's text they carry is cleared.
        """
        async with self._acquire() as connection, connection.transaction():
            await connection.execute(
                "UPDATE events SET question_text = NULL WHERE question_id IN "
                "(SELECT id FROM questions WHERE user_hash = $1)",
                user,
            )
            events = await connection.execute("DELETE FROM events WHERE user_hash = $1", user)
            questions = await connection.execute("DELETE FROM questions WHERE user_hash = $1", user)
        return _count(questions) + _count(events)

    # ------------------------------------------------------------------ helpers
    def _acquire(self) -> Any:
        if self._pool is None:
            raise RuntimeError("the question log store is not open")
        return self._pool.acquire()

    async def _select(self, query: str, since: datetime | None) -> list[Any]:
        async with self._acquire() as connection:
            if since is None:
                rows: list[Any] = await connection.fetch(f"{query} ORDER BY at, id")
            else:
                rows = await connection.fetch(f"{query} WHERE at >= $1 ORDER BY at, id", since)
        return rows


async def _version(connection: Any) -> int:
    exists = await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    version = await connection.fetchval("SELECT MAX(version) FROM schema_version")
    return int(version or 0)


async def _migrate(connection: Any, migrations: Sequence[Sequence[str]]) -> None:
    await connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    current = await _version(connection)
    if current > len(migrations):
        raise SchemaError(
            f"the question log has schema version {current}, newer than this bot knows "
            f"({len(migrations)}): upgrade the bot"
        )
    for version, statements in enumerate(migrations[current:], start=current + 1):
        for statement in statements:
            await connection.execute(statement)
        await connection.execute("INSERT INTO schema_version (version) VALUES ($1)", version)


def _count(status: str) -> int:
    """The row count of a command status such as ``DELETE 3``."""
    return int(status.rsplit(" ", 1)[-1])
