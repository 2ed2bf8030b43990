"""The question log in a SQLite file: the embedded default, for one bot instance.

The standard library's :mod:`sqlite3` runs on one dedicated thread (a single-worker executor
that owns the connection), so the event loop never waits on the disk and no two threads share
the connection. The database is in WAL mode (readers, such as the report, do not block the
writer) with ``synchronous=NORMAL`` (durable across a process crash; a power cut may lose the
last transactions) and a busy timeout, so several processes on one machine (gunicorn workers)
can share the file. A file on a network share (Azure App Service's ``/home``) is not safe
for several instances: use PostgreSQL there.

Schema changes are :data:`MIGRATIONS`, applied in order inside one transaction each, with the
version kept in ``schema_version``; a database newer than the code is refused.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.records import (
    EventRecord,
    QuestionRecord,
    SchemaError,
    event_from_row,
    event_row,
    question_from_row,
    question_row,
)

T = TypeVar("T")

#: Each migration is a list of statements; index + 1 is the schema version it produces.
MIGRATIONS: list[list[str]] = [
    [  # 1: questions and events, with the indexes of the report (time) and of GDPR (user)
        """CREATE TABLE questions (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            user_hash TEXT NOT NULL,
            channel TEXT NOT NULL,
            conversation_type TEXT NOT NULL,
            surface TEXT NOT NULL,
            text TEXT NOT NULL,
            decision TEXT NOT NULL,
            entry_id TEXT,
            score REAL,
            runner_up_id TEXT,
            runner_up_score REAL
        )""",
        "CREATE INDEX questions_at ON questions (at)",
        "CREATE INDEX questions_user ON questions (user_hash)",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            at TEXT NOT NULL,
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

_QUESTION_COLUMNS = (
    "id, at, user_hash, channel, conversation_type, surface, text, decision, "
    "entry_id, score, runner_up_id, runner_up_score"
)
_EVENT_COLUMNS = "id, at, user_hash, kind, question_id, entry_id, question_text"


#: Bound values per statement: SQLite's smallest default limit (999, before 3.32).
_MAX_VARIABLES = 999


def _insert(
    db: sqlite3.Connection, table: str, columns: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """``INSERT OR IGNORE`` the rows, as many per statement as SQLite's variable limit allows.

    One multi-row statement runs in C from start to end; ``executemany`` returned to Python
    (and took the interpreter lock back from the event loop's thread) once per row.
    """
    if not rows:
        return
    width = len(rows[0])
    per_statement = max(1, _MAX_VARIABLES // width)
    one = f"({', '.join('?' * width)})"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = ", ".join([one] * len(chunk))
        db.execute(
            f"INSERT OR IGNORE INTO {table} ({columns}) VALUES {values}",
            [value for row in chunk for value in row],
        )


class SqliteRecordStore:
    """:class:`~bot.records.RecordStore` on a SQLite file.

    Args:
        path: The database file; its folder is created if missing.
        migrations: The schema history (tests pass a prefix to build an older database).
    """

    def __init__(self, path: Path, *, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> None:
        self.path = path
        self._migrations = migrations
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"SqliteRecordStore({str(self.path)!r})"

    async def open(self) -> None:
        """Open the file (creating it), switch to WAL, create or migrate the schema."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-log")
        try:
            await self._run(self._open)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection and stop its thread."""
        if self._executor is None:
            return
        await self._run(self._close)
        executor, self._executor = self._executor, None
        executor.shutdown(wait=True)

    async def schema_version(self) -> int:
        """The version of the open database (``len(MIGRATIONS)`` once migrated)."""
        return await self._run(lambda: _version(self._db()))

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        """Insert a batch in one transaction; ids already stored are skipped."""
        question_rows = [question_row(record, _timestamp) for record in questions]
        event_rows = [event_row(record, _timestamp) for record in events]

        def write() -> None:
            with self._db() as db:
                _insert(db, "questions", _QUESTION_COLUMNS, question_rows)
                _insert(db, "events", _EVENT_COLUMNS, event_rows)

        await self._run(write)

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Every question at or after ``since`` (all when ``None``), oldest first."""
        rows = await self._select(f"SELECT {_QUESTION_COLUMNS} FROM questions", since)
        return [question_from_row(row, _datetime) for row in rows]

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        """Every event at or after ``since`` (all when ``None``), oldest first."""
        rows = await self._select(f"SELECT {_EVENT_COLUMNS} FROM events", since)
        return [event_from_row(row, _datetime) for row in rows]

    async def purge(self, before: datetime) -> int:
        """Delete every record older than ``before``; return how many were deleted."""
        cutoff = _timestamp(before)

        def purge() -> int:
            with self._db() as db:
                questions = db.execute("DELETE FROM questions WHERE at < ?", (cutoff,)).rowcount
                events = db.execute("DELETE FROM events WHERE at < ?", (cutoff,)).rowcount
            return int(questions + events)

        return await self._run(purge)

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        """Everything recorded for one hashed user id, oldest first."""

        def export() -> tuple[list[Any], list[Any]]:
            db = self._db()
            questions = db.execute(
                f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE user_hash = ? ORDER BY at, id",
                (user,),
            ).fetchall()
            events = db.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE user_hash = ? ORDER BY at, id",
                (user,),
            ).fetchall()
            return questions, events

        questions, events = await self._run(export)
        return [question_from_row(row, _datetime) for row in questions], [
            event_from_row(row, _datetime) for row in events
        ]

    async def erase_user(self, user: str) -> int:
        """Delete one user's questions, clicks and votes; return how many records.

        Other people's clicks and votes on this user's questions (in a channel) are kept, but
        the copy of the question's text they carry is cleared.
        """

        def erase() -> int:
            with self._db() as db:
                db.execute(
                    "UPDATE events SET question_text = NULL WHERE question_id IN "
                    "(SELECT id FROM questions WHERE user_hash = ?)",
                    (user,),
                )
                events = db.execute("DELETE FROM events WHERE user_hash = ?", (user,)).rowcount
                questions = db.execute(
                    "DELETE FROM questions WHERE user_hash = ?", (user,)
                ).rowcount
            return int(questions + events)

        return await self._run(erase)

    # ------------------------------------------------------------------ the thread's side
    async def _run(self, work: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("the question log store is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def _select(self, query: str, since: datetime | None) -> list[Any]:
        def select() -> list[Any]:
            if since is None:
                return self._db().execute(f"{query} ORDER BY at, id").fetchall()
            return (
                self._db()
                .execute(f"{query} WHERE at >= ? ORDER BY at, id", (_timestamp(since),))
                .fetchall()
            )

        return await self._run(select)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise RuntimeError("the question log store is not open")
        return self._connection

    def _open(self) -> None:
        if self._connection is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=10000")
            _migrate(connection, self._migrations)
            connection.isolation_level = "DEFERRED"  # `with connection:` = one transaction
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _version(db: sqlite3.Connection) -> int:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _migrate(db: sqlite3.Connection, migrations: Sequence[Sequence[str]]) -> None:
    db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
    try:
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        current = _version(db)
        if current > len(migrations):
            raise SchemaError(
                f"the question log has schema version {current}, newer than this bot knows "
                f"({len(migrations)}): upgrade the bot"
            )
        for version, statements in enumerate(migrations[current:], start=current + 1):
            for statement in statements:
                db.execute(statement)
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _timestamp(at: datetime) -> str:
    """UTC, fixed width: text order is time order."""
    if at.tzinfo is None:
        raise ValueError("question log times must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _datetime(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
