"""The benchmark's report: Markdown tables, the issue's targets, and JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.load.generator import ROOT
from bench.load.harness import BotResult, LevelResult, Report

#: The issue's targets for the FAQ bot (single process, same run as the echo reference).
MIN_THROUGHPUT_RATIO = 10.0
MAX_CPU_MS_PER_MESSAGE = 1.0
MAX_P99_MS = 50.0
P99_CONCURRENCY = 32
MAX_CONNECTIONS_PER_SERVICE_URL = 1
SERVICE_URLS = 1


@dataclass(frozen=True, slots=True)
class Target:
    """One target, the measured value, and whether it is met (``None``: not measured)."""

    name: str
    goal: str
    value: str
    met: bool | None


def _bot(report: Report, name: str) -> BotResult | None:
    return next((bot for bot in report.bots if bot.bot == name), None)


def _peak(bot: BotResult) -> LevelResult:
    return max(bot.levels, key=lambda level: level.throughput)


def targets(report: Report) -> list[Target]:
    """The issue's four targets, checked on this report's FAQ bot figures."""
    faq, echo = _bot(report, "faq"), _bot(report, "echo")
    if faq is None or not faq.levels:
        return []
    found = []
    if echo is not None and echo.levels:
        faq_peak, echo_peak = _peak(faq).throughput, _peak(echo).throughput
        ratio = faq_peak / echo_peak if echo_peak else float("inf")
        found.append(
            Target(
                "throughput vs echo reference (best level of each)",
                f">= {MIN_THROUGHPUT_RATIO:g}x",
                f"{ratio:.1f}x ({faq_peak:.0f} vs {echo_peak:.0f} msg/s)",
                ratio >= MIN_THROUGHPUT_RATIO,
            )
        )
    worst = max(faq.levels, key=lambda level: level.cpu_ms_per_message)
    found.append(
        Target(
            "CPU per message (worst level)",
            f"<= {MAX_CPU_MS_PER_MESSAGE:g} ms",
            f"{worst.cpu_ms_per_message:.2f} ms (concurrency {worst.concurrency})",
            worst.cpu_ms_per_message <= MAX_CPU_MS_PER_MESSAGE,
        )
    )
    at = next((lv for lv in faq.levels if lv.concurrency == P99_CONCURRENCY), None)
    found.append(
        Target(
            f"p99 latency at concurrency {P99_CONCURRENCY}",
            f"<= {MAX_P99_MS:g} ms",
            f"{at.latency.p99:.1f} ms" if at else "not run",
            at.latency.p99 <= MAX_P99_MS if at else None,
        )
    )
    processes = max(1, report.config.workers)  # each gunicorn worker has its own clients
    limit = MAX_CONNECTIONS_PER_SERVICE_URL * SERVICE_URLS * processes
    found.append(
        Target(
            "connections to the connector over the run (1 service URL)",
            f"<= {limit}, reused" + (f" ({processes} workers)" if processes > 1 else ""),
            f"{faq.connections_opened} opened, up to "
            f"{max(lv.peak_open_connections for lv in faq.levels)} open at once",
            faq.connections_opened <= limit,
        )
    )
    return found


def _row(level: LevelResult) -> str:
    return (
        f"| {level.bot} | {level.concurrency} | {level.messages:,} | {level.throughput:,.0f} | "
        f"{_cpu(level)} | {level.cpu_percent:.0f}% | "
        f"{level.latency.p50:.1f} | {level.latency.p95:.1f} | {level.latency.p99:.1f} | "
        f"{level.http.p99:.1f} | {level.rss_mib:.0f} | {level.connections_opened:,} | "
        f"{level.lost}{f' ({level.http_errors} HTTP errors)' if level.http_errors else ''} | "
        f"{level.other_cpu_percent:.0f}% |"
    )


def _cpu(level: LevelResult) -> str:
    low, high = level.cpu_ms_range
    spread = f" ({low:.2f}-{high:.2f})" if level.rounds > 1 else ""
    return f"{level.cpu_ms_per_message:.2f}{spread}"


def markdown(report: Report) -> list[str]:
    """The report as Markdown lines: the main table, the ratio table, the targets."""
    config = report.config
    workers = f"gunicorn, {config.workers} workers" if config.workers else "python -m bot"
    if config.connections is not None:
        workers += f", FAQ_CONNECTOR_CONNECTIONS={config.connections}"
    delay = (
        f"; the fake connector answers after {config.connector_delay_ms:g} ms"
        if config.connector_delay_ms
        else ""
    )
    lines = [
        f"{report.cores} cores, Python {report.python}; FAQ bot: {workers}{delay}; "
        f"echo reference: stock CloudAdapter sample; floor: hand-written aiohttp echo; "
        f"{config.rounds} round"
        f"{'s' if config.rounds != 1 else ''} per level",
        "",
        "| bot | concurrency | messages | msg/s | CPU ms/msg | bot CPU | p50 ms | p95 ms | "
        "p99 ms | HTTP p99 ms | RSS MiB | connections opened | lost | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(level) for bot in report.bots for level in bot.levels]
    lines += [
        "",
        "Each row is the level's median round by CPU per message (the levels take turns, "
        "round after round); CPU ms/msg shows the lowest and highest round in brackets, and "
        "lost counts every round. CPU ms/msg and bot CPU: the bot's processes only (100% = one "
        "core busy). Latency: POST sent until the reply reached the fake connector. Other "
        "load: CPU used by other programs on the machine meanwhile (figures are only "
        "comparable when it is near 0%).",
        "",
    ]
    for bot in report.bots:
        levels = bot.levels
        lines.append(
            f"- {bot.bot}: `{bot.command}`; ready in {bot.startup_seconds:.1f} s at "
            f"{bot.idle_rss_mib:.0f} MiB; {bot.connections_opened:,} connections opened to the "
            f"connector over the run (warm-ups included); harness CPU per message: connector "
            f"{_mean([lv.connector_cpu_ms_per_message for lv in levels]):.2f} ms, generator "
            f"{_mean([lv.generator_cpu_ms_per_message for lv in levels]):.2f} ms"
            + (
                f"; {bot.unexpected_calls} unexpected connector calls"
                if bot.unexpected_calls
                else ""
            )
        )
    lines += _beside_faq(
        report,
        "echo",
        "| concurrency | FAQ msg/s | echo msg/s | FAQ / echo |",
        lambda faq, echo: (
            f"{faq.throughput:,.0f} | {echo.throughput:,.0f} | "
            f"{faq.throughput / echo.throughput:.1f}x"
            if echo.throughput
            else None
        ),
    )
    # The floor: what the HTTP path alone costs here; the difference is the bot's own CPU.
    lines += _beside_faq(
        report,
        "floor",
        "| concurrency | FAQ CPU ms/msg | aiohttp echo (floor) | FAQ above the floor |",
        lambda faq, floor: (
            f"{faq.cpu_ms_per_message:.2f} | {floor.cpu_ms_per_message:.2f} | "
            f"{faq.cpu_ms_per_message - floor.cpu_ms_per_message:.2f}"
        ),
    )
    found = targets(report)
    if found:
        lines += ["", "| target (FAQ bot) | goal | measured | met |", "|---|---|---|---|"]
        for target in found:
            met = "n/a" if target.met is None else ("yes" if target.met else "**no**")
            lines.append(f"| {target.name} | {target.goal} | {target.value} | {met} |")
    return lines


def _beside_faq(
    report: Report,
    name: str,
    header: str,
    cells: Callable[[LevelResult, LevelResult], str | None],
) -> list[str]:
    """A table of the FAQ bot beside bot ``name``, one row per level both ran: the
    concurrency, then ``cells(faq level, other level)`` (``None`` leaves the row out)."""
    faq, other = _bot(report, "faq"), _bot(report, name)
    if not (faq and other):
        return []
    lines = ["", header, "|---:|---:|---:|---:|"]
    theirs = {level.concurrency: level for level in other.levels}
    for level in faq.levels:
        them = theirs.get(level.concurrency)
        row = cells(level, them) if them is not None else None
        if row is not None:
            lines.append(f"| {level.concurrency} | {row} |")
    return lines


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, with the targets."""

    def plain(value: Any) -> Any:
        if isinstance(value, Path):  # the repository's own files, without this machine's path
            return value.relative_to(ROOT).as_posix() if value.is_relative_to(ROOT) else str(value)
        return value

    data = dataclasses.asdict(report, dict_factory=lambda items: {k: plain(v) for k, v in items})
    data["targets"] = [dataclasses.asdict(target) for target in targets(report)]
    return data


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
