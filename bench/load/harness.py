"""Runs the benchmark: starts the processes, drives each concurrency level, collects figures.

One fake connector process serves every bot; the bots run one after the other, each in its
own process (``python -m bot`` or gunicorn for the FAQ bot, :mod:`bench.load.echo_bot` for
the reference) on a free loopback port, with authentication off. For each concurrency level:
a warm-up at that concurrency, then the measured phase, during which the bot's CPU time
(``utime + stime`` of the bot and its workers) and memory are read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.load import procstat
from bench.load.generator import ROOT, Sent, activities, load_template, send
from intents.evaluation import cases_from
from intents.loader import load_yaml_document

log = logging.getLogger("bench.load")

QUESTIONS = ROOT / "eval" / "dev_questions.yaml"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
#: How long replies may trail the last HTTP response before they count as lost.
REPLY_GRACE = 5.0
BOTS = ("faq", "echo", "floor")


class BenchmarkError(RuntimeError):
    """A process of the benchmark did not start, or stopped answering."""


@dataclass(frozen=True, slots=True)
class Config:
    """What to run.

    Attributes:
        bots: Which bots, in order, among ``faq``, ``echo`` (the stock sample, the reference)
            and ``floor`` (a hand-written aiohttp echo: the cost of the HTTP path alone).
        concurrency: The concurrency levels, in order.
        messages: Measured messages per level for the FAQ bot.
        echo_messages: Measured messages per level for the echo reference (it is slower).
        warmup: Unmeasured messages before each level; ``None``: a tenth of the level's
            messages, at least twice the concurrency.
        workers: 0 runs the FAQ bot as ``python -m bot``; N > 0 as gunicorn with N aiohttp
            workers (as App Service and the container do).
        questions: The evaluation file whose case texts are sent.
        connections: The FAQ bot's ``FAQ_CONNECTOR_CONNECTIONS`` (``None``: its default).
        connector_delay_ms: How long the fake connector takes to answer each send or reply
            (0: at once; the real one takes tens to hundreds of milliseconds).
        rounds: How many times every level is measured, the levels taking turns (1, 8, 32,
            128, 1, 8...); each level reports its median round by CPU per message, so that
            a burst of noise on a shared machine moves the range, not the figure.
    """

    bots: tuple[str, ...] = BOTS
    concurrency: tuple[int, ...] = (1, 8, 32, 128)
    messages: int = 2000
    echo_messages: int = 500
    warmup: int | None = None
    workers: int = 0
    questions: Path = QUESTIONS
    rounds: int = 3
    connector_delay_ms: float = 0.0
    connections: int | None = None

    def messages_for(self, bot: str) -> int:
        """Measured messages per level for ``bot``."""
        return self.echo_messages if bot == "echo" else self.messages

    def warmup_for(self, bot: str, concurrency: int) -> int:
        """Warm-up messages before a level."""
        if self.warmup is not None:
            return self.warmup
        return max(2 * concurrency, self.messages_for(bot) // 10)


@dataclass(frozen=True, slots=True)
class Percentiles:
    """A latency distribution in milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Percentiles:
        """Nearest-rank percentiles of ``seconds``, in ms (zeros when empty)."""
        if not seconds:
            return cls(0.0, 0.0, 0.0, 0.0)
        ordered = sorted(seconds)

        def rank(q: float) -> float:
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1e3

        return cls(rank(0.50), rank(0.95), rank(0.99), ordered[-1] * 1e3)


