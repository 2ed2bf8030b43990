"""The question log's writer: records leave the reply path at once and reach the store in batches.

:meth:`Recorder.record_question` and :meth:`Recorder.record_event` are plain synchronous calls:
they stamp, hash and append a record to an in-memory queue and return. A background task
(:meth:`Recorder.start`) writes the queue to the :class:`~bot.records.RecordStore` in batches
(up to ``batch_size`` records, at least every ``interval`` seconds), so a slow or absent
database never delays a reply.

Failure handling, in order:

- a batch that fails to write is retried ``max_attempts`` times with a doubling pause; it
  stays at the front of the queue meanwhile (so records keep their order and a store that
  comes back loses nothing);
- a batch that still fails is dropped, counted and logged;
- the queue holds at most ``max_backlog`` records: past that, new records are dropped,
  counted and logged (memory stays bounded however long the store is down);
- nothing raises into the bot: the counters (:class:`RecorderStats`) say what happened, and
  ``/readyz`` shows them.

:meth:`Recorder.close` (aiohttp ``on_cleanup``, after the last request finished) writes what is
left, then closes the store. The same task applies the retention period: at start-up and then
once a day it deletes records older than ``retention_days``.

Privacy: the user is stored as ``HMAC-SHA256(salt, user id)`` in hex (:func:`hash_user`), never
the id itself. The id hashed is the Microsoft Entra (AAD) object id when the channel sends one
(Teams does, in ``from.aadObjectId``): it is stable across chats and bots and is what an
administrator looks up for a GDPR request. Channels without it (the Emulator) fall back to
the channel's own user id (``from.id``). A GUID is lower-cased first, so an administrator
may type it in any case.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bot.records import EventKind, EventRecord, QuestionRecord, RecordStore, Surface
from intents.hygiene import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

#: The salt used when ``FAQ_LOG_SALT`` is empty and authentication is off (the Emulator).
DEVELOPMENT_SALT = "faq-bot-development-salt-not-for-production"
DEFAULT_BATCH_SIZE = 500
DEFAULT_INTERVAL = 1.0  # seconds between writes when the queue is not full
DEFAULT_MAX_BACKLOG = 50_000  # records held in memory at most (~20 MB)
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_DELAY = 0.5  # seconds before the first retry; doubles up to MAX_RETRY_DELAY
MAX_RETRY_DELAY = 30.0
PURGE_EVERY = timedelta(days=1)
#: A "stats" log line at most this often, and only when something changed.
STATS_LOG_EVERY = 3600.0

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

Record = QuestionRecord | EventRecord


def hash_user(user_id: str | None, salt: str) -> str:
    """The pseudonym stored for a user: HMAC-SHA256 of the id keyed with ``salt``, in hex.

    Args:
        user_id: The Entra object id (preferred) or the channel's user id; ``None`` or an
            empty id gives ``""`` (no user).
        salt: ``FAQ_LOG_SALT``.
    """
    user_id = (user_id or "").strip()
    if not user_id:
        return ""
    if _GUID.fullmatch(user_id):
        user_id = user_id.lower()
    return hmac.new(salt.encode("utf-8"), user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def new_record_id() -> str:
    """A random record id: 128 bits in hex (cards carry it, so it stays short)."""
    return secrets.token_hex(16)


def cap_text(text: str) -> str:
    """``text`` cut to the matcher's limit (it already is, for matched questions)."""
    return text if len(text) <= MAX_QUESTION_CHARS else text[:MAX_QUESTION_CHARS]


