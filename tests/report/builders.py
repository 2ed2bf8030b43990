"""Question-log records for the report's tests, and a small in-memory store.

Records are built through the fitted matcher (:class:`LogBuilder`), so each one carries the
decision, entry and score the bot would have recorded for its text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.records import EventKind, EventRecord, QuestionRecord, Surface
from intents import TfidfMatcher

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass(slots=True)
class LogBuilder:
    """Writes a question log the way the bot would, one step at a time.

    Attributes:
        matcher: Decides each question, as the bot does.
        now: The time of the next record; every record moves it on by a minute.
    """

    matcher: TfidfMatcher
    now: datetime = START
    questions: list[QuestionRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def _tick(self) -> datetime:
        at = self.now
        self.now += timedelta(minutes=1)
        return at

    def ask(
        self,
        text: str,
        *,
        user: str = "user-1",
        surface: Surface = Surface.CHAT,
        verbatim: bool = False,
    ) -> QuestionRecord:
        """A question, decided by the matcher; recorded as matched, or as given (verbatim)."""
        result = self.matcher.match(text)
        ranked = result.candidates or result.matches
        first = ranked[0] if ranked else None
        second = ranked[1] if len(ranked) > 1 else None
        record = QuestionRecord(
            id=f"q{next(self._ids)}",
            at=self._tick(),
            user=user,
            channel="msteams",
            conversation_type="personal",
            surface=surface,
            text=text if verbatim else result.text,
            decision=str(result.decision),
            entry_id=first.entry.id if first else None,
            score=first.score if first else None,
            runner_up_id=second.entry.id if second else None,
            runner_up_score=second.score if second else None,
        )
        self.questions.append(record)
        return record

    def act(
        self,
        kind: EventKind,
        entry_id: str | None,
        question: QuestionRecord | None = None,
        *,
        user: str = "user-1",
        linked: bool = True,
    ) -> EventRecord:
        """A click or vote; ``linked`` False leaves out the question id and text."""
        record = EventRecord(
            id=f"e{next(self._ids)}",
            at=self._tick(),
            user=question.user if question else user,
            kind=kind,
            question_id=question.id if question and linked else None,
            entry_id=entry_id,
            question_text=question.text if question and linked else None,
        )
        self.events.append(record)
        return record

    def on_day(self, day: int) -> None:
        """Move to 09:00 UTC of the ``day``-th day after the start."""
        self.now = START + timedelta(days=day)

    def with_scores(self, record: QuestionRecord, score: float) -> QuestionRecord:
        """Replace ``record`` by a copy with ``score``."""
        updated = replace(record, score=score)
        self.questions[self.questions.index(record)] = updated
        return updated


class MemoryStore:
    """A :class:`~bot.records.RecordStore` in memory, for tests only."""

    def __init__(
        self, questions: Sequence[QuestionRecord] = (), events: Sequence[EventRecord] = ()
    ) -> None:
        self._questions = list(questions)
        self._events = list(events)
        self.opened = False

    async def open(self) -> None:
        self.opened = True

    async def close(self) -> None:
        self.opened = False

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        known = {q.id for q in self._questions} | {e.id for e in self._events}
        self._questions += [q for q in questions if q.id not in known]
        self._events += [e for e in events if e.id not in known]

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return sorted(
            (q for q in self._questions if since is None or q.at >= since), key=lambda q: q.at
        )

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        return sorted(
            (e for e in self._events if since is None or e.at >= since), key=lambda e: e.at
        )

    async def purge(self, before: datetime) -> int:
        count = len(self._questions) + len(self._events)
        self._questions = [q for q in self._questions if q.at >= before]
        self._events = [e for e in self._events if e.at >= before]
        return count - len(self._questions) - len(self._events)

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        return [q for q in self._questions if q.user == user], [
            e for e in self._events if e.user == user
        ]

    async def erase_user(self, user: str) -> int:
        found = await self.export_user(user)
        self._questions = [q for q in self._questions if q.user != user]
        self._events = [e for e in self._events if e.user != user]
        return len(found[0]) + len(found[1])
