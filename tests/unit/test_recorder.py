"""The recorder: off the reply path, in batches, bounded retries and memory, flushed on close."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.recorder import Recorder, hash_user
from bot.records import EventKind, QuestionRecord, Surface
from intents.hygiene import MAX_QUESTION_CHARS
from tests.memory_store import MemoryStore

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
SALT = "unit-test-salt-0123456789"


def recorder(store: MemoryStore, **options: object) -> Recorder:
    defaults: dict[str, object] = {"salt": SALT, "retry_delay": 0.0, "clock": lambda: NOW}
    return Recorder(store, **{**defaults, **options})  # type: ignore[arg-type]


def ask(rec: Recorder, n: int = 0, *, user: str = "29:user") -> QuestionRecord | None:
    return rec.record_question(
        user_id=user,
        channel="msteams",
        conversation_type="personal",
        surface=Surface.CHAT,
        text=f"question {n}",
        decision="answer",
        entry_id="request-sme",
        score=0.9,
        runner_up_id="ftop-access",
        runner_up_score=0.3,
    )


async def until(condition: Callable[[], bool]) -> None:
    """Wait for the background writer (bounded, so a bug fails instead of hanging)."""
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - polls counters, not an event
            await asyncio.sleep(0.005)


async def test_a_disabled_recorder_keeps_nothing_and_starts_nothing() -> None:
    rec = Recorder.disabled()
    await rec.start()

    assert not rec.enabled
    assert ask(rec) is None
    assert rec.record_event(user_id="u", kind=EventKind.HELPFUL) is None
    await rec.flush()
    await rec.close()
    assert rec.stats().queued == 0


async def test_recording_only_queues_and_flush_writes_it() -> None:
    store = MemoryStore()
    rec = recorder(store)

    question = ask(rec, 1, user="29:ana")
    vote = rec.record_event(
        user_id="29:ana",
        kind=EventKind.HELPFUL,
        question_id=question.id if question else None,
        entry_id="request-sme",
        question_text="question 1",
    )

    assert question is not None
    assert vote is not None
    assert store.attempts == 0  # nothing touched the store on the "reply path"
    assert rec.stats().pending == 2
    await rec.flush()
    assert list(store.question_rows.values()) == [question]
    assert list(store.event_rows.values()) == [vote]
    assert question.user == vote.user == hash_user("29:ana", SALT)
    assert question.at == NOW
    assert len(question.id) == 32
    assert rec.stats().written == 2
    assert rec.stats().pending == 0


async def test_text_is_capped_like_the_matcher_caps_it() -> None:
    store = MemoryStore()
    rec = recorder(store)

    question = rec.record_question(
        user_id="u",
        channel="emulator",
        conversation_type="",
        surface=Surface.CHAT,
        text="x" * 5000,
        decision="none",
    )
    event = rec.record_event(user_id="u", kind=EventKind.CHOICE, question_text="y" * 5000)

    assert question is not None
    assert len(question.text) == MAX_QUESTION_CHARS
    assert event is not None
    assert event.question_text is not None
    assert len(event.question_text) == MAX_QUESTION_CHARS


async def test_records_are_written_in_batches_of_at_most_batch_size() -> None:
    store = MemoryStore()
    rec = recorder(store, batch_size=10)
    for n in range(25):
        ask(rec, n)

    await rec.flush()

    assert store.batches == [10, 10, 5]
    assert rec.stats().batches == 3
    assert rec.stats().largest_batch == 10


async def test_the_writer_writes_a_full_batch_without_waiting_for_the_interval() -> None:
    store = MemoryStore()
    rec = recorder(store, batch_size=5, interval=3600)
    await rec.start()
    for n in range(5):
        ask(rec, n)

    await until(lambda: rec.stats().written == 5)
    await rec.close()


async def test_the_writer_writes_a_partial_batch_after_the_interval() -> None:
    store = MemoryStore()
    rec = recorder(store, batch_size=1000, interval=0.01)
    await rec.start()
    ask(rec)

    await until(lambda: rec.stats().written == 1)
    await rec.close()


async def test_a_failed_batch_is_retried_and_keeps_its_order() -> None:
    store = MemoryStore()
    store.fail_next = 2
    rec = recorder(store, batch_size=3, max_attempts=3)
    asked = [ask(rec, n) for n in range(6)]

    await rec.flush()

    assert list(store.question_rows.values()) == asked
    stats = rec.stats()
    assert (stats.written, stats.failed_writes, stats.dropped) == (6, 2, 0)


async def test_a_batch_failing_every_attempt_is_dropped_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    rec = recorder(store, batch_size=4, max_attempts=2)
    for n in range(4):
        ask(rec, n)
    store.fail_next = 2

    await rec.flush()

    stats = rec.stats()
    assert (stats.written, stats.failed_writes, stats.dropped, stats.pending) == (0, 2, 4, 0)
    assert "dropped 4 records after 2 failed attempts" in caplog.text
    ask(rec, 5)  # the recorder keeps working afterwards
    await rec.flush()
    assert rec.stats().written == 1


async def test_the_backlog_is_bounded_and_what_it_refuses_is_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    rec = recorder(store, max_backlog=5)

    kept = [ask(rec, n) for n in range(8)]

    assert rec.stats().pending == 5
    assert rec.stats().dropped == 3
    assert "backlog full" in caplog.text
    await rec.flush()
    assert list(store.question_rows.values()) == kept[:5]


async def test_a_store_down_at_start_up_does_not_stop_the_bot_and_catches_up() -> None:
    store = MemoryStore()
    store.down = True
    rec = recorder(store, interval=3600, max_attempts=1)
    await rec.start()  # no exception: the bot starts and answers anyway

    ask(rec, 1)
    store.down = False
    await rec.flush()

    assert rec.stats().written == 1
    assert store.opened == 1
    await rec.close()


async def test_close_writes_everything_queued_then_closes_the_store() -> None:
    store = MemoryStore()
    rec = recorder(store, interval=3600)
    await rec.start()
    for n in range(7):
        ask(rec, n)

    await rec.close()

    assert len(store.question_rows) == 7
    assert store.closed == 1


async def test_close_with_the_store_down_gives_up_instead_of_hanging() -> None:
    store = MemoryStore()
    rec = recorder(store, interval=3600, batch_size=2, max_attempts=2)
    await rec.start()
    for n in range(5):
        ask(rec, n)
    store.down = True

    await rec.close()

    stats = rec.stats()
    assert (stats.written, stats.dropped, stats.pending) == (0, 5, 0)
    assert stats.failed_writes == 2  # one batch tried twice, then the rest given up


async def test_retention_is_applied_at_start_up_and_again_a_day_later() -> None:
    store = MemoryStore()
    now = [NOW]
    rec = recorder(store, retention_days=30, interval=0.01, clock=lambda: now[0])

    await rec.start()
    assert store.purged_before == [NOW - timedelta(days=30)]
    now[0] = NOW + timedelta(hours=23)
    await asyncio.sleep(0.05)  # several writer rounds: not due yet
    assert len(store.purged_before) == 1
    now[0] = NOW + timedelta(days=1)
    await until(lambda: len(store.purged_before) == 2)
    await rec.close()

    assert store.purged_before[1] == NOW + timedelta(days=1) - timedelta(days=30)