@dataclass(frozen=True, slots=True)
class LevelResult:
    """The measured phase of one bot at one concurrency.

    Attributes:
        bot: ``faq``, ``echo`` or ``floor``.
        concurrency: Requests in flight at once.
        messages: Messages sent.
        answered: Messages whose reply reached the fake connector.
        lost: Messages without a reply.
        http_errors: POSTs that failed or were not answered 2xx.
        seconds: From the first POST to the last response or reply.
        throughput: Answered messages per second.
        cpu_ms_per_message: The bot's CPU time (all its processes) per message sent.
        cpu_percent: The bot's CPU time over the wall time (100 = one core busy).
        latency: POST sent until the reply arrived at the fake connector.
        http: POST sent until the bot's HTTP response was read.
        rss_mib: The bot's resident memory after the level (workers summed).
        peak_rss_mib: Its high-water mark so far (workers summed).
        connections_opened: New TCP connections from the bot to the connector in the phase.
        peak_open_connections: Most connections to the connector open at once in the phase.
        connector_cpu_ms_per_message: The fake connector's CPU per message (harness cost).
        generator_cpu_ms_per_message: The load generator's CPU per message (harness cost).
        other_cpu_percent: CPU used on the machine by anything else during the phase (other
            programs; 100 = one core): high values make the figures unreliable.
        rounds: How many rounds measured this level (this result is their median).
        cpu_ms_range: The lowest and highest CPU per message over the rounds.
    """

    bot: str
    concurrency: int
    messages: int
    answered: int
    lost: int
    http_errors: int
    seconds: float
    throughput: float
    cpu_ms_per_message: float
    cpu_percent: float
    latency: Percentiles
    http: Percentiles
    rss_mib: float
    peak_rss_mib: float
    connections_opened: int
    peak_open_connections: int
    connector_cpu_ms_per_message: float
    generator_cpu_ms_per_message: float
    other_cpu_percent: float
    rounds: int = 1
    cpu_ms_range: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class BotResult:
    """One bot's run over every level.

    Attributes:
        bot: ``faq``, ``echo`` or ``floor``.
        command: How its process was started.
        startup_seconds: From spawning the process to its first answer.
        idle_rss_mib: Resident memory once ready, before any message.
        connections_opened: Connections it opened to the connector over the whole run,
            warm-ups included (one service URL).
        unexpected_calls: Requests to the connector other than sends and replies.
        levels: One result per concurrency level.
    """

    bot: str
    command: str
    startup_seconds: float
    idle_rss_mib: float
    connections_opened: int
    unexpected_calls: int
    levels: list[LevelResult] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one run measured."""

    config: Config
    cores: int
    python: str
    bots: list[BotResult]


@dataclass(frozen=True, slots=True)
class BotSpec:
    """How to start one bot and know it is ready."""

    name: str
    argv: list[str]
    env: dict[str, str]
    command: str
    ready_path: str
    any_answer_is_ready: bool
    settle_seconds: float = 0.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment(**variables: str) -> dict[str, str]:
    """This environment without any bot or gunicorn settings of its own, plus ``variables``."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("Microsoft", "FAQ_", "GUNICORN")) and key != "PORT"
    }
    return {**kept, **variables}


def bot_spec(
    name: str, port: int, workers: int, log_path: Path, connections: int | None = None
) -> BotSpec:
    """The command line of ``name`` (one of :data:`BOTS`) serving on 127.0.0.1:``port``.

    The FAQ bot records its question log (on, as in production) in ``log_path``: a fresh
    file per run keeps runs comparable and the checkout's ``var/`` out of it. ``connections``
    sets its ``FAQ_CONNECTOR_CONNECTIONS`` (``None``: its default).
    """
    if name in ("echo", "floor"):
        module = f"bench.load.{name}_bot"
        args = ["-m", module, "--host", "127.0.0.1", "--port", str(port)]
        return BotSpec(
            name,
            [sys.executable, *args],
            clean_environment(),
            f"python -m {module} --host 127.0.0.1 --port PORT",
            "/api/messages",
            any_answer_is_ready=True,
        )
    if name != "faq":
        raise ValueError(f"unknown bot {name!r}: expected one of {', '.join(BOTS)}")
    pool = {} if connections is None else {"FAQ_CONNECTOR_CONNECTIONS": str(connections)}
    if workers <= 0:
        return BotSpec(
            name,
            [sys.executable, "-m", "bot"],
            clean_environment(
                PORT=str(port), FAQ_HOST="127.0.0.1", FAQ_LOG_PATH=str(log_path), **pool
            ),
            "PORT=... FAQ_HOST=127.0.0.1 python -m bot",
            "/readyz",
            any_answer_is_ready=False,
        )
    args = [
        *("-m", "gunicorn", "--bind", f"127.0.0.1:{port}"),
        *("--worker-class", "aiohttp.GunicornWebWorker", "--workers", str(workers)),
        "bot.app:make_app",
    ]
    return BotSpec(
        name,
        [sys.executable, *args],
        clean_environment(FAQ_LOG_PATH=str(log_path), **pool),
        " ".join(["python", *args]).replace(str(port), "PORT"),
        "/readyz",
        any_answer_is_ready=False,
        settle_seconds=1.0,
    )


# --------------------------------------------------------------------------- processes
async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


