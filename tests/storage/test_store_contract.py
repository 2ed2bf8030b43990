"""The RecordStore contract, run against SQLite and a real PostgreSQL server alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.records import (
    EventKind,
    EventRecord,
    QuestionRecord,
    RecordStore,
    SchemaError,
    Surface,
)
from bot.store_postgres import MIGRATIONS as POSTGRES_MIGRATIONS
from bot.store_postgres import PostgresRecordStore
from bot.store_sqlite import MIGRATIONS as SQLITE_MIGRATIONS
from tests.storage.conftest import StoreFactory

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
ANA, BEN = "a" * 64, "b" * 64


def question(n: int, *, user: str = ANA, at: datetime | None = None) -> QuestionRecord:
    return QuestionRecord(
        id=f"q{n:031x}",
        at=at or T0 + timedelta(minutes=n),
        user=user,
        channel="msteams",
        conversation_type="personal",
        surface=Surface.CHAT,
        text=f"how do I request an SME? #{n} — ünïcode",
        decision="answer",
        entry_id="request-sme",
        score=0.8125,
        runner_up_id="ftop-access",
        runner_up_score=0.25,
    )


def event(n: int, *, user: str = ANA, question_id: str | None = None) -> EventRecord:
    return EventRecord(
        id=f"e{n:031x}",
        at=T0 + timedelta(minutes=n, seconds=30),
        user=user,
        kind=EventKind.HELPFUL,
        question_id=question_id,
        entry_id="request-sme",
        question_text="how do I request an SME?",
    )


def migrations(store: RecordStore) -> list[list[str]]:
    return POSTGRES_MIGRATIONS if isinstance(store, PostgresRecordStore) else SQLITE_MIGRATIONS


async def test_open_creates_the_schema_at_the_latest_version(store: RecordStore) -> None:
    assert await store.schema_version() == len(migrations(store))  # type: ignore[attr-defined]
    assert await store.questions() == []
    assert await store.events() == []


async def test_records_round_trip_unchanged(store: RecordStore) -> None:
    sparse = QuestionRecord(
        id="q-sparse",
        at=T0,
        user="",
        channel="emulator",
        conversation_type="",
        surface=Surface.SEARCH,
        text="",
        decision="none",
    )
    click = EventRecord(id="e-none", at=T0, user=ANA, kind=EventKind.NONE_OF_THESE)
    await store.write([question(1), sparse], [event(1, question_id=question(1).id), click])

    assert await store.questions() == [sparse, question(1)]
    assert await store.events() == [click, event(1, question_id=question(1).id)]


async def test_writing_the_same_ids_again_stores_them_once(store: RecordStore) -> None:
    batch = [question(n) for n in range(5)]
    await store.write(batch, [event(1)])
    await store.write(batch[2:], [event(1), event(2)])  # a retried batch overlaps
    await store.write([replace(question(0), text="changed")], [])  # same id: kept as first

    assert await store.questions() == batch
    assert [record.id for record in await store.events()] == [event(1).id, event(2).id]


async def test_since_keeps_records_at_or_after_it_oldest_first(store: RecordStore) -> None:
    await store.write([question(n) for n in (3, 1, 2, 0)], [event(n) for n in (2, 0, 1)])

    assert [q.id for q in await store.questions(since=question(2).at)] == [
        question(2).id,
        question(3).id,
    ]
    assert [e.id for e in await store.events(since=question(1).at)] == [event(1).id, event(2).id]
    # Any timezone means the same instant.
    new_york = question(3).at.astimezone(timezone(timedelta(hours=-5)))
    assert [q.id for q in await store.questions(since=new_york)] == [question(3).id]


async def test_purge_deletes_only_older_records(store: RecordStore) -> None:
    await store.write([question(n) for n in range(4)], [event(n) for n in range(4)])

    deleted = await store.purge(question(2).at)

    assert deleted == 2 + 2  # questions 0, 1 and events 0, 1 (events are 30 s later)
    assert [q.id for q in await store.questions()] == [question(2).id, question(3).id]
    assert [e.id for e in await store.events()] == [event(2).id, event(3).id]
    assert await store.purge(question(0).at) == 0


async def test_export_returns_one_users_records_only(store: RecordStore) -> None:
    await store.write(
        [question(1), question(2, user=BEN), question(3)],
        [event(1), event(2, user=BEN), event(3)],
    )

    questions, events = await store.export_user(ANA)

    assert questions == [question(1), question(3)]
    assert events == [event(1), event(3)]
    assert await store.export_user("c" * 64) == ([], [])


async def test_erase_deletes_one_users_records_and_their_text_elsewhere(
    store: RecordStore,
) -> None:
    asked = question(1)
    others_vote = replace(event(2, user=BEN, question_id=asked.id), question_text=asked.text)
    await store.write([asked, question(2, user=BEN)], [event(1, question_id=asked.id), others_vote])

    erased = await store.erase_user(ANA)

    assert erased == 2
    assert await store.export_user(ANA) == ([], [])
    assert [q.id for q in await store.questions()] == [question(2).id]
    (kept,) = await store.events()
    assert kept == replace(others_vote, question_text=None)  # Ben's vote, without Ana's words
    assert await store.erase_user(ANA) == 0


async def test_an_older_schema_is_migrated_and_keeps_its_records(
    store_factory: StoreFactory,
) -> None:
    old = store_factory(migrations=migrations(store_factory())[:1])
    await old.open()
    assert await old.schema_version() == 1  # type: ignore[attr-defined]
    await old.write([question(1)], [event(1)])
    await old.close()

    current = store_factory()
    await current.open()

    assert await current.schema_version() == len(migrations(current))  # type: ignore[attr-defined]
    assert await current.questions() == [question(1)]
    assert await current.events() == [event(1)]


async def test_reopening_a_current_database_changes_nothing(store_factory: StoreFactory) -> None:
    first = store_factory()
    await first.open()
    await first.write([question(1)], [])
    await first.close()

    again = store_factory()
    await again.open()

    assert await again.schema_version() == len(migrations(again))  # type: ignore[attr-defined]
    assert await again.questions() == [question(1)]


async def test_a_newer_schema_is_refused(store_factory: StoreFactory) -> None:
    newer = store_factory(migrations=[*migrations(store_factory()), ["SELECT 1"]])
    await newer.open()
    await newer.close()

    with pytest.raises(SchemaError, match="newer than this bot knows"):
        await store_factory().open()