@dataclass(slots=True)
class RecorderStats:
    """What the recorder has done since it started (records, not batches, unless named).

    Attributes:
        queued: Records accepted into the queue.
        written: Records the store confirmed.
        failed_writes: Batch writes that raised (each retry counts).
        dropped: Records given up: the backlog was full, or a batch failed every attempt.
        batches: Successful batch writes.
        largest_batch: The most records written in one batch.
        pending: Records waiting in the queue now.
        purged: Records deleted by the retention period.
    """

    queued: int = 0
    written: int = 0
    failed_writes: int = 0
    dropped: int = 0
    batches: int = 0
    largest_batch: int = 0
    pending: int = 0
    purged: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON-ready counters."""
        return asdict(self)


class Recorder:
    """Queues question and event records and writes them in the background.

    Args:
        store: Where records go; ``None`` makes a recorder that records nothing
            (:meth:`disabled`), which is what :class:`~bot.faq_bot.FaqBot` uses by default.
        salt: Key of :func:`hash_user`.
        retention_days: Records older than this are purged at start-up and daily.
        batch_size: Most records per write.
        interval: Seconds the writer waits for a batch to fill before writing what it has.
        max_backlog: Most records queued in memory.
        max_attempts: Attempts per batch before it is dropped.
        retry_delay: Seconds before the first retry (doubling each time).
        clock: Current UTC time (tests pass a fixed one).
    """

    def __init__(
        self,
        store: RecordStore | None,
        *,
        salt: str = DEVELOPMENT_SALT,
        retention_days: int = 90,
        batch_size: int = DEFAULT_BATCH_SIZE,
        interval: float = DEFAULT_INTERVAL,
        max_backlog: int = DEFAULT_MAX_BACKLOG,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_delay: float = DEFAULT_RETRY_DELAY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self._salt = salt
        self.retention = timedelta(days=retention_days)
        self.batch_size = max(1, batch_size)
        self.interval = interval
        self.max_backlog = max(1, max_backlog)
        self.max_attempts = max(1, max_attempts)
        self.retry_delay = retry_delay
        self._clock = clock
        self._queue: deque[Record] = deque()
        self._stats = RecorderStats()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one writer at a time: the task, flush() or close()
        self._task: asyncio.Task[None] | None = None
        self._opened = False
        self._closing = False
        self._last_purge: datetime | None = None
        self._last_stats_log = time.monotonic()
        self._logged_stats: dict[str, int] = {}

    @classmethod
    def disabled(cls) -> Recorder:
        """A recorder that keeps nothing (``FAQ_LOG_ENABLED=false``, and the tests' default)."""
        return cls(None)

    @property
    def enabled(self) -> bool:
        """Whether records are kept at all."""
        return self.store is not None

    def stats(self) -> RecorderStats:
        """A snapshot of the counters."""
        snapshot = RecorderStats(**self._stats.as_dict())
        snapshot.pending = len(self._queue)
        return snapshot

    def user_hash(self, user_id: str | None) -> str:
        """:func:`hash_user` with this recorder's salt."""
        return hash_user(user_id, self._salt)

    # ------------------------------------------------------------------ the reply path
    def record_question(
        self,
        *,
        user_id: str | None,
        channel: str,
        conversation_type: str,
        surface: Surface,
        text: str,
        decision: str,
        entry_id: str | None = None,
        score: float | None = None,
        runner_up_id: str | None = None,
        runner_up_score: float | None = None,
    ) -> QuestionRecord | None:
        """Queue one handled question; never blocks and never raises.

        Args:
            user_id: The raw id to hash (see the module docstring for which one).
            channel: ``msteams``, ``emulator``...
            conversation_type: ``personal``, ``groupChat``, ``channel``, or "".
            surface: Chat or compose-box search.
            text: The question as matched; capped here too.
            decision: ``answer``, ``clarify``, ``none`` or ``smalltalk``.
            entry_id: The chosen (or first-ranked) entry.
            score: Its confidence.
            runner_up_id: The second-ranked entry.
            runner_up_score: Its confidence.

        Returns:
            The record queued (its ``id`` goes into the reply's buttons), or ``None`` when
            the recorder is disabled.
        """
        if self.store is None:
            return None
        record = QuestionRecord(
            id=new_record_id(),
            at=self._clock(),
            user=self.user_hash(user_id),
            channel=channel,
            conversation_type=conversation_type,
            surface=surface,
            text=cap_text(text),
            decision=decision,
            entry_id=entry_id,
            score=score,
            runner_up_id=runner_up_id,
            runner_up_score=runner_up_score,
        )
        self._enqueue(record)
        return record

    def record_event(
        self,
        *,
        user_id: str | None,
        kind: EventKind,
        question_id: str | None = None,
        entry_id: str | None = None,
        question_text: str | None = None,
    ) -> EventRecord | None:
        """Queue one click or vote; never blocks and never raises.

        Returns:
            The record queued, or ``None`` when the recorder is disabled.
        """
        if self.store is None:
            return None
        record = EventRecord(
            id=new_record_id(),
            at=self._clock(),
            user=self.user_hash(user_id),
            kind=kind,
            question_id=question_id,
            entry_id=entry_id,
            question_text=cap_text(question_text) if question_text is not None else None,
        )
        self._enqueue(record)
        return record

    def _enqueue(self, record: Record) -> None:
        if len(self._queue) >= self.max_backlog:
            self._stats.dropped += 1
            if self._stats.dropped == 1 or self._stats.dropped % 1000 == 0:
                log.error(
                    "question log backlog full (%d records): dropped %d records so far",
                    self.max_backlog,
                    self._stats.dropped,
                )
            return
        self._queue.append(record)
        self._stats.queued += 1
        if len(self._queue) >= self.batch_size:
            self._wake.set()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Start the background writer (aiohttp ``on_startup``). Never fails on a bad store."""
        if self.store is None or self._task is not None:
            return
        self._closing = False
        await self._open()
        if self._opened:
            await self._purge()
        self._task = asyncio.create_task(self._run(), name="question-log-writer")

    async def flush(self) -> None:
        """Write everything queued so far (retrying, then dropping, as the writer does)."""
        if self.store is None:
            return
        async with self._lock:
            while self._queue:
                if not await self._write_next() and self._closing:
                    self._drop_all("the store is unavailable at shutdown")

    async def close(self) -> None:
        """Stop the writer, write what is left, close the store (aiohttp ``on_cleanup``)."""
        if self.store is None:
            return
        self._closing = True
        if self._task is not None:
            self._wake.set()
            task, self._task = self._task, None
            try:
                await task
            except Exception:  # the loop catches everything; this is belt and braces
                log.exception("question log writer failed")
        await self.flush()
        if self._opened:
            try:
                await self.store.close()
            except Exception:
                log.exception("could not close the question log store")
            self._opened = False
        log.info("question log closed: %s", _format(self.stats().as_dict()))

    # ------------------------------------------------------------------ the writer
    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                async with self._lock:
                    while self._queue and not self._closing:
                        await self._write_next()
                        if len(self._queue) < self.batch_size:
                            break
                if self._opened and self._purge_due():
                    await self._purge()
                self._log_stats()
            except Exception:  # never let the writer die: the bot relies on it silently
                log.exception("question log writer error")

    def _drop_all(self, reason: str) -> None:
        if self._queue:
            self._stats.dropped += len(self._queue)
            log.error("question log: dropped %d records: %s", len(self._queue), reason)
            self._queue.clear()

    async def _write_next(self) -> bool:
        """Write the batch at the front of the queue; retry; drop it if it keeps failing.

        Returns:
            Whether the batch was written.
        """
        assert self.store is not None
        batch = [self._queue[i] for i in range(min(self.batch_size, len(self._queue)))]
        questions = [record for record in batch if isinstance(record, QuestionRecord)]
        events = [record for record in batch if isinstance(record, EventRecord)]
        delay = self.retry_delay
        for attempt in range(1, self.max_attempts + 1):
            try:
                if not self._opened:
                    await self.store.open()
                    self._opened = True
                await self.store.write(questions, events)
            except Exception as error:
                self._stats.failed_writes += 1
                log.warning(
                    "question log: writing %d records failed (attempt %d of %d): %s",
                    len(batch),
                    attempt,
                    self.max_attempts,
                    _describe(error),
                )
                if attempt < self.max_attempts:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_DELAY)
                continue
            self._stats.written += len(batch)
            self._stats.batches += 1
            self._stats.largest_batch = max(self._stats.largest_batch, len(batch))
            written = True
            break
        else:
            written = False
            self._stats.dropped += len(batch)
            log.error(
                "question log: dropped %d records after %d failed attempts (%d dropped so far)",
                len(batch),
                self.max_attempts,
                self._stats.dropped,
            )
        for _ in batch:
            self._queue.popleft()
        return written

    async def _open(self) -> None:
        assert self.store is not None
        try:
            await self.store.open()
        except Exception as error:  # the bot answers anyway; the writer retries per batch
            log.error("question log store unavailable, will retry: %s", _describe(error))
            return
        self._opened = True

    def _purge_due(self) -> bool:
        return self._last_purge is None or self._clock() - self._last_purge >= PURGE_EVERY

    async def _purge(self) -> None:
        assert self.store is not None
        now = self._clock()
        self._last_purge = now
        try:
            deleted = await self.store.purge(now - self.retention)
        except Exception as error:
            log.error("question log: retention purge failed: %s", _describe(error))
            return
        self._stats.purged += deleted
        if deleted:
            log.info(
                "question log: purged %d records older than %d days",
                deleted,
                self.retention.days,
            )

    def _log_stats(self) -> None:
        now = time.monotonic()
        if now - self._last_stats_log < STATS_LOG_EVERY:
            return
        self._last_stats_log = now
        counters = self.stats().as_dict()
        if counters != self._logged_stats:
            self._logged_stats = counters
            log.info("question log: %s", _format(counters))


def _format(counters: dict[str, int]) -> str:
    return " ".join(f"{name}={value}" for name, value in counters.items())


def _describe(error: BaseException) -> str:
    """The error's type and message (stores never put a password in theirs)."""
    return f"{type(error).__name__}: {error}"
