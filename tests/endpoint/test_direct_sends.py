"""The two send operations skip msrest's request objects, not what msrest would have sent.

Every message the bot sends goes through ``reply_to_activity`` or ``send_to_conversation``,
which :class:`bot.connector._DirectSends` builds without msrest's request objects and policy
chain. Here each is called both ways, on the same pooled client and the same fake connector:
the requests (path, msrest's headers, body bytes), the results and the errors are the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.models import ErrorResponseException

from bot.connector import ConnectorPool, _DirectSends
from tests.endpoint.fake_connector import FakeConnector, Fault

#: The headers msrest's operations and pipeline set (aiohttp adds transport headers).
MSREST_HEADERS = ("Accept", "Content-Type", "x-ms-conversation-id", "User-Agent", "Authorization")

Send = Callable[[ConversationsOperations], Awaitable[Any]]


@pytest.fixture
async def connector_client(connector: FakeConnector) -> AsyncIterator[ConnectorClient]:
    """A connector client from the pool, as the adapter gets it (auth off)."""
    pool = ConnectorPool()

    async def build() -> ConnectorClient:
        return ConnectorClient(MicrosoftAppCredentials(None, None), base_url=connector.url)

    yield await pool.client(None, connector.url, None, build)
    await pool.close()


CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": 'Caf\u00e9 \u2014 "FTOP" <b>', "wrap": True}],
    "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": "https://example.com/?a=1&b=2"}],
}
ACTIVITY = Activity(
    type=ActivityTypes.message,
    text="Here is what I found",
    from_property=ChannelAccount(id="28:bot", name="FAQ Bot"),
    recipient=ChannelAccount(id="29:user", name="A Partner"),
    conversation=ConversationAccount(id="a:1x2y; messageid=17"),
    reply_to_id="1700000000000",
    attachments=[Attachment(content_type="application/vnd.microsoft.card.adaptive", content=CARD)],
    channel_data={"tenant": {"id": "t"}},
    locale="en-US",
)
SENDS: dict[str, tuple[Send, Send]] = {
    "reply_to_activity": (
        lambda ops: ops.reply_to_activity("a:1x2y; messageid=17", "1700000000000", ACTIVITY),
        lambda ops: ConversationsOperations.reply_to_activity(
            ops, "a:1x2y; messageid=17", "1700000000000", ACTIVITY
        ),
    ),
    "send_to_conversation": (
        lambda ops: ops.send_to_conversation("a:1x2y", ACTIVITY),
        lambda ops: ConversationsOperations.send_to_conversation(ops, "a:1x2y", ACTIVITY),
    ),
}


def seen(connector: FakeConnector) -> list[tuple[str, str, str | None, dict[str, str], bytes]]:
    return [
        (
            call.method,
            call.conversation_id,
            call.activity_id,
            {name: call.headers[name] for name in MSREST_HEADERS if name in call.headers},
            call.raw,
        )
        for call in connector.attempts
    ]


def test_the_pool_gives_clients_the_direct_operations(connector_client: ConnectorClient) -> None:
    assert isinstance(connector_client.conversations, _DirectSends)


@pytest.mark.parametrize("name", SENDS)
async def test_a_send_is_the_request_msrest_makes(
    name: str, connector_client: ConnectorClient, connector: FakeConnector
) -> None:
    direct, stock = SENDS[name]

    direct_result = await direct(connector_client.conversations)
    stock_result = await stock(connector_client.conversations)

    first, second = seen(connector)
    assert first == second
    sent_headers = set(first[3])
    assert sent_headers == {"Accept", "Content-Type", "User-Agent"} | (
        {"x-ms-conversation-id"} if name == "reply_to_activity" else set()
    )  # no Authorization: authentication is off, as with the Emulator
    assert direct_result.serialize() == {"id": "reply-1"}
    assert stock_result.serialize() == {"id": "reply-2"}


@pytest.mark.parametrize("name", SENDS)
async def test_a_refused_send_raises_what_msrest_raises(
    name: str, connector_client: ConnectorClient, connector: FakeConnector
) -> None:
    direct, stock = SENDS[name]
    connector.faults = [Fault(403), Fault(403)]

    with pytest.raises(ErrorResponseException) as direct_error:
        await direct(connector_client.conversations)
    with pytest.raises(ErrorResponseException) as stock_error:
        await stock(connector_client.conversations)

    assert str(direct_error.value) == str(stock_error.value)
    assert direct_error.value.error.serialize() == stock_error.value.error.serialize()
    assert direct_error.value.response.status == stock_error.value.response.status == 403


async def test_custom_headers_take_msrest_s_own_path(
    connector_client: ConnectorClient, connector: FakeConnector
) -> None:
    await connector_client.conversations.reply_to_activity(
        "a:1x2y", "1", ACTIVITY, custom_headers={"x-trace": "on"}
    )

    (call,) = connector.attempts
    assert call.headers["x-trace"] == "on"
