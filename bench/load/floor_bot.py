"""The floor: the issue's hand-written aiohttp echo, replying on a reused connection.

``python -m bench.load.floor_bot --port PORT [--host 127.0.0.1]``. No botbuilder at all: one
aiohttp route reads the activity's JSON, POSTs an ``Echo: <text>`` reply to
``{serviceUrl}v3/conversations/{id}/activities/{activity id}`` through one shared client
session (kept-alive connections, at most 8 per host), and answers 201. No
authentication, no validation, no logging per message. The issue puts this at about 0.3 ms of
CPU per message on its machine; measured in the same run as the FAQ bot, it shows what the
HTTP path alone costs on this one, and so how much of the FAQ bot's CPU is the bot's own.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

SESSION = web.AppKey("session", aiohttp.ClientSession)
JSON = {"Content-Type": "application/json; charset=utf-8"}
#: Kept-alive connections per host. The FAQ bot allows 64 (``FAQ_CONNECTOR_CONNECTIONS``); on
#: loopback, where the fake connector answers at once, 8 and 64 measured the same CPU there.
CONNECTIONS_PER_HOST = 8


async def messages(request: web.Request) -> web.Response:
    """Echo a message activity's text as a reply; acknowledge anything else."""
    activity: dict[str, Any] = json.loads(await request.read())
    if activity.get("type") == "message":
        conversation = activity["conversation"]
        reply = {
            "type": "message",
            "text": f"Echo: {activity.get('text', '')}",
            "from": activity["recipient"],
            "recipient": activity["from"],
            "conversation": conversation,
            "replyToId": activity["id"],
        }
        url = (
            f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/"
            f"{quote(conversation['id'], safe='')}/activities/{quote(activity['id'], safe='')}"
        )
        body = json.dumps(reply).encode()
        async with request.app[SESSION].post(url, data=body, headers=JSON) as response:
            await response.read()
    return web.Response(status=201)


async def _session(app: web.Application) -> AsyncIterator[None]:
    connector = aiohttp.TCPConnector(limit_per_host=CONNECTIONS_PER_HOST)
    app[SESSION] = aiohttp.ClientSession(connector=connector)
    yield
    await app[SESSION].close()


def make_app() -> web.Application:
    """One route, one client session for the app's lifetime."""
    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.cleanup_ctx.append(_session)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the floor echo until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bench.load.floor_bot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3978)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    web.run_app(make_app(), host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
