"""What the question log keeps: one row per question handled, one per click or vote.

Plain frozen dataclasses shared by the recorder (which writes them off the reply path), the
stores (SQLite, PostgreSQL) and the report. Nothing here touches I/O.

Privacy: a record never holds a name, an email or a raw channel user id. ``user`` is a salted
hash of the channel's user id (see the recorder), so one user's records can be exported or
erased on request without the log knowing who they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class Surface(StrEnum):
    """Where a question came from."""

    CHAT = "chat"  # a typed message: Teams channel, group chat, 1:1, or the Emulator
    SEARCH = "search"  # the compose-box FAQ search (messaging extension query)


class EventKind(StrEnum):
    """What a user did after a reply."""

    CHOICE = "choice"  # picked an entry from a "did you mean" card
    RELATED = "related"  # opened a related question from an answer card
    TOPIC = "topic"  # opened an entry from the topics / welcome / no-match card
    NONE_OF_THESE = "none_of_these"  # "None of these" on a "did you mean" card
    HELPFUL = "helpful"  # voted the answer helpful
    NOT_HELPFUL = "not_helpful"  # voted the answer not helpful


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """One question the bot handled.

    Attributes:
        id: A random id (hex); cards carry it in their button data so clicks and votes link
            back to the question without server-side state.
        at: When it was handled (UTC, timezone-aware).
        user: Salted hash of the channel's user id ("" when the channel sent none).
        channel: ``msteams``, ``emulator``...
        conversation_type: ``personal``, ``groupChat``, ``channel``, or "" when unknown.
        surface: Chat message or compose-box search.
        text: The question as matched (after mention stripping and hygiene, capped).
        decision: ``answer``, ``clarify``, ``none`` or ``smalltalk``.
        entry_id: The chosen (or first-ranked) entry, if any.
        score: Its confidence in [0, 1].
        runner_up_id: The second-ranked entry, if any.
        runner_up_score: Its confidence.
    """

    id: str
    at: datetime
    user: str
    channel: str
    conversation_type: str
    surface: Surface
    text: str
    decision: str
    entry_id: str | None = None
    score: float | None = None
    runner_up_id: str | None = None
    runner_up_score: float | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One click or vote that followed a reply.

    Attributes:
        id: A random id (hex).
        at: When it happened (UTC, timezone-aware).
        user: Salted hash of the channel's user id.
        kind: What was done.
        question_id: The question this follows, when the card carried it.
        entry_id: The entry clicked or voted on (``None`` for "None of these").
        question_text: The question the clicked or voted card answered, when known (votes and
            "did you mean" choices carry it, so the report can suggest alternates).
    """

    id: str
    at: datetime
    user: str
    kind: EventKind
    question_id: str | None = None
    entry_id: str | None = None
    question_text: str | None = None


class SchemaError(RuntimeError):
    """The question log's database was written by a newer version of the bot."""


def _same(value: Any) -> Any:
    return value


# Rows in the stores' column order (both stores' tables list the fields in declaration order).
# ``at`` converts the timestamp to and from the store's own form (SQLite keeps ISO text).
def question_row(record: QuestionRecord, at: Callable[[datetime], Any] = _same) -> tuple[Any, ...]:
    """The values of a question's columns, in table order."""
    return (
        record.id,
        at(record.at),
        record.user,
        record.channel,
        record.conversation_type,
        str(record.surface),
        record.text,
        record.decision,
        record.entry_id,
        record.score,
        record.runner_up_id,
        record.runner_up_score,
    )


def question_from_row(row: Sequence[Any], at: Callable[[Any], datetime] = _same) -> QuestionRecord:
    """The question a row of :func:`question_row` values holds."""
    return QuestionRecord(
        id=row[0],
        at=at(row[1]),
        user=row[2],
        channel=row[3],
        conversation_type=row[4],
        surface=Surface(row[5]),
        text=row[6],
        decision=row[7],
        entry_id=row[8],
        score=row[9],
        runner_up_id=row[10],
        runner_up_score=row[11],
    )


def event_row(record: EventRecord, at: Callable[[datetime], Any] = _same) -> tuple[Any, ...]:
    """The values of an event's columns, in table order."""
    return (
        record.id,
        at(record.at),
        record.user,
        str(record.kind),
        record.question_id,
        record.entry_id,
        record.question_text,
    )


def event_from_row(row: Sequence[Any], at: Callable[[Any], datetime] = _same) -> EventRecord:
    """The event a row of :func:`event_row` values holds."""
    return EventRecord(
        id=row[0],
        at=at(row[1]),
        user=row[2],
        kind=EventKind(row[3]),
        question_id=row[4],
        entry_id=row[5],
        question_text=row[6],
    )


class RecordStore(Protocol):
    """Durable storage for the question log (SQLite or PostgreSQL)."""

    async def open(self) -> None:
        """Connect, and create or migrate the schema."""

    async def close(self) -> None:
        """Release connections."""

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        """Insert a batch; a record id already stored is skipped (writes are idempotent)."""

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Every question at or after ``since`` (all when ``None``), oldest first."""

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        """Every event at or after ``since`` (all when ``None``), oldest first."""

    async def purge(self, before: datetime) -> int:
        """Delete every record older than ``before``; return how many were deleted."""

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        """Everything recorded for one hashed user id."""

    async def erase_user(self, user: str) -> int:
        """Delete everything recorded for one hashed user id; return how many records."""
