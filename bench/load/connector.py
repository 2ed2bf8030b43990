"""A minimal fake Bot Connector for the load benchmark, run in its own process.

``python -m bench.load.connector`` listens on two loopback ports it picks itself and writes
``READY <service port> <control port>`` as its first line on stdout:

- the service port answers ``POST /v3/conversations/{id}/activities[/{replyToId}]`` with
  ``200 {"id": ...}`` (anything else: 404, counted as unexpected), after ``--delay MS``
  milliseconds if given (the real connector takes tens to hundreds of milliseconds a call).
  It records the arrival time (``time.monotonic``, the system-wide ``CLOCK_MONOTONIC`` on
  Linux, so the load generator's clock) of the first *message* activity replying to each
  inbound activity, and counts the TCP connections it accepts: every new connection is one
  the bot opened.
- the control port answers ``GET /stats`` with the counters and arrival times as JSON;
  ``GET /stats?reset=1`` then forgets the arrival times and restarts the peak of open
  connections. Its own connections are not counted.

It is an aiohttp low-level server (no router, no access log) so that its CPU use stays small
beside the bot's. It stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

log = logging.getLogger("bench.load.connector")

SERVICE_PATH = "/v3/conversations/"
HOST = "127.0.0.1"


class Recorder:
    """What the fake connector has received so far."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.connections_opened = 0
        self.open_now = 0
        self.peak_open = 0
        self.posts = 0
        self.replies = 0
        self.unexpected = 0
        self.arrivals: dict[str, float] = {}
        self._next_id = 0

    def opened(self) -> None:
        """A connection was accepted on the service port."""
        self.connections_opened += 1
        self.open_now += 1
        self.peak_open = max(self.peak_open, self.open_now)

    def closed(self) -> None:
        """A connection on the service port was closed."""
        self.open_now -= 1

    async def service(self, request: web.BaseRequest) -> web.StreamResponse:
        """Answer a send or reply like the Bot Connector does; record message replies."""
        if request.method != "POST" or not request.path.startswith(SERVICE_PATH):
            self.unexpected += 1
            return web.Response(status=404)
        body = await request.read()
        arrived = time.monotonic()
        self.posts += 1
        activity: dict[str, Any] = json.loads(body)
        if activity.get("type") == "message":
            self.replies += 1
            reply_to = activity.get("replyToId") or request.path.rsplit("/", 1)[-1]
            self.arrivals.setdefault(str(reply_to), arrived)
        self._next_id += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(
            body=b'{"id":"reply-%d"}' % self._next_id, content_type="application/json"
        )

    async def control(self, request: web.BaseRequest) -> web.StreamResponse:
        """``GET /stats[?reset=1]``: the counters and arrival times as JSON."""
        if request.path != "/stats":
            return web.Response(status=404)
        stats = {
            "connections_opened": self.connections_opened,
            "open_now": self.open_now,
            "peak_open": self.peak_open,
            "posts": self.posts,
            "replies": self.replies,
            "unexpected": self.unexpected,
            "arrivals": self.arrivals,
        }
        body = json.dumps(stats).encode()
        if request.query.get("reset"):
            self.arrivals = {}
            self.peak_open = self.open_now
        return web.Response(body=body, content_type="application/json")


class CountingServer(web.Server):
    """An aiohttp low-level server that tells the recorder about every connection."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder.service, access_log=None)
        self._recorder = recorder

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        """Count the connection, then let aiohttp track it."""
        self._recorder.opened()
        super().connection_made(handler, transport)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        """Count the closing, then let aiohttp forget it."""
        self._recorder.closed()
        super().connection_lost(handler, exc)


async def serve(delay: float = 0.0) -> None:
    """Serve both ports until SIGTERM or SIGINT, answering sends after ``delay`` seconds."""
    loop = asyncio.get_running_loop()
    recorder = Recorder(delay)
    service = await loop.create_server(CountingServer(recorder), HOST, 0)
    control = await loop.create_server(web.Server(recorder.control, access_log=None), HOST, 0)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    service_port = service.sockets[0].getsockname()[1]
    control_port = control.sockets[0].getsockname()[1]
    sys.stdout.write(f"READY {service_port} {control_port}\n")
    sys.stdout.flush()
    async with service, control:
        await stop.wait()
    log.info(
        "fake connector: %d posts, %d connections", recorder.posts, recorder.connections_opened
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.load.connector", description=__doc__)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="ms before answering a send (default: 0)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(serve(max(0.0, args.delay) / 1e3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
