"""GDPR commands on a real SQLite log: ``python -m bot export-user / erase-user / purge``."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import EXIT_CONFIG_ERROR, main
from bot.recorder import hash_user
from bot.records import EventKind, EventRecord, QuestionRecord, Surface
from bot.store_sqlite import SqliteRecordStore

SALT = "command-test-salt-0123456789"
ANA = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"  # an Entra object id
BEN = "29:ben-teams-id"
NOW = datetime.now(UTC)


def question(n: int, user: str, *, age: timedelta = timedelta(hours=1)) -> QuestionRecord:
    return QuestionRecord(
        id=f"{n:032x}",
        at=NOW - age,
        user=hash_user(user, SALT),
        channel="msteams",
        conversation_type="personal",
        surface=Surface.CHAT,
        text=f"Ana's question {n}" if user == ANA else f"Ben's question {n}",
        decision="answer",
        entry_id="request-sme",
        score=0.75,
    )


def vote(n: int, user: str, question_id: str) -> EventRecord:
    return EventRecord(
        id=f"e{n:031x}",
        at=NOW,
        user=hash_user(user, SALT),
        kind=EventKind.NOT_HELPFUL,
        question_id=question_id,
        entry_id="request-sme",
        question_text="Ana's question 1",
    )


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite log with Ana's and Ben's records, and the environment pointing at it."""
    path = tmp_path / "question-log.sqlite3"
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "FAQ_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FAQ_LOG_PATH", str(path))
    monkeypatch.setenv("FAQ_LOG_SALT", SALT)
    monkeypatch.setenv("FAQ_LOG_ENABLED", "true")
    monkeypatch.setenv("FAQ_LOG_RETENTION_DAYS", "90")

    async def fill() -> None:
        store = SqliteRecordStore(path)
        await store.open()
        asked = question(1, ANA)
        await store.write(
            [asked, question(2, BEN), question(3, ANA, age=timedelta(days=91))],
            [vote(1, ANA, asked.id), vote(2, BEN, asked.id)],
        )
        await store.close()

    asyncio.run(fill())
    return path


def stored(path: Path) -> tuple[list[QuestionRecord], list[EventRecord]]:
    async def read() -> tuple[list[QuestionRecord], list[EventRecord]]:
        store = SqliteRecordStore(path)
        await store.open()
        try:
            return await store.questions(), await store.events()
        finally:
            await store.close()

    return asyncio.run(read())


def test_export_user_prints_that_users_records_as_json(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-user", ANA.upper()]) == 0  # an admin may paste the GUID in any case

    document = json.loads(capsys.readouterr().out)
    assert document["user_hash"] == hash_user(ANA, SALT)
    assert [q["text"] for q in document["questions"]] == ["Ana's question 3", "Ana's question 1"]
    assert [e["kind"] for e in document["events"]] == ["not_helpful"]
    assert document["questions"][1]["at"] == (NOW - timedelta(hours=1)).isoformat()
    assert "Ben" not in json.dumps(document)


def test_export_user_can_write_a_file(log_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "ana.json"

    assert main(["export-user", ANA, "--output", str(output)]) == 0

    assert len(json.loads(output.read_text(encoding="utf-8"))["questions"]) == 2


def test_erase_user_deletes_that_users_records_only(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["erase-user", ANA]) == 0

    assert capsys.readouterr().out == "3\n"  # two questions and one vote
    questions, events = stored(log_path)
    assert [q.text for q in questions] == ["Ben's question 2"]
    (bens_vote,) = events
    assert bens_vote.user == hash_user(BEN, SALT)
    assert bens_vote.question_text is None  # Ana's words are gone from Ben's vote too
    assert main(["export-user", ANA]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == []


def test_purge_applies_the_retention_period_now(
    log_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["purge"]) == 0

    assert capsys.readouterr().out == "1\n"
    questions, _ = stored(log_path)
    assert "Ana's question 3" not in [q.text for q in questions]


def test_a_different_salt_finds_nothing(
    log_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAQ_LOG_SALT", "some-other-salt-0123456789")

    assert main(["export-user", ANA]) == 0

    assert json.loads(capsys.readouterr().out)["questions"] == []


def test_commands_refuse_bad_settings(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQ_LOG_RETENTION_DAYS", "0")

    assert main(["purge"]) == EXIT_CONFIG_ERROR
    assert len(stored(log_path)[0]) == 3


def test_an_empty_user_id_is_refused(log_path: Path) -> None:
    assert main(["erase-user", "  "]) == EXIT_CONFIG_ERROR
    assert len(stored(log_path)[0]) == 3
