"""The Dockerfile's start command really serves the bot (no container engine needed).

The build machines have no Docker, so this runs the exact ``CMD`` of the Dockerfile as a
subprocess from the repository root, with the virtual environment's gunicorn. Only the bind
address changes: ``0.0.0.0:${PORT:-3978}`` becomes ``127.0.0.1:<free port>`` so nothing
listens beyond loopback. The test then waits (at most STARTUP_TIMEOUT seconds) for
``GET /healthz`` to answer 200 and stops the server.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
BIND = "0.0.0.0:${PORT:-3978}"
STARTUP_TIMEOUT = 20.0


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def start_command() -> list[str]:
    """The words of the shell script in ``CMD ["sh", "-c", "exec ..."]``, ``exec`` dropped."""
    commands = [
        args
        for keyword, args in dockerfile_instructions(DOCKERFILE.read_text())
        if keyword == "CMD"
    ]
    assert commands, "the Dockerfile has no CMD"
    shell, flag, script = json.loads(commands[-1])  # Docker runs the last CMD only
    assert (shell, flag) == ("sh", "-c"), "CMD must be the exec form around one sh -c script"
    words = shlex.split(script)
    assert words[0] == "exec", "the script must exec gunicorn so it gets the stop signal"
    return words[1:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _gunicorn() -> list[str]:
    """The gunicorn installed next to the running interpreter (the project's venv)."""
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "gunicorn"]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def test_cmd_binds_all_interfaces_on_port_or_3978() -> None:
    words = start_command()

    assert words[0] == "gunicorn"
    assert words[words.index("--bind") + 1] == BIND
    assert words[-1] == "bot.app:make_app"


def test_dockerfile_start_command_serves_healthz(tmp_path: Path) -> None:
    port = _free_port()
    words = start_command()
    bind = words.index("--bind") + 1
    words[bind] = f"127.0.0.1:{port}"
    argv = [*_gunicorn(), *words[1:]]
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("Microsoft", "FAQ_"))  # a developer's own bot settings
    }
    environ["XDG_RUNTIME_DIR"] = str(tmp_path)  # gunicorn's control socket, away from $HOME
    environ["FAQ_LOG_PATH"] = str(tmp_path / "log.sqlite3")  # the image's /app/var
    log_path = tmp_path / "gunicorn.log"

    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            argv, cwd=ROOT, env=environ, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            status = None
            while time.monotonic() < deadline and server.poll() is None:
                status = _status(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
                time.sleep(0.2)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    output = log_path.read_text(errors="replace")
    assert status == 200, f"GET /healthz gave {status}; {shlex.join(argv)} logged:\n{output}"