class FakeConnector:
    """The fake connector process (:mod:`bench.load.connector`) and its control client."""

    def __init__(self, process: asyncio.subprocess.Process, service: int, control: int) -> None:
        self.process = process
        self.service_url = f"http://127.0.0.1:{service}/"
        self._stats_url = f"http://127.0.0.1:{control}/stats"
        self._session = aiohttp.ClientSession()

    async def stats(self, *, reset: bool = False) -> dict[str, Any]:
        """The connector's counters and arrival times (then forget them with ``reset``)."""
        params = {"reset": "1"} if reset else {}
        async with self._session.get(self._stats_url, params=params) as response:
            response.raise_for_status()
            stats: dict[str, Any] = await response.json()
            return stats

    async def close(self) -> None:
        """Close the control session."""
        await self._session.close()


@contextlib.asynccontextmanager
async def running_connector(delay_ms: float = 0.0) -> AsyncIterator[FakeConnector]:
    """Start the fake connector process (answering after ``delay_ms``); stop it on exit."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load.connector",
        "--delay",
        str(delay_ms),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            line = (await process.stdout.readline()).decode()
        if not line.startswith("READY "):
            raise BenchmarkError(f"the fake connector did not start: {line!r}")
        service, control = (int(port) for port in line.split()[1:3])
        connector = FakeConnector(process, service, control)
        try:
            yield connector
        finally:
            await connector.close()
    finally:
        await _stop(process)
        await process.stdout.read()


async def _wait_ready(spec: BotSpec, base: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session, asyncio.timeout(STARTUP_TIMEOUT):
        while True:
            if process.returncode is not None:
                raise BenchmarkError(f"{spec.name} bot exited with status {process.returncode}")
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with session.get(base + spec.ready_path) as response:
                    if spec.any_answer_is_ready or response.status == 200:
                        return
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running_bot(spec: BotSpec, port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start a bot's process and wait until it answers; stop it on exit.

    Its stderr (the bot's log) goes to a temporary file, shown if it fails to start.
    """
    with tempfile.TemporaryFile() as stderr:
        process = await asyncio.create_subprocess_exec(
            *spec.argv, cwd=ROOT, env=spec.env, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
        )
        try:
            try:
                await _wait_ready(spec, f"http://127.0.0.1:{port}", process)
            except (BenchmarkError, TimeoutError) as error:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace")[-2000:]
                raise BenchmarkError(f"{spec.name} bot did not start ({error}):\n{tail}") from None
            await asyncio.sleep(spec.settle_seconds)
            yield process
        finally:
            await _stop(process)


# --------------------------------------------------------------------------- measuring
async def _replies(
    connector: FakeConnector, sent: Sequence[Sent]
) -> tuple[dict[str, Any], dict[str, float]]:
    """The connector's stats once every sent message has its reply (or the grace is over)."""
    wanted = {item.activity_id for item in sent}
    deadline = time.monotonic() + REPLY_GRACE
    while True:
        stats = await connector.stats()
        arrivals: dict[str, float] = stats["arrivals"]
        mine = {key: arrivals[key] for key in wanted if key in arrivals}
        if len(mine) == len(wanted) or time.monotonic() > deadline:
            return stats, mine
        await asyncio.sleep(0.1)


async def run_level(
    bot: str,
    url: str,
    pids: Callable[[], list[int]],
    connector: FakeConnector,
    bodies: Callable[[str, int], list[tuple[str, bytes]]],
    *,
    concurrency: int,
    messages: int,
    warmup: int,
    prefix: str | None = None,
) -> LevelResult:
    """Warm up, then measure ``messages`` at ``concurrency``.

    ``prefix`` makes the activity ids unique (one per round).
    """
    prefix = prefix or f"{bot}-c{concurrency}"
    if warmup:
        await send(url, bodies(f"{prefix}-warmup", warmup), concurrency)
    measured = bodies(prefix, messages)
    before = await connector.stats(reset=True)

    group = pids()
    bot_cpu = procstat.cpu_seconds(group)
    connector_cpu = procstat.cpu_seconds([connector.process.pid])
    generator_cpu = time.process_time()
    machine_cpu = procstat.machine_busy_seconds()
    sent = await send(url, measured, concurrency)
    machine_cpu = procstat.machine_busy_seconds() - machine_cpu
    bot_cpu = procstat.cpu_seconds(group) - bot_cpu
    connector_cpu = procstat.cpu_seconds([connector.process.pid]) - connector_cpu
    generator_cpu = time.process_time() - generator_cpu
    other_cpu = max(0.0, machine_cpu - bot_cpu - connector_cpu - generator_cpu)

    after, arrivals = await _replies(connector, sent)
    start = min(item.sent_at for item in sent)
    end = max([item.responded_at for item in sent] + list(arrivals.values()))
    seconds = max(end - start, 1e-9)
    memory = procstat.memory(pids())
    return LevelResult(
        bot=bot,
        concurrency=concurrency,
        messages=messages,
        answered=len(arrivals),
        lost=messages - len(arrivals),
        http_errors=sum(1 for item in sent if not 200 <= item.status < 300),
        seconds=seconds,
        throughput=len(arrivals) / seconds,
        cpu_ms_per_message=bot_cpu * 1e3 / messages,
        cpu_percent=bot_cpu * 100 / seconds,
        latency=Percentiles.of(
            [
                arrivals[item.activity_id] - item.sent_at
                for item in sent
                if item.activity_id in arrivals
            ]
        ),
        http=Percentiles.of([item.responded_at - item.sent_at for item in sent]),
        rss_mib=memory.rss_mib,
        peak_rss_mib=memory.peak_rss_mib,
        connections_opened=after["connections_opened"] - before["connections_opened"],
        peak_open_connections=after["peak_open"],
        connector_cpu_ms_per_message=connector_cpu * 1e3 / messages,
        generator_cpu_ms_per_message=generator_cpu * 1e3 / messages,
        other_cpu_percent=other_cpu * 100 / seconds,
    )


