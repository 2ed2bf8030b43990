"""Many conversations at once through the real endpoint: every record stored exactly once.

200 conversations, each sending its messages one after another (as a person does), all at
the same time, against the real app and each real store. Then the app shuts down the way
aiohttp does (``on_cleanup``), which must flush what is still queued. The same load runs
with the store failing for a while (every reply still goes out; the failures are counted
and the records written once it is back) and with the store down for good (every reply
still goes out; what could not be written is counted as dropped); those two use 100 x 3
messages. Speed is measured by ``python -m bench.question_log``, not here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.recorder import Recorder, hash_user
from bot.records import EventRecord, QuestionRecord, RecordStore
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import teams_message
from tests.endpoint.fake_connector import FakeConnector
from tests.storage.conftest import StoreFactory

SALT = "concurrency-test-salt-0123456789"
CONVERSATIONS = 200
MESSAGES = 5
QUESTIONS = ("request sme", "what is the esd", "gdpr", "hello", "pizza recipe")
_ids = itertools.count(1)


class FlakyStore:
    """A real store whose writes fail while ``failing`` is set (the database is down)."""

    def __init__(self, inner: RecordStore) -> None:
        self.inner = inner
        self.failing = False
        self.refused = 0

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        if self.failing:
            self.refused += 1
            raise ConnectionError("the database is down")
        await self.inner.write(questions, events)

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return await self.inner.questions(since)

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        return await self.inner.events(since)

    async def purge(self, before: datetime) -> int:
        return await self.inner.purge(before)

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        return await self.inner.export_user(user)

    async def erase_user(self, user: str) -> int:
        return await self.inner.erase_user(user)


def user_of(conversation: int) -> str:
    return f"00000000-0000-4000-8000-{conversation:012d}"


async def run_conversations(
    recorder: Recorder,
    matcher: TfidfMatcher,
    connector: FakeConnector,
    *,
    conversations: int = CONVERSATIONS,
    messages: int = MESSAGES,
    halfway: asyncio.Event | None = None,
) -> None:
    """Serve the app, run every conversation, then shut the app down (which flushes)."""
    app = create_app(Settings(), FaqBot(matcher, recorder=recorder))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        sent = itertools.count(1)

        async def conversation(number: int) -> None:
            for message in range(messages):
                body = teams_message(
                    f"{QUESTIONS[message % len(QUESTIONS)]} {number} {message}",
                    service_url=connector.url,
                    id=f"activity-{next(_ids)}",
                    conversation={"id": f"a:conversation-{number}", "conversationType": "personal"},
                )
                body["from"] = {"id": f"29:user-{number}", "aadObjectId": user_of(number)}
                response = await client.post("/api/messages", json=body)
                assert response.status == 201, await response.text()
                if next(sent) == conversations * messages // 2 and halfway is not None:
                    halfway.set()

        await asyncio.gather(*(conversation(n) for n in range(conversations)))
    # Leaving the client ran the app's on_cleanup: the recorder is closed and flushed.


def assert_every_question_stored_once(
    stored: list[QuestionRecord], conversations: int = CONVERSATIONS, messages: int = MESSAGES
) -> None:
    expected = {
        (hash_user(user_of(n), SALT), f"{QUESTIONS[m % len(QUESTIONS)]} {n} {m}")
        for n in range(conversations)
        for m in range(messages)
    }
    assert len(stored) == conversations * messages
    assert len({record.id for record in stored}) == len(stored)
    assert {(record.user, record.text) for record in stored} == expected


async def reopened(store_factory: StoreFactory) -> list[QuestionRecord]:
    store = store_factory()
    await store.open()
    return await store.questions()


async def test_concurrent_conversations_are_all_recorded_exactly_once(
    store_factory: StoreFactory,
    matcher: TfidfMatcher,
    connector: FakeConnector,
) -> None:
    recorder = Recorder(store_factory(), salt=SALT, batch_size=100, interval=0.05)

    await run_conversations(recorder, matcher, connector)

    assert len(connector.messages) == CONVERSATIONS * MESSAGES  # every reply delivered
    assert_every_question_stored_once(await reopened(store_factory))
    stats = recorder.stats()
    assert (stats.written, stats.failed_writes, stats.dropped, stats.pending) == (1000, 0, 0, 0)
    assert stats.batches >= 1000 // 100
    assert stats.largest_batch <= 100


async def test_a_store_failing_for_a_while_costs_no_reply_and_no_record(
    store_factory: StoreFactory,
    matcher: TfidfMatcher,
    connector: FakeConnector,
) -> None:
    store = FlakyStore(store_factory())
    recorder = Recorder(
        store, salt=SALT, batch_size=50, interval=0.02, retry_delay=0.01, max_attempts=10_000
    )
    halfway = asyncio.Event()
    store.failing = True

    async def recover() -> None:
        await halfway.wait()
        store.failing = False

    recovery = asyncio.create_task(recover())
    await run_conversations(
        recorder, matcher, connector, halfway=halfway, conversations=100, messages=3
    )
    await recovery

    assert len(connector.messages) == 300
    assert_every_question_stored_once(await reopened(store_factory), 100, 3)
    stats = recorder.stats()
    assert stats.failed_writes == store.refused > 0
    assert (stats.written, stats.dropped) == (300, 0)


async def test_a_store_down_for_good_costs_no_reply_and_is_counted(
    store_factory: StoreFactory,
    matcher: TfidfMatcher,
    connector: FakeConnector,
) -> None:
    store = FlakyStore(store_factory())
    store.failing = True
    recorder = Recorder(
        store,
        salt=SALT,
        batch_size=50,
        interval=0.02,
        retry_delay=0,
        max_attempts=2,
        max_backlog=100,
    )

    await run_conversations(recorder, matcher, connector, conversations=100, messages=3)

    assert len(connector.messages) == 300
    stats = recorder.stats()
    assert (stats.written, stats.dropped, stats.pending) == (0, 300, 0)
    assert stats.failed_writes == store.refused > 0
    assert await reopened(store_factory) == []
