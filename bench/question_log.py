"""Question log benchmark: ``python -m bench.question_log [--postgres-url URL]``.

Prints (nothing is asserted):

1. the cost of recording on the reply path (one ``record_question`` call);
2. raw write throughput of each store per batch size (records/s);
3. the recorder end to end: records queued as fast as possible, written in the background,
   then flushed; records/s, batches and the largest batch;
4. reply latency through the real endpoint (``create_app``, an in-process fake Bot Connector
   on 127.0.0.1, the shipped FAQ): 200 concurrent conversations x 5 messages, with the log
   off, on SQLite, on PostgreSQL, and with the store down. The load generator shares the
   process, so CPU per message (this process, the store's writer thread included) is the
   steadier figure on a busy machine; latency includes queueing behind 200 conversations.

PostgreSQL: ``--postgres-url``, else a throwaway server as the tests start one
(``tests/postgres_server.py``; needs the Debian ``postgresql`` package).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.recorder import Recorder, new_record_id
from bot.records import EventRecord, QuestionRecord, RecordStore, Surface
from bot.settings import DEFAULT_DATA_DIR, Settings
from bot.store_postgres import PostgresRecordStore
from bot.store_sqlite import SqliteRecordStore
from intents import TfidfMatcher
from intents.build import build_matcher
from tests.activities import teams_message
from tests.endpoint.fake_connector import FakeConnector
from tests.postgres_server import postgres_server

log = logging.getLogger("bench.question_log")

SALT = "benchmark-salt-0123456789"
QUESTIONS = (
    "how do I request an SME?",
    "what is the engagement start date",
    "where do I register a customer",
    "who handles GDPR requests",
    "thanks",
)
_databases = itertools.count(1)
_activities = itertools.count(1)


class DownStore:
    """A store whose database is unreachable."""

    async def open(self) -> None:
        raise ConnectionError("down")

    async def close(self) -> None:
        return None

    async def write(
        self, questions: Sequence[QuestionRecord], events: Sequence[EventRecord]
    ) -> None:
        raise ConnectionError("down")

    async def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        raise ConnectionError("down")

    async def events(self, since: datetime | None = None) -> list[EventRecord]:
        raise ConnectionError("down")

    async def purge(self, before: datetime) -> int:
        raise ConnectionError("down")

    async def export_user(self, user: str) -> tuple[list[QuestionRecord], list[EventRecord]]:
        raise ConnectionError("down")

    async def erase_user(self, user: str) -> int:
        raise ConnectionError("down")


def _question(n: int) -> QuestionRecord:
    return QuestionRecord(
        id=new_record_id(),
        at=datetime.now(UTC),
        user=f"{n % 500:064x}",
        channel="msteams",
        conversation_type="personal",
        surface=Surface.CHAT,
        text=QUESTIONS[n % len(QUESTIONS)],
        decision="answer",
        entry_id="request-sme",
        score=0.9,
        runner_up_id="ftop-access",
        runner_up_score=0.3,
    )


async def _postgres_database(server_url: str) -> str:
    name = f"bench_log_{next(_databases)}"
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name}")
        await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


class Stores:
    """Fresh, empty stores of each backend."""

    def __init__(self, folder: Path, postgres_url: str) -> None:
        self.folder = folder
        self.postgres_url = postgres_url
        self._files = itertools.count(1)

    async def new(self, backend: str) -> RecordStore:
        if backend == "sqlite":
            return SqliteRecordStore(self.folder / f"log-{next(self._files)}.sqlite3")
        return PostgresRecordStore(await _postgres_database(self.postgres_url))


def _ask(recorder: Recorder, n: int) -> None:
    """Record question ``n`` as the bot does on the reply path: an answer, one of 500 users."""
    recorder.record_question(
        user_id=f"00000000-0000-4000-8000-{n % 500:012d}",
        channel="msteams",
        conversation_type="personal",
        surface=Surface.CHAT,
        text=QUESTIONS[n % len(QUESTIONS)],
        decision="answer",
        entry_id="request-sme",
        score=0.9,
    )


def reply_path_cost(count: int = 100_000) -> float:
    """Microseconds per ``record_question`` call (hash, id, queue append)."""
    recorder = Recorder(SqliteRecordStore(Path("unused")), salt=SALT, max_backlog=count + 1)
    started = time.perf_counter()
    for n in range(count):
        _ask(recorder, n)
    return (time.perf_counter() - started) / count * 1e6


async def write_throughput(stores: Stores, backend: str, batch: int, total: int) -> float:
    """Records per second written by ``store.write`` in batches of ``batch``."""
    store = await stores.new(backend)
    await store.open()
    records = [_question(n) for n in range(total)]
    started = time.perf_counter()
    for start in range(0, total, batch):
        await store.write(records[start : start + batch], [])
    elapsed = time.perf_counter() - started
    await store.close()
    return total / elapsed


async def recorder_throughput(stores: Stores, backend: str, total: int) -> dict[str, float]:
    """Queue ``total`` records while the writer runs, then flush: records/s and batches."""
    recorder = Recorder(await stores.new(backend), salt=SALT, max_backlog=total + 1)
    await recorder.start()
    started = time.perf_counter()
    for n in range(total):
        _ask(recorder, n)
        if n % 1000 == 999:
            await asyncio.sleep(0)  # as a server does between requests
    await recorder.flush()
    elapsed = time.perf_counter() - started
    stats = recorder.stats()
    await recorder.close()
    return {
        "records_per_s": stats.written / elapsed,
        "batches": stats.batches,
        "mean_batch": stats.written / max(1, stats.batches),
        "largest_batch": stats.largest_batch,
    }


async def reply_latency(
    matcher: TfidfMatcher, recorder: Recorder, conversations: int, messages: int
) -> dict[str, float]:
    """HTTP latency (POST until 201, after the reply reached the connector) per message."""
    fake = FakeConnector()
    connector_server = TestServer(fake.app(), host="127.0.0.1")
    await connector_server.start_server()
    fake.url = str(connector_server.make_url("/"))
    latencies: list[float] = []
    app = create_app(Settings(), FaqBot(matcher, recorder=recorder))
    started = time.perf_counter()
    cpu = time.process_time()
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:

        async def conversation(number: int) -> None:
            for message in range(messages):
                body = teams_message(
                    QUESTIONS[(number + message) % len(QUESTIONS)],
                    service_url=fake.url,
                    id=f"activity-{next(_activities)}",
                )
                body["from"] = {"id": f"29:user-{number}", "aadObjectId": f"user-{number}"}
                sent = time.perf_counter()
                response = await client.post("/api/messages", json=body)
                await response.read()
                latencies.append(time.perf_counter() - sent)

        await asyncio.gather(*(conversation(n) for n in range(conversations)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await connector_server.close()
    latencies.sort()
    stats = recorder.stats()
    return {
        "messages_per_s": len(latencies) / elapsed,
        "cpu_ms": cpu / len(latencies) * 1e3,
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1e3,
        "replies": len(fake.messages),
        "written": stats.written,
        "dropped": stats.dropped,
        "batches": stats.batches,
    }


@contextlib.contextmanager
def _postgres(url: str | None) -> Iterator[str]:
    if url:
        yield url
    else:
        with postgres_server() as started:
            yield started


async def main_async(postgres_url: str, folder: Path, total: int) -> None:
    stores = Stores(folder, postgres_url)
    out = sys.stdout.write
    out(f"reply path: record_question = {reply_path_cost():.1f} us per call\n\n")
    out("| store | batch | records/s |\n|---|---:|---:|\n")
    for backend in ("sqlite", "postgres"):
        for batch in (1, 100, 500):
            count = min(total, 2000) if batch == 1 else total
            rate = await write_throughput(stores, backend, batch, count)
            out(f"| {backend} | {batch} | {rate:,.0f} |\n")
    out("\n| recorder on | records/s | batches | mean batch | largest |\n")
    out("|---|---:|---:|---:|---:|\n")
    for backend in ("sqlite", "postgres"):
        figures = await recorder_throughput(stores, backend, total)
        out(
            f"| {backend} | {figures['records_per_s']:,.0f} | {figures['batches']:.0f} | "
            f"{figures['mean_batch']:.0f} | {figures['largest_batch']:.0f} |\n"
        )
    matcher = build_matcher(DEFAULT_DATA_DIR, Settings().thresholds)
    out(
        "\n| 200 conversations x 5 | msg/s | CPU ms/msg | p50 ms | p99 ms | replies | written |"
        " dropped | batches |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    cases: list[tuple[str, Recorder]] = [
        ("log off", Recorder.disabled()),
        ("SQLite", Recorder(await stores.new("sqlite"), salt=SALT)),
        ("PostgreSQL", Recorder(await stores.new("postgres"), salt=SALT)),
        ("store down", Recorder(DownStore(), salt=SALT, retry_delay=0.05, max_attempts=3)),
    ]
    for name, recorder in cases:
        figures = await reply_latency(matcher, recorder, 200, 5)
        out(
            f"| {name} | {figures['messages_per_s']:.0f} | {figures['cpu_ms']:.2f} | "
            f"{figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {figures['replies']:.0f} | {figures['written']:.0f} | "
            f"{figures['dropped']:.0f} | {figures['batches']:.0f} |\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement and print Markdown tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.question_log")
    parser.add_argument("--postgres-url", help="a server to use (default: start a throwaway one)")
    parser.add_argument("--records", type=int, default=50_000, help="records per measurement")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder, _postgres(args.postgres_url) as url:
        asyncio.run(main_async(url, Path(folder), args.records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
