"""A stand-in for the Bot Connector service on loopback that records what the bot sends.

The inbound activity's ``serviceUrl`` points here, so the whole path HTTP -> adapter -> bot
-> connector client runs offline. Anything the bot calls besides sending, replying and
updating (a roster lookup, say) is recorded as unexpected and answered 404.

It can also misbehave as the real service does (:class:`Fault`: throttling, gateway errors),
and it counts the TCP connections the bot opened to it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True, slots=True)
class Fault:
    """An error answer the connector gives instead of accepting an activity.

    Attributes:
        status: The HTTP status (429, 412, 502...).
        retry_after: The ``Retry-After`` header's value, if any.
    """

    status: int
    retry_after: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One request the bot made to the connector."""

    method: str
    conversation_id: str
    activity_id: str | None  # the replied-to or updated activity; None for a new post
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the body as sent

    @property
    def size(self) -> int:
        """The activity's size as JSON, in bytes."""
        return len(json.dumps(self.body, ensure_ascii=False).encode("utf-8"))

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card this activity carries (exactly one)."""
        (attachment,) = self.body["attachments"]
        assert attachment["contentType"] == CARD_CONTENT_TYPE
        content: dict[str, Any] = attachment["content"]
        return content


class FakeConnector:
    """Records ``POST .../activities[/{id}]`` and ``PUT .../activities/{id}``.

    Attributes:
        url: The base URL to use as ``serviceUrl`` (set by the fixture).
        calls: Sends, replies and updates, in order.
        unexpected: ``"METHOD /path"`` of every other request.
        update_status: The HTTP status to answer updates with (e.g. 404 to refuse them).
        faults: Answered, in order, to the next sends, replies and updates (one each).
        down: While set, answered to every send, reply and update.
        attempts: Every send, reply and update received, refused ones included.
        peers: The client address of every TCP connection opened to this connector.
        delay: Seconds to wait before answering a send or reply, as the real service takes
            tens to hundreds of milliseconds (0: at once).
    """

    def __init__(self) -> None:
        self.url = ""
        self.calls: list[Call] = []
        self.unexpected: list[str] = []
        self.update_status = 200
        self.faults: list[Fault] = []
        self.down: Fault | None = None
        self.attempts: list[Call] = []
        self.peers: set[tuple[str, int]] = set()
        self.delay = 0.0
        self._changed = asyncio.Event()

    def app(self) -> web.Application:
        """The aiohttp application to serve."""
        app = web.Application()
        base = "/v3/conversations/{conversation_id}/activities"
        app.router.add_post(base, self._record)
        # Any id but "/" (aiohttp's default pattern also refuses "{" and "}", which a
        # generated activity id may hold: a 404 there would fail the bot's turn).
        app.router.add_post(base + "/{activity_id:[^/]+}", self._record)
        app.router.add_put(base + "/{activity_id:[^/]+}", self._update)
        app.router.add_route("*", "/{tail:.*}", self._unexpected)
        return app

    @property
    def connections(self) -> int:
        """TCP connections opened to this connector so far."""
        return len(self.peers)

    @property
    def posts(self) -> list[Call]:
        """New messages and replies (typing indicators included)."""
        return [call for call in self.calls if call.method == "POST"]

    @property
    def messages(self) -> list[Call]:
        """Posted message activities (no typing indicators)."""
        return [call for call in self.posts if call.body.get("type") == "message"]

    @property
    def updates(self) -> list[Call]:
        """Updated activities."""
        return [call for call in self.calls if call.method == "PUT"]

    async def wait_for_messages(self, count: int) -> list[Call]:
        """Wait until ``count`` messages arrived (for a bot in another process).

        Wrap the call in ``asyncio.timeout``: a bot that never answers waits forever.
        """
        while len(self.messages) < count:
            self._changed.clear()
            await self._changed.wait()
        return self.messages

    async def _record(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        fault = self._fault(request, "POST", body, raw)
        if fault is not None:
            return fault
        self._add(request, "POST", body, raw)
        answer = web.json_response({"id": f"reply-{len(self.calls)}"})
        if self.delay:
            await asyncio.sleep(self.delay)
        return answer

    async def _update(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        fault = self._fault(request, "PUT", body, raw)
        if fault is not None:
            return fault
        self._add(request, "PUT", body, raw)
        if self.update_status >= 400:
            return web.json_response(
                {"error": {"code": "NotFound", "message": "activity not found"}},
                status=self.update_status,
            )
        return web.json_response({"id": request.match_info["activity_id"]})

    def _fault(
        self, request: web.Request, method: str, body: dict[str, Any], raw: bytes
    ) -> web.Response | None:
        """Note the attempt and its connection; the error to answer with, if one is due."""
        self._peer(request)
        self.attempts.append(self._call(request, method, body, raw))
        fault = self.faults.pop(0) if self.faults else self.down
        if fault is None:
            return None
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        return web.json_response(
            {"error": {"code": "Fault", "message": f"injected {fault.status}"}},
            status=fault.status,
            headers=headers,
        )

    def _peer(self, request: web.Request) -> None:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer is not None:
            self.peers.add((str(peer[0]), int(peer[1])))

    async def _unexpected(self, request: web.Request) -> web.Response:
        self._peer(request)
        self.unexpected.append(f"{request.method} {request.path}")
        self._changed.set()
        return web.json_response({"error": {"code": "NotFound"}}, status=404)

    def _add(self, request: web.Request, method: str, body: dict[str, Any], raw: bytes) -> None:
        self.calls.append(self._call(request, method, body, raw))
        self._changed.set()

    @staticmethod
    def _call(request: web.Request, method: str, body: dict[str, Any], raw: bytes) -> Call:
        return Call(
            method=method,
            conversation_id=request.match_info["conversation_id"],
            activity_id=request.match_info.get("activity_id"),
            body=body,
            headers=dict(request.headers),
            raw=raw,
        )
