"""Through the real endpoint: ask, click a "did you mean" choice, vote, then the report shows it.

The real aiohttp app (auth off) with a recorder writing to a SQLite file, a fake Bot
Connector on 127.0.0.1, the shipped knowledge base (a copy), and then ``python -m bot
report``'s own code (:func:`bot.report.command.run_async`) on the same settings.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.recorder import Recorder
from bot.report.command import EXIT_OK, configure, run_async
from bot.settings import Settings
from bot.store_sqlite import SqliteRecordStore
from intents.build import build_matcher
from tests.activities import card_submit, teams_message
from tests.endpoint.conftest import connector as connector  # the endpoint tests' fake channel
from tests.endpoint.fake_connector import FakeConnector

QUESTION = "Where to track deployments?"
ASKED = "where to track deployments"  # as the report counts it
CHOSEN = "manage-engagements"

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def settings(tmp_path: Path, data_copy: Path) -> Settings:
    return Settings(FAQ_DATA_DIR=data_copy, FAQ_LOG_PATH=tmp_path / "questions.sqlite3")


@pytest.fixture
def bot(settings: Settings) -> FaqBot:
    recorder = Recorder(SqliteRecordStore(settings.FAQ_LOG_PATH))
    return FaqBot(build_matcher(settings.FAQ_DATA_DIR, settings.thresholds), recorder=recorder)


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, settings: Settings, bot: FaqBot) -> Client:
    return await aiohttp_client(create_app(settings, bot))


def buttons(card: Any) -> Iterator[dict[str, Any]]:
    """The ``data`` of every ``Action.Submit`` in a card, anywhere in it."""
    if isinstance(card, dict):
        if card.get("type") == "Action.Submit" and isinstance(card.get("data"), dict):
            yield card["data"]
        for value in card.values():
            yield from buttons(value)
    elif isinstance(card, list):
        for value in card:
            yield from buttons(value)


def report_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure(parser)
    return parser.parse_args(list(argv))


async def test_ask_choose_and_vote_then_the_report_shows_them(
    client: Client,
    connector: FakeConnector,
    bot: FaqBot,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 1. The question gets "did you mean".
    response = await client.post(
        "/api/messages", json=teams_message(QUESTION, service_url=connector.url, id="ask-1")
    )
    assert response.status == 201
    choices = [d for d in buttons(connector.messages[-1].card) if d.get("via") == "choice"]
    assert CHOSEN in [d["id"] for d in choices]
    choice = next(d for d in choices if d["id"] == CHOSEN)

    # 2. The user picks the entry ...
    response = await client.post(
        "/api/messages", json=card_submit(choice, service_url=connector.url, id="click-1")
    )
    assert response.status == 201
    answer = connector.messages[-1].card
    votes = [d for d in buttons(answer) if d.get("action") == "feedback"]
    not_helpful = next(d for d in votes if d["helpful"] is False)

    # 3. ... and votes its answer "not helpful".
    response = await client.post(
        "/api/messages", json=card_submit(not_helpful, service_url=connector.url, id="vote-1")
    )
    assert response.status in (200, 201)
    await bot.recorder.flush()

    # The report, as `python -m bot report --min-evidence 1` prints it.
    assert await run_async(report_args("--min-evidence", "1"), settings) == EXIT_OK
    markdown = capsys.readouterr().out
    assert "- Questions: **1** from 1 users (chat 1)" in markdown
    assert "- Clicks and votes: **2**" in markdown
    assert "| clarify | 1 | 100.0% |" in markdown
    assert f"| {ASKED} | `{CHOSEN}` | 1 |" in markdown  # "did you mean" choices
    assert f"| `{CHOSEN}` | Where do I manage my customer engagements? | 1 | 0 | {ASKED} |" in (
        markdown
    )  # most "not helpful", with the question it answered
    assert f"| {ASKED} | 1 | 1 | {ASKED} | `{CHOSEN}` |" in markdown  # low confidence
    # The choice is evidence, and the "not helpful" vote on the same answer cancels it.
    assert "None: no phrasing was resolved to one entry often enough." in markdown

    assert await run_async(report_args("--format", "csv"), settings) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    sections = {(r["section"], r["text"], r["entry_id"], r["count"]) for r in rows}
    assert ("choice", ASKED, CHOSEN, "1") in sections
    assert ("not_helpful", "Where do I manage my customer engagements?", CHOSEN, "1") in sections


async def test_two_users_choosing_the_same_entry_make_a_suggestion_that_applies(
    client: Client,
    connector: FakeConnector,
    bot: FaqBot,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for user in ("29:user-a", "29:user-b"):
        sender = {"id": user, "name": "Partner", "aadObjectId": None}
        await client.post(
            "/api/messages",
            json=teams_message(
                QUESTION, service_url=connector.url, id=f"ask-{user}", **{"from": sender}
            ),
        )
        choice = next(
            d
            for d in buttons(connector.messages[-1].card)
            if d.get("via") == "choice" and d["id"] == CHOSEN
        )
        await client.post(
            "/api/messages",
            json=card_submit(
                choice, service_url=connector.url, id=f"click-{user}", **{"from": sender}
            ),
        )
    await bot.recorder.flush()

    assert await run_async(report_args(), settings) == EXIT_OK
    markdown = capsys.readouterr().out
    assert "- Questions: **2** from 2 users" in markdown
    assert (
        f"1. add '{ASKED}' as an alternate of `{CHOSEN}` (evidence 2: choice 2; now: clarify"
    ) in markdown

    assert await run_async(report_args("--apply-suggestions"), settings) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[0] == (
        f"added '{ASKED}' to {CHOSEN} (build-a-successful-practice.yaml)"
    )
    best = build_matcher(settings.FAQ_DATA_DIR).match(QUESTION).best
    assert best is not None
    assert best.entry.id == CHOSEN
