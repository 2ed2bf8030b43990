"""Headless Chromium driven over the DevTools protocol, for the HTML report's rendering test.

Chromium is the Debian package ``chromium``, installed by ``tests/system/install-packages``.
It starts with every background-networking feature off (the build machines have no network),
a fresh profile in a temporary directory and ``--remote-debugging-port=0``; the port it picks
is read from ``DevToolsActivePort`` in the profile. The client speaks to one page through a
flattened target session, over aiohttp's websocket client.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

INSTALL_SCRIPT = "tests/system/install-packages"

#: Generous limits for a slow machine; nothing asserts on them.
START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60.0

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


class ChromiumMissingError(RuntimeError):
    """No Chromium binary on this machine."""


def find_chromium() -> str:
    """The Chromium binary, or raise naming the script that installs it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissingError(
        f"headless Chromium is needed to test the HTML report and is not installed: run "
        f"{INSTALL_SCRIPT} (it installs the Debian package 'chromium'; `make test` calls it)"
    )


@dataclass(slots=True)
class Page:
    """One browser tab: send commands, and everything it reported."""

    socket: aiohttp.ClientWebSocketResponse
    session_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command to the page and return its result (events are collected)."""
        return await _command(self.socket, method, params, self.events, self.session_id, self._ids)

    async def wait_for(self, method: str) -> dict[str, Any]:
        """The first event ``method`` of this page (already received or next to come)."""
        async with asyncio.timeout(COMMAND_TIMEOUT):
            while True:
                for event in self.events:
                    if event.get("method") == method and self._mine(event):
                        return event
                message = await self.socket.receive_json()
                self.events.append(message)

    def errors(self) -> list[str]:
        """Script exceptions, console errors and browser log errors (CSP refusals...)."""
        found: list[str] = []
        for event in filter(self._mine, self.events):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(f"exception: {details.get('text')} {details.get('exception', {})}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console.{params.get('type')}: {params.get('args')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
        return found

    def _mine(self, event: dict[str, Any]) -> bool:
        return event.get("sessionId") == self.session_id

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` evaluated in the page."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@contextlib.asynccontextmanager
async def chromium_page(profile: Path) -> AsyncIterator[Page]:
    """Start headless Chromium with a fresh ``profile`` directory and attach to a new tab."""
    binary = find_chromium()
    await asyncio.to_thread(profile.mkdir, parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        binary,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        endpoint = await _devtools_endpoint(profile, process)
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(endpoint, max_msg_size=0) as socket,
        ):
            ids = itertools.count(1)
            ignored: list[dict[str, Any]] = []
            target = await _command(
                socket, "Target.createTarget", {"url": "about:blank"}, ignored, None, ids
            )
            attached = await _command(
                socket,
                "Target.attachToTarget",
                {"targetId": target["targetId"], "flatten": True},
                ignored,
                None,
                ids,
            )
            page = Page(socket, attached["sessionId"])
            try:
                yield page
            finally:
                with contextlib.suppress(Exception):
                    await _command(socket, "Browser.close", {}, ignored, None, ids)
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


async def _devtools_endpoint(profile: Path, process: asyncio.subprocess.Process) -> str:
    """The browser's websocket URL, from ``DevToolsActivePort`` once Chromium writes it."""
    port_file = profile / "DevToolsActivePort"
    async with asyncio.timeout(START_TIMEOUT):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"chromium exited with status {process.returncode}")
            if port_file.exists():
                lines = port_file.read_text(encoding="utf-8").split("\n")
                if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                    return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
            await asyncio.sleep(0.05)


async def _command(
    socket: aiohttp.ClientWebSocketResponse,
    method: str,
    params: dict[str, Any],
    events: list[dict[str, Any]],
    session_id: str | None,
    ids: itertools.count[int],
) -> dict[str, Any]:
    number = next(ids)
    message: dict[str, Any] = {"id": number, "method": method, "params": params}
    if session_id is not None:
        message["sessionId"] = session_id
    await socket.send_str(json.dumps(message))
    async with asyncio.timeout(COMMAND_TIMEOUT):
        while True:
            reply = await socket.receive_json()
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                events.append(reply)
