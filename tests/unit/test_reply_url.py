"""The reply URL shortcut (bot/connector.py) builds exactly the URL msrest builds."""

from __future__ import annotations

from typing import Any

import pytest
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from hypothesis import example, given, settings
from hypothesis import strategies as st
from msrest.serialization import Serializer

from bot.connector import REPLY_PATH, ReplyUrl, _PathSerializer

ODD_IDS = ["", ".", "..", "...", "%", "%2F", "/", "a/../b", "}", "{", "{0}", "ü", "a b", ";x", "?#"]

SCHEMES = st.sampled_from(["https", "http", "HTTPS", "ftp", "foo", "", "h2"])
SEGMENTS = st.sampled_from(
    ["", ".", "..", "amer", "a b", "{x}", "}", "%2F", "?q=1", "#f", ";p", "ü", "v3", "\t"]
)
HOSTS = st.sampled_from(
    ["smba.trafficmanager.net", "127.0.0.1:3978", "", "user@host", "[::1]:80", "h/", "H"]
)


@st.composite
def service_urls(draw: st.DrawFn) -> str:
    scheme = draw(SCHEMES)
    path = "/".join(draw(st.lists(SEGMENTS, max_size=4)))
    slash = draw(st.sampled_from(["", "/", "//"]))
    return f"{scheme}://{draw(HOSTS)}/{path}{slash}"


def _client(service_url: str) -> ConnectorClient:
    return ConnectorClient(MicrosoftAppCredentials("", ""), base_url=service_url)


def _outcome(action: Any) -> tuple[str, str]:
    try:
        return "url", str(action())
    except Exception as error:  # the outcome is compared, whatever it is
        return "error", type(error).__name__


def _msrest_url(client: ConnectorClient, conversation: Any, activity: Any) -> tuple[str, str]:
    serializer: Any = Serializer(client._serialize.dependencies)  # type: ignore[no-untyped-call]

    def build() -> str:
        url: str = client._client.format_url(
            REPLY_PATH,
            conversationId=serializer.url("conversation_id", conversation, "str"),
            activityId=serializer.url("activity_id", activity, "str"),
        )
        joined: str = client._client.format_url(url)  # as msrest's post() does
        return joined

    return _outcome(build)


def _fast_url(client: ConnectorClient, conversation: Any, activity: Any) -> tuple[str, str]:
    serializer = _PathSerializer(client._serialize.dependencies)
    fast = ReplyUrl.for_client(client._client)
    format_url = fast if fast is not None else client._client.format_url

    def build() -> str:
        url = format_url(
            REPLY_PATH,
            conversationId=serializer.url("conversation_id", conversation, "str"),
            activityId=serializer.url("activity_id", activity, "str"),
        )
        return str(format_url(url))

    return _outcome(build)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(
    service_url=service_urls() | st.text(max_size=30),
    conversation=st.sampled_from(ODD_IDS) | st.text(max_size=20),
    activity=st.sampled_from(ODD_IDS) | st.text(max_size=20),
)
@example("https://smba.trafficmanager.net/amer/", "19:abc@thread.tacv2;messageid=1", "1")
@example("https://smba.trafficmanager.net/amer/", "..", "..")
@example("https://smba.trafficmanager.net/a/../b/./c/", "a", ".")
def test_reply_urls_are_msrests(service_url: str, conversation: str, activity: str) -> None:
    if not service_url:
        return  # msrest refuses to build a client without a base URL
    client = _client(service_url)

    assert _fast_url(client, conversation, activity) == _msrest_url(client, conversation, activity)


@pytest.mark.parametrize("value", [None, 5, "x"])
def test_other_path_values_are_msrests(value: Any) -> None:
    client = _client("https://smba.trafficmanager.net/amer/")

    assert _fast_url(client, value, "1") == _msrest_url(client, value, "1")


def test_a_usual_service_url_takes_the_shortcut() -> None:
    client = _client("https://smba.trafficmanager.net/amer/")
    fast = ReplyUrl.for_client(client._client)

    assert fast is not None
    assert fast(REPLY_PATH, conversationId="a%3Ab", activityId="1") == (
        "https://smba.trafficmanager.net/amer/v3/conversations/a%3Ab/activities/1"
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    conversation=st.sampled_from(ODD_IDS) | st.text(max_size=20),
    activity=st.sampled_from(ODD_IDS) | st.text(max_size=20),
)
def test_unquoted_path_values_are_joined_as_msrest_joins_them(
    conversation: str, activity: str
) -> None:
    client = _client("https://smba.trafficmanager.net/amer/")
    fast = ReplyUrl.for_client(client._client)
    assert fast is not None

    def call(format_url: Any) -> tuple[str, str]:
        return _outcome(
            lambda: format_url(REPLY_PATH, conversationId=conversation, activityId=activity)
        )

    assert call(fast) == call(client._client.format_url)
