"""The connector misbehaving as the real one does: throttling, gateway errors, an outage.

The real app talks to a :class:`FakeConnector` on 127.0.0.1 that injects the faults. The
pool's sleep and clock are replaced by :class:`FakeTime`, so backoffs and the turn's budget
are checked without waiting for them (the wait a retry would have made is recorded).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from bot.app import ADAPTER, create_app
from bot.cards import HELPFUL, SORRY, answer_card
from bot.connector import ConnectorPool, RetryPolicy
from bot.faq_bot import FaqBot
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import card_submit, teams_message
from tests.adaptive_cards import submit_button, texts
from tests.endpoint.fake_connector import FakeConnector, Fault
from tests.samples import ASK_SME, REQUEST_SME

Client = TestClient[web.Request, web.Application]

POLICY = RetryPolicy()
_IDS = itertools.count(1)


class FakeTime:
    """A clock that moves only when the pool sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, matcher: TfidfMatcher, fake_time: FakeTime
) -> Client:
    """The real app (auth off), its connector pool on fake time and a fixed jitter of 0.5."""
    app = create_app(Settings(), FaqBot(matcher))
    pool: ConnectorPool = app[ADAPTER].connectors
    pool.sleep = fake_time.sleep
    pool.clock = fake_time.clock
    pool.unit_random = lambda: 0.5
    return await aiohttp_client(app)


def messages_with_card(connector: FakeConnector) -> list[dict[str, Any]]:
    return [call.card for call in connector.messages]


async def ask(client: Client, connector: FakeConnector, text: str = ASK_SME) -> dict[str, Any]:
    """Post a question (a new activity id each time) and check the turn ended with 201."""
    activity = teams_message(text, service_url=connector.url, id=f"activity-{next(_IDS)}")
    response = await client.post("/api/messages", json=activity)
    assert response.status == 201
    return activity


async def settled_tasks() -> set[asyncio.Task[Any]]:
    """The tasks still pending once the loop has had a few turns to finish what ended."""
    for _ in range(5):
        await asyncio.sleep(0)
    return {task for task in asyncio.all_tasks() if not task.done()}


# --------------------------------------------------------------------------- retried
@pytest.mark.parametrize(
    ("fault", "wait"),
    [
        (Fault(429), 0.5 * POLICY.base_delay),
        (Fault(429, retry_after="2"), 2.0),
        (Fault(429, retry_after="120"), POLICY.max_retry_after),
        (Fault(412), 0.5 * POLICY.base_delay),
        (Fault(502), 0.5 * POLICY.base_delay),
        (Fault(504), 0.5 * POLICY.base_delay),
    ],
    ids=["429", "429-retry-after", "429-retry-after-capped", "412", "502", "504"],
)
async def test_a_transient_fault_is_retried_and_the_reply_delivered_once(
    client: Client, connector: FakeConnector, fake_time: FakeTime, fault: Fault, wait: float
) -> None:
    connector.faults = [fault]

    activity = await ask(client, connector)

    (reply,) = connector.messages
    assert reply.activity_id == activity["id"]
    assert texts(reply.card)[0] == REQUEST_SME.question
    assert len(connector.attempts) == 2
    assert connector.attempts[0].body == reply.body  # the same request, sent again
    assert fake_time.sleeps == [wait]


async def test_backoff_doubles_between_consecutive_faults(
    client: Client, connector: FakeConnector, fake_time: FakeTime
) -> None:
    connector.faults = [Fault(502), Fault(429), Fault(504)]  # attempts - 1 faults in a row

    await ask(client, connector)

    assert len(connector.messages) == 1
    assert len(connector.attempts) == POLICY.attempts
    assert fake_time.sleeps == [0.5 * POLICY.base_delay * 2**n for n in range(3)]


async def test_a_rating_update_is_retried_too(
    client: Client, connector: FakeConnector, fake_time: FakeTime
) -> None:
    connector.faults = [Fault(412)]
    activity = card_submit(
        submit_button(answer_card(REQUEST_SME), HELPFUL), service_url=connector.url
    )

    response = await client.post("/api/messages", json=activity)

    assert response.status == 201
    (update,) = connector.updates
    assert update.activity_id == activity["replyToId"]
    assert connector.posts == []  # updated in place, no fallback reply
    assert len(fake_time.sleeps) == 1


