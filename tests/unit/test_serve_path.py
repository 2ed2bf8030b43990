"""The serving process's per-message quiet: no access log, no INFO line per turn, and the
start-up heap frozen out of garbage collection once the app is built."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

import bot.__main__ as command
import bot.app as app_module
from bot.faq_bot import FaqBot
from intents import TfidfMatcher

ROOT = Path(__file__).resolve().parents[2]


def test_freeze_start_up_heap_moves_live_objects_out_of_collection() -> None:
    try:
        app_module.freeze_start_up_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual


def test_serve_runs_without_access_log_after_freezing_the_heap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    served: dict[str, Any] = {}

    def run_app(app: web.Application, **options: Any) -> None:
        calls.append("run_app")
        served.update(options)

    monkeypatch.setenv("FAQ_DATA_DIR", str(ROOT / "faq_data"))
    monkeypatch.setenv("FAQ_LOG_ENABLED", "false")
    monkeypatch.setattr(command, "freeze_start_up_heap", lambda: calls.append("freeze"))
    monkeypatch.setattr(web, "run_app", run_app)

    assert command.serve() == 0

    assert calls == ["freeze", "run_app"]  # frozen once the matcher and the app exist
    assert served["access_log"] is None
    assert served["print"] is None


async def test_make_app_freezes_the_heap_once_built(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen: list[bool] = []
    monkeypatch.setenv("FAQ_DATA_DIR", str(ROOT / "faq_data"))
    monkeypatch.setenv("FAQ_LOG_ENABLED", "false")
    monkeypatch.setattr(app_module, "freeze_start_up_heap", lambda: frozen.append(True))

    app = await app_module.make_app()

    assert isinstance(app, web.Application)
    assert frozen == [True]


@pytest.mark.parametrize(
    "text", ["How do I request a technical expert?", "hello", "what is the weather on mars"]
)
async def test_a_question_turn_logs_nothing_at_info(
    matcher: TfidfMatcher, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    adapter = TestAdapter(FaqBot(matcher).on_turn)
    caplog.set_level(logging.INFO)

    await adapter.send(
        Activity(
            type=ActivityTypes.message,
            text=text,
            from_property=ChannelAccount(id="user"),
            recipient=ChannelAccount(id="bot"),
        )
    )

    assert [r for r in caplog.records if r.name.startswith("bot")] == []
    assert len(adapter.activity_buffer) == 1  # it still answered