async def run_bot(
    name: str, config: Config, connector: FakeConnector, questions: Sequence[str]
) -> BotResult:
    """Start one bot, run every level against it, stop it (its question log is thrown away)."""
    with tempfile.TemporaryDirectory(prefix="faq-load-") as log_dir:
        log_path = Path(log_dir) / "question-log.sqlite3"
        return await _run_bot(name, config, connector, questions, log_path)


async def _run_bot(
    name: str,
    config: Config,
    connector: FakeConnector,
    questions: Sequence[str],
    log_path: Path,
) -> BotResult:
    port = free_port()
    spec = bot_spec(name, port, config.workers, log_path, config.connections)
    url = f"http://127.0.0.1:{port}/api/messages"
    template = load_template()

    def bodies(prefix: str, count: int) -> list[tuple[str, bytes]]:
        return activities(template, questions, connector.service_url, prefix, count)

    log.info("%s bot: starting %s", name, spec.command)
    before = await connector.stats(reset=True)
    spawned = time.monotonic()
    async with running_bot(spec, port) as process:
        startup = time.monotonic() - spawned
        idle = procstat.memory(procstat.process_group(process.pid))
        measured: dict[int, list[LevelResult]] = {level: [] for level in config.concurrency}
        for round_number in range(1, config.rounds + 1):
            for concurrency in config.concurrency:
                messages = config.messages_for(name)
                log.info(
                    "%s bot: %d messages at concurrency %d (round %d of %d)",
                    name,
                    messages,
                    concurrency,
                    round_number,
                    config.rounds,
                )
                measured[concurrency].append(
                    await run_level(
                        name,
                        url,
                        lambda: procstat.process_group(process.pid),
                        connector,
                        bodies,
                        concurrency=concurrency,
                        messages=messages,
                        warmup=config.warmup_for(name, concurrency),
                        prefix=f"{name}-r{round_number}-c{concurrency}",
                    )
                )
        levels = [median_round(results) for results in measured.values()]
    after = await connector.stats(reset=True)
    return BotResult(
        bot=name,
        command=spec.command,
        startup_seconds=startup,
        idle_rss_mib=idle.rss_mib,
        connections_opened=after["connections_opened"] - before["connections_opened"],
        unexpected_calls=after["unexpected"] - before["unexpected"],
        levels=levels,
    )


def median_round(results: Sequence[LevelResult]) -> LevelResult:
    """The round whose CPU per message is the median (the lower one of an even count), with
    every round's count of lost messages and the range of CPU per message."""
    ordered = sorted(results, key=lambda result: result.cpu_ms_per_message)
    median = ordered[(len(ordered) - 1) // 2]
    return dataclasses.replace(
        median,
        lost=sum(result.lost for result in results),
        http_errors=sum(result.http_errors for result in results),
        rounds=len(results),
        cpu_ms_range=(ordered[0].cpu_ms_per_message, ordered[-1].cpu_ms_per_message),
    )


def development_questions(path: Path) -> list[str]:
    """The texts of the evaluation cases, in file order."""
    return [case.text for case in cases_from(load_yaml_document(path))]


async def run(config: Config) -> Report:
    """Run the whole benchmark.

    Raises:
        BenchmarkError: A process did not start.
    """
    questions = development_questions(config.questions)
    async with running_connector(config.connector_delay_ms) as connector:
        results = [await run_bot(name, config, connector, questions) for name in config.bots]
    return Report(
        config=config,
        cores=os.cpu_count() or 1,
        python=sys.version.split()[0],
        bots=results,
    )