async def test_no_reply_is_lost_to_intermittent_faults(
    client: Client, connector: FakeConnector, fake_time: FakeTime
) -> None:
    pattern = [[], [Fault(429)], [Fault(502), Fault(412)], [Fault(504)], [Fault(429, "1")] * 3]
    sent: list[str] = []

    for number in range(25):
        connector.faults = list(pattern[number % len(pattern)])
        activity = teams_message(ASK_SME, service_url=connector.url, id=f"question-{number}")
        response = await client.post("/api/messages", json=activity)
        assert response.status == 201
        sent.append(activity["id"])

    lost = [
        sent_id for sent_id in sent if sent_id not in {c.activity_id for c in connector.messages}
    ]
    assert lost == []
    assert [call.activity_id for call in connector.messages] == sent  # once each, in order


# --------------------------------------------------------------------------- not retried
@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_a_refusal_is_not_retried(
    client: Client,
    connector: FakeConnector,
    fake_time: FakeTime,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector.faults = [Fault(status)]

    with caplog.at_level(logging.ERROR, logger="bot.app"):
        await ask(client, connector)

    assert fake_time.sleeps == []
    # The answer was refused once; the apology that on_turn_error sends then went through.
    assert [texts(card) for card in messages_with_card(connector)] == [[SORRY]]
    assert len(connector.attempts) == 2
    assert any(r.getMessage().startswith("unhandled error in a") for r in caplog.records)


# --------------------------------------------------------------------------- giving up
async def test_a_connector_that_stays_down_ends_the_turn_within_its_budget(
    client: Client,
    connector: FakeConnector,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await ask(client, connector)  # opens the pooled connection and the test client's own
    before = await settled_tasks()
    connector.down = Fault(502)
    started = fake_time.now

    with caplog.at_level(logging.WARNING):
        activity = await ask(client, connector, "what is FTOP?")

    # The answer and then the apology: each tried `attempts` times, then given up.
    assert len(connector.attempts) == 1 + 2 * POLICY.attempts
    assert fake_time.now - started <= POLICY.turn_budget
    assert all(wait <= POLICY.max_delay for wait in fake_time.sleeps)
    logged = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("unhandled error in a") for message in logged)
    assert "could not tell the user about the error" in logged
    # Ids stay out of the bot's log. aiohttp.access lines are the fake connector's own (its
    # request paths hold the ids), captured when an earlier test left that logger at INFO.
    bot_log = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "aiohttp.access"
    )
    assert activity["conversation"]["id"] not in bot_log
    assert await settled_tasks() <= before  # nothing left running

    connector.down = None  # back up: the bot still serves
    await ask(client, connector)
    assert len(connector.messages) == 2


async def test_retry_after_beyond_the_budget_is_not_waited_for(
    client: Client, connector: FakeConnector, fake_time: FakeTime
) -> None:
    connector.down = Fault(429, retry_after="3600")
    started = fake_time.now

    await ask(client, connector)

    # 5 s (capped) before the second try; a third would end past the 10 s budget; the
    # apology gets the 5 s left: one try, and no wait that would overrun.
    assert fake_time.sleeps == [POLICY.max_retry_after]
    assert len(connector.attempts) == 3
    assert fake_time.now - started <= POLICY.turn_budget


async def test_a_refused_connection_fails_fast_and_leaks_nothing(
    client: Client, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    await client.get("/healthz")  # the test client's own connection, before counting tasks
    with socket.socket() as probe:  # a port nothing listens on: connecting is refused at once
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    before = await settled_tasks()

    with caplog.at_level(logging.ERROR, logger="bot.app"):
        activity = teams_message(ASK_SME, service_url=f"http://127.0.0.1:{closed_port}/")
        response = await client.post("/api/messages", json=activity)

    assert response.status == 201  # the turn ended; the channel has nothing to retry
    assert len(fake_time.sleeps) == 2 * (POLICY.attempts - 1)  # answer, then the apology
    assert sum(fake_time.sleeps) <= POLICY.turn_budget
    logged = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("unhandled error in a") for message in logged)
    assert "could not tell the user about the error" in logged
    assert await settled_tasks() <= before
