"""The load generator: Teams-shaped questions POSTed at a fixed concurrency, timed."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
#: A question in a 1:1 Teams chat, as Teams POSTs it (made-up ids).
PAYLOAD = ROOT / "tests" / "payloads" / "teams_personal_message.json"
#: Distinct 1:1 conversations the messages are spread over.
CONVERSATIONS = 50
REQUEST_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Sent:
    """One inbound activity and its HTTP exchange with the bot.

    Attributes:
        activity_id: The activity's ``id`` (the reply's ``replyToId``).
        sent_at: ``time.monotonic()`` just before the POST.
        responded_at: ``time.monotonic()`` when the bot's HTTP response was read.
        status: The HTTP status, or 0 when the request itself failed.
    """

    activity_id: str
    sent_at: float
    responded_at: float
    status: int


def activities(
    template: dict[str, Any], questions: Sequence[str], service_url: str, prefix: str, count: int
) -> list[tuple[str, bytes]]:
    """``count`` serialised activities: the template with unique ids, cycling the questions.

    Args:
        template: The saved Teams payload.
        questions: Texts to send, in order, from the first again when exhausted.
        service_url: Where the bot must reply (the fake connector).
        prefix: Makes the activity ids unique across phases and bots.
        count: How many activities.

    Returns:
        ``(activity id, JSON body)`` pairs.
    """
    made = []
    base = copy.deepcopy(template)
    base["serviceUrl"] = service_url
    conversation = str(base["conversation"]["id"])
    for number in range(count):
        activity_id = f"{prefix}-{number}"
        base["id"] = activity_id
        base["text"] = questions[number % len(questions)]
        base["conversation"]["id"] = f"{conversation}-{number % CONVERSATIONS}"
        made.append((activity_id, json.dumps(base).encode()))
    return made


def load_template() -> dict[str, Any]:
    """The saved 1:1 Teams message payload."""
    template: dict[str, Any] = json.loads(PAYLOAD.read_text(encoding="utf-8"))
    return template


async def send(url: str, bodies: Sequence[tuple[str, bytes]], concurrency: int) -> list[Sent]:
    """POST every body to ``url``, ``concurrency`` at a time (closed loop), on kept-alive
    connections.

    Args:
        url: The bot's ``/api/messages``.
        bodies: ``(activity id, JSON body)`` pairs, sent in order.
        concurrency: How many requests are in flight at once.

    Returns:
        One :class:`Sent` per body, in completion order.
    """
    results: list[Sent] = []
    queue: Iterator[tuple[str, bytes]] = iter(bodies)
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)

    async def worker(session: aiohttp.ClientSession) -> None:
        for activity_id, body in queue:
            sent_at = time.monotonic()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            results.append(Sent(activity_id, sent_at, time.monotonic(), status))

    async with (
        aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
        asyncio.TaskGroup() as group,
    ):
        for _ in range(concurrency):
            group.create_task(worker(session))
    return results
