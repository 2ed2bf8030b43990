"""The load benchmark runs end to end with tiny counts: every process starts, every reply is
counted, the report has its shape. No figure is judged here (speed is measured, not tested).
"""

from __future__ import annotations

import json

from bench.load.harness import Config, run
from bench.load.report import markdown, targets, to_json

LEVELS = (1, 4)
MESSAGES = 20


async def test_every_bot_answers_every_message_at_every_level() -> None:
    config = Config(
        bots=("faq", "echo", "floor"),
        concurrency=LEVELS,
        messages=MESSAGES,
        echo_messages=MESSAGES,
        rounds=2,
    )

    report = await run(config)

    assert [(bot.bot, [lv.concurrency for lv in bot.levels]) for bot in report.bots] == [
        ("faq", list(LEVELS)),
        ("echo", list(LEVELS)),
        ("floor", list(LEVELS)),
    ]
    for bot in report.bots:
        assert bot.unexpected_calls == 0
        assert bot.connections_opened >= 1
        for level in bot.levels:
            assert (level.messages, level.answered, level.lost, level.http_errors) == (
                MESSAGES,
                MESSAGES,
                0,
                0,
            ), (bot.bot, level.concurrency)
            assert level.throughput > 0
            assert level.latency.p50 <= level.latency.p95 <= level.latency.p99 <= level.latency.max
            assert level.rss_mib > 0
            low, high = level.cpu_ms_range
            assert level.rounds == 2
            assert low <= level.cpu_ms_per_message <= high

    assert [target.name for target in targets(report)] == [
        "throughput vs echo reference (best level of each)",
        "CPU per message (worst level)",
        "p99 latency at concurrency 32",
        "connections to the connector over the run (1 service URL)",
    ]
    table = markdown(report)
    assert sum(line.startswith(("| faq |", "| echo |", "| floor |")) for line in table) == 3 * len(
        LEVELS
    )
    assert "| concurrency | FAQ CPU ms/msg | aiohttp echo (floor) | FAQ above the floor |" in table
    data = json.loads(json.dumps(to_json(report)))
    assert {"config", "bots", "targets", "cores"} <= data.keys()
    assert data["bots"][0]["levels"][0]["latency"].keys() == {"p50", "p95", "p99", "max"}


async def test_a_slow_connector_and_the_pool_size_are_options() -> None:
    config = Config(
        bots=("faq",),
        concurrency=(4,),
        messages=8,
        rounds=1,
        connector_delay_ms=20.0,
        connections=2,
    )

    report = await run(config)

    (faq,) = report.bots
    (level,) = faq.levels
    assert (level.answered, level.lost) == (8, 0)
    assert faq.connections_opened == 2  # four in flight, two connections: the rest queued
    assert (
        "FAQ_CONNECTOR_CONNECTIONS=2; the fake connector answers after 20 ms" in markdown(report)[0]
    )
