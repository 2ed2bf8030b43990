"""A private, throwaway PostgreSQL server for the tests: initdb in a temporary folder, 127.0.0.1.

The Debian ``postgresql`` package provides the binaries (``tests/system/install-packages``,
run by ``make test``, installs it); they are looked up under ``/usr/lib/postgresql/*/bin`` at
run time, newest version first. PostgreSQL refuses to run as root, so as root the server runs
as the ``postgres`` system user (created by the package) through ``runuser``. Authentication
is ``trust`` on loopback only, durability is off (``fsync=off``): it is a test server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: Where Debian installs the server binaries (one folder per major version).
BINARY_PATTERN = "/usr/lib/postgresql/*/bin"
MISSING = (
    "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. The question log's "
    "PostgreSQL tests need them: run tests/system/install-packages (make test does), or "
    "apt-get install postgresql."
)
SUPERUSER = "faq"
START_TIMEOUT = 60.0


def find_binaries() -> Path | None:
    """The newest ``bin`` folder holding ``initdb`` and ``postgres``, or ``None``."""
    found = [
        Path(folder)
        for folder in glob.glob(BINARY_PATTERN)
        if (Path(folder) / "initdb").exists() and (Path(folder) / "postgres").exists()
    ]

    def major(folder: Path) -> int:
        name = folder.parent.name
        return int(name) if name.isdigit() else 0

    return max(found, key=major) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Run a server for the duration of the block; yields its URL (database ``postgres``).

    Raises:
        RuntimeError: The binaries are missing, or the server did not start (with its log).
    """
    binaries = find_binaries()
    if binaries is None:
        raise RuntimeError(MISSING)
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")  # KeyError: the package was not installed properly
        as_user = ["runuser", "-u", "postgres", "--"]
    # Not pytest's tmp_path: its parents are private to root, and the server user must enter.
    root = Path(tempfile.mkdtemp(prefix="faq-bot-postgres-"))
    data, sockets, log_path = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    if owner is not None:
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [
                *as_user,
                str(binaries / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        with log_path.open("wb") as log_file:
            if owner is not None:
                os.chown(log_path, owner.pw_uid, owner.pw_gid)
            server = subprocess.Popen(
                [
                    *as_user,
                    str(binaries / "postgres"),
                    "-D",
                    str(data),
                    "-k",
                    str(sockets),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_until_ready(binaries, port, server, log_path)
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"initdb failed: {error.stderr.decode(errors='replace')}") from None
    finally:
        if server is not None:
            # pg_ctl, as the server's user: runuser does not pass SIGINT on to postgres.
            subprocess.run(
                [*as_user, str(binaries / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"],
                check=False,
                capture_output=True,
                timeout=60,
            )
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_ready(
    binaries: Path, port: int, server: subprocess.Popen[bytes], log_path: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited at start-up:\n{log_path.read_text()}")
        ready = subprocess.run(
            [str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"],
            check=False,
        )
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start within {START_TIMEOUT:.0f} s")
