"""An in-memory RecordStore for the recorder's tests, with failures to order.

It keeps records by id (as the real stores do, a repeated id is skipped) and remembers every
batch it received. ``fail_next`` makes the next writes raise; ``down`` makes every call raise
until it is cleared; ``gate`` (an :class:`asyncio.Event`) holds writes until it is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from bot.records import EventRecord, QuestionRecord


class StoreDownError(ConnectionError):
    """What the fake raises when told to fail."""


class MemoryStore:
    """A :class:`bot.records.RecordStore` in a dict."""

    def __init__(self) -> None:
        self.question_rows: dict[str, QuestionRecord] = {}
        self.event_rows: dict[str, EventRecord] = {}
        self.batches: list[int] = []
        self.attempts = 0
        self.opened = 0
        self.closed = 0
        self.fail_next = 0
        self.down = False
        self.gate: asyncio.Event | None = None
        self.purged_before: list[datetime] = []

    def _check(self) -> None:
        if self.down:
            raise StoreDownError("store is down")
        if self.fail_next:
            self.fail_next -= 1
            raise StoreDownError("store failed")

    async def open(self) -> None:
        if self.down:
            raise StoreDownError("store is down")
        self.opened += 1

    async def close(self) -> None:
        self.closed += 1

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        self.attempts += 1
        if self.gate is not None:
            await self.gate.wait()
        self._check()
        for question in questions:
            self.question_rows.setdefault(question.id, question)
        for event in events:
            self.event_rows.setdefault(event.id, event)
        self.batches.append(len(questions) + len(events))

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return sorted(
            (q for q in self.question_rows.values() if since is None or q.at >= since),
            key=lambda q: (q.at, q.id),
        )

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        return sorted(
            (e for e in self.event_rows.values() if since is None or e.at >= since),
            key=lambda e: (e.at, e.id),
        )

    async def purge(self, before: datetime) -> int:
        self._check()
        self.purged_before.append(before)
        old_questions = [key for key, q in self.question_rows.items() if q.at < before]
        old_events = [key for key, e in self.event_rows.items() if e.at < before]
        for key in old_questions:
            del self.question_rows[key]
        for key in old_events:
            del self.event_rows[key]
        return len(old_questions) + len(old_events)

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        return (
            [q for q in await self.questions() if q.user == user],
            [e for e in await self.events() if e.user == user],
        )

    async def erase_user(self, user: str) -> int:
        questions, events = await self.export_user(user)
        for question in questions:
            del self.question_rows[question.id]
        for event in events:
            del self.event_rows[event.id]
        return len(questions) + len(events)
