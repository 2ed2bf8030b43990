"""The bot as ``make run`` starts it: ``python -m bot`` in a subprocess, the shipped FAQ data.

One test sends a real HTTP activity and gets the answer card back at the fake connector; the
others check that bad settings stop the process (and gunicorn) with one message and no
traceback, and that importing the bot's modules reads nothing and logs nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from intents.loader import load_faq
from tests.activities import teams_message
from tests.adaptive_cards import assert_valid_card, texts
from tests.endpoint.fake_connector import FakeConnector

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(**variables: str) -> dict[str, str]:
    """This process's environment without a developer's own bot settings, plus ``variables``."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("Microsoft", "FAQ_")) and key != "PORT"
    }
    return {**environ, **variables}


@pytest.fixture
async def served_bot(tmp_path: Path) -> AsyncIterator[str]:
    """``python -m bot`` on a free port with the shipped data; yields its base URL.

    Its question log goes to ``tmp_path``, not to the checkout's ``var/``.
    """
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=_environment(PORT=str(port), FAQ_LOG_PATH=str(tmp_path / "log.sqlite3")),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session, asyncio.timeout(STARTUP_TIMEOUT):
            while True:
                if process.returncode is not None:
                    pytest.fail(f"python -m bot exited with {process.returncode}")
                try:
                    async with session.get(f"{base}/readyz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        yield base
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # how a developer stops `make run`
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
        assert process.stderr is not None
        log = (await process.stderr.read()).decode(errors="replace")
        assert "Traceback" not in log, log


async def test_make_run_serves_answers_from_the_shipped_faq(
    served_bot: str, connector: FakeConnector
) -> None:
    expected = load_faq(ROOT / "faq_data").get("request-sme")
    assert expected is not None
    activity = teams_message("How do I request a technical expert?", service_url=connector.url)

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{served_bot}/api/messages", json=activity) as response,
    ):
        assert response.status == 201
    async with asyncio.timeout(10):
        (reply,) = await connector.wait_for_messages(1)

    assert reply.body["replyToId"] == activity["id"]
    assert texts(reply.card)[:2] == [expected.question, expected.answer]
    assert_valid_card(reply.card)


def test_bad_settings_stop_the_process_with_one_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=_environment(MicrosoftAppType="SingleTenant", FAQ_ANSWER_THRESHOLD="abc"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    critical = [line for line in result.stderr.splitlines() if " CRITICAL " in line]
    assert len(critical) == 1, result.stderr
    assert "The FAQ bot cannot start: 4 problems:" in critical[0]
    for problem in (
        "- FAQ_ANSWER_THRESHOLD='abc' is not a number",
        "- MicrosoftAppId is required when MicrosoftAppType=SingleTenant",
        "- MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant",
        "- MicrosoftAppPassword is required when MicrosoftAppType=SingleTenant",
    ):
        assert problem in result.stderr


def test_gunicorn_halts_on_bad_settings_instead_of_respawning(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    argv = [str(gunicorn), "--bind", f"127.0.0.1:{_free_port()}"]
    argv += ["--worker-class", "aiohttp.GunicornWebWorker", "bot.app:make_app"]
    result = subprocess.run(
        argv,
        cwd=ROOT,
        env=_environment(FAQ_CLARIFY_THRESHOLD="2", XDG_RUNTIME_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 3  # gunicorn's "worker failed to boot": the arbiter stopped
    assert result.stderr.count("The FAQ bot cannot start") == 1  # one worker, one message
    assert "FAQ_CLARIFY_THRESHOLD must be within [0, 1], got 2.0" in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_the_bot_reads_and_logs_nothing() -> None:
    script = "import bot.__main__, bot.app, bot.faq_bot, bot.settings, bot.cards"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_environment(MicrosoftAppType="Bogus", FAQ_DATA_DIR="/nonexistent"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
