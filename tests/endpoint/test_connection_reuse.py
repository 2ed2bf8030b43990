"""Outbound connections are pooled: one kept-alive connection per connector, not one per reply.

botbuilder's stock adapter opened a new TCP connection (and built a new client) for every
reply. The fake connector counts the connections the bot opened to it.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, Attachment, ChannelAccount, ConversationAccount
from botframework.connector.aio import ConnectorClient
from pytest_aiohttp import AiohttpClient, AiohttpServer

from bot.app import ADAPTER, create_app, on_turn_error
from bot.auth import bot_framework_authentication
from bot.faq_bot import FaqBot
from bot.settings import DEFAULT_CONNECTOR_CONNECTIONS, Settings
from intents import TfidfMatcher
from tests.activities import payload, teams_message
from tests.endpoint.fake_connector import FakeConnector
from tests.samples import ASK_SME

Client = TestClient[web.Request, web.Application]

_IDS = itertools.count(1)


async def ask(client: Client, connector: FakeConnector, text: str = ASK_SME) -> dict[str, Any]:
    activity = teams_message(text, service_url=connector.url, id=f"activity-{next(_IDS)}")
    response = await client.post("/api/messages", json=activity)
    assert response.status == 201
    return activity


async def another_connector(aiohttp_server: AiohttpServer) -> FakeConnector:
    fake = FakeConnector()
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("/"))
    return fake


async def test_replies_to_one_service_url_share_one_connection(
    client: Client, connector: FakeConnector
) -> None:
    asked = [await ask(client, connector) for _ in range(20)]

    assert [call.activity_id for call in connector.messages] == [a["id"] for a in asked]
    assert connector.connections == 1


async def test_two_service_urls_get_a_connection_each(
    client: Client, connector: FakeConnector, aiohttp_server: AiohttpServer
) -> None:
    other = await another_connector(aiohttp_server)

    for _ in range(5):
        await ask(client, connector)
        await ask(client, other)

    assert (len(connector.messages), len(other.messages)) == (5, 5)
    assert (connector.connections, other.connections) == (1, 1)


async def test_concurrent_replies_stay_within_the_pool(
    client: Client, connector: FakeConnector
) -> None:
    await asyncio.gather(*(ask(client, connector) for _ in range(40)))

    assert len(connector.messages) == 40
    assert connector.connections <= DEFAULT_CONNECTOR_CONNECTIONS


async def test_a_slow_connector_gets_concurrent_replies_on_parallel_connections(
    client: Client, connector: FakeConnector
) -> None:
    """The real connector takes tens of ms a call: one connection would queue every reply."""
    connector.delay = 0.1

    await asyncio.gather(*(ask(client, connector) for _ in range(12)))

    assert len(connector.messages) == 12
    # Replies that overlap each take a connection of their own (12 when all do at once; how
    # many overlap depends on the machine's speed, so only "more than one" is asserted).
    assert 1 < connector.connections <= 12


async def test_the_pool_size_is_a_setting(
    aiohttp_client: AiohttpClient, matcher: TfidfMatcher, connector: FakeConnector
) -> None:
    app = create_app(Settings(FAQ_CONNECTOR_CONNECTIONS=3), FaqBot(matcher))
    client = await aiohttp_client(app)
    connector.delay = 0.1

    asked = await asyncio.gather(*(ask(client, connector) for _ in range(12)))

    assert sorted(call.activity_id or "" for call in connector.messages) == sorted(
        activity["id"] for activity in asked
    )
    assert connector.connections == 3  # the rest waited for a pooled connection


async def test_one_client_per_service_url_is_reused_across_turns(
    client: Client, connector: FakeConnector
) -> None:
    pool = client.app[ADAPTER].connectors
    built: list[ConnectorClient] = []
    original = pool.client

    async def spy(*args: Any) -> ConnectorClient:
        made: ConnectorClient = await original(*args)
        built.append(made)
        return made

    pool.client = spy
    for _ in range(3):
        await ask(client, connector)

    assert len(built) == 3
    assert len({id(made) for made in built}) == 1


# One conversation's worth of activities: answers, choices, a miss, small talk, help, a
# button click, a rating (an update), an empty message and an install (a welcome).
CONVERSATION: list[tuple[str, dict[str, Any]]] = [
    ("teams_personal_message", {"text": ASK_SME}),
    ("teams_personal_message", {"text": "what is the esd"}),
    ("teams_personal_message", {"text": "how do I bake bread"}),
    ("teams_personal_message", {"text": "thanks!"}),
    ("teams_personal_message", {"text": "help"}),
    ("teams_channel_message", {}),
    ("teams_personal_message", {"text": ""}),
    ("teams_card_submit", {"value": {"action": "open", "id": "request-sme", "via": "topic"}}),
    ("teams_card_submit", {"value": {"action": "feedback", "id": "request-sme", "helpful": True}}),
    ("teams_installation_add", {}),
]


async def converse(client: Client, connector: FakeConnector) -> list[tuple[str, str, bytes]]:
    for number, (name, fields) in enumerate(CONVERSATION):
        activity = payload(name, service_url=connector.url, id=f"turn-{number}", **fields)
        response = await client.post("/api/messages", json=activity)
        assert response.status == 201, name
    here = connector.url.encode()  # the one thing that differs between two connectors
    return [
        (call.method, f"{call.conversation_id}/{call.activity_id}", call.raw.replace(here, b"@"))
        for call in connector.calls
    ]


async def test_replies_are_byte_for_byte_those_of_the_stock_adapter(
    aiohttp_client: AiohttpClient,
    aiohttp_server: AiohttpServer,
    matcher: TfidfMatcher,
) -> None:
    stock_connector, pooled_connector = (
        await another_connector(aiohttp_server),
        await another_connector(aiohttp_server),
    )
    stock_app = create_app(Settings(), FaqBot(matcher))
    stock_adapter = CloudAdapter(bot_framework_authentication(Settings()))
    stock_adapter.on_turn_error = on_turn_error
    stock_app[ADAPTER] = stock_adapter  # botbuilder's own: a client and a connection per turn
    stock = await converse(await aiohttp_client(stock_app), stock_connector)

    pooled = await converse(
        await aiohttp_client(create_app(Settings(), FaqBot(matcher))), pooled_connector
    )

    assert len(stock) >= len(CONVERSATION)
    assert pooled == stock
    assert pooled_connector.connections == 1
    assert stock_connector.connections > 1


async def test_a_turn_leaves_no_reference_cycles_behind(
    client: Client, connector: FakeConnector
) -> None:
    """A turn's context, activities and cards are freed when it ends, not by the cyclic
    garbage collector (whose collections of thousands of them paused the loop under load)."""
    for text in CONVERSATION_TEXTS:  # warm: first-use caches are not garbage
        await ask(client, connector, text)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for text in CONVERSATION_TEXTS:
            await ask(client, connector, text)
        gc.collect()
        left = [type(obj).__name__ for obj in gc.garbage if isinstance(obj, TURN_OBJECTS)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()

    assert left == []


CONVERSATION_TEXTS = [ASK_SME, "what is the esd", "how do I bake bread", "thanks!", "help"]
TURN_OBJECTS = (TurnContext, Activity, Attachment, ChannelAccount, ConversationAccount)
