"""Compose-box FAQ search: the ``composeExtension/query`` invoke through the real endpoint.

botbuilder 4.17.1 answers HTTP 500 when an invoke body is serialized twice, so these tests
check the status and the JSON body Teams receives, not a handler's return value.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.search import MAX_RESULTS, SEARCH_COMMAND
from tests.activities import TEAMS_COMPOSE_SEARCH, payload
from tests.adaptive_cards import assert_valid_card, texts
from tests.endpoint.fake_connector import FakeConnector
from tests.samples import KNOWLEDGE, REQUEST_SME

Client = TestClient[web.Request, web.Application]
#: Teams' limit for a messaging extension's response.
MAX_RESPONSE_BYTES = 28_000


def _search(value: object, connector: FakeConnector) -> dict[str, Any]:
    return payload(TEAMS_COMPOSE_SEARCH, service_url=connector.url, value=value)


def _query(text: str, **options: Any) -> dict[str, Any]:
    return {
        "commandId": SEARCH_COMMAND,
        "parameters": [{"name": "query", "value": text}],
        "queryOptions": options or {"skip": 0, "count": 25},
    }


async def _results(client: Client, activity: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.post("/api/messages", json=activity)
    assert response.status == 200
    raw = await response.read()
    assert len(raw) < MAX_RESPONSE_BYTES
    body = await response.json()
    result = body["composeExtension"]
    assert result["type"] == "result"
    assert result["attachmentLayout"] == "list"
    attachments: list[dict[str, Any]] = result["attachments"]
    return attachments


async def test_typed_query_lists_the_best_entry_first(
    client: Client, connector: FakeConnector
) -> None:
    (first, *_) = await _results(client, _search(_query("sme request"), connector))
    assert first["preview"]["content"]["title"] == REQUEST_SME.question
    assert first["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = first["content"]
    assert_valid_card(card)
    assert texts(card)[0] == REQUEST_SME.question
    assert "Action.Submit" not in str(card)  # posted as the user's message: links only
    assert connector.posts == []  # an invoke is answered in the HTTP response, not a reply


async def test_initial_run_lists_the_questions(client: Client, connector: FakeConnector) -> None:
    initial = {"commandId": SEARCH_COMMAND, "parameters": [{"name": "initialRun", "value": "true"}]}
    results = await _results(client, _search(initial, connector))
    expected = [entry.question for entry in KNOWLEDGE.entries][:MAX_RESULTS]
    assert [r["preview"]["content"]["title"] for r in results] == expected


@pytest.mark.parametrize(
    "value",
    [
        _query("👍" * 50),
        _query("x" * 20_000),
        _query("", skip=-3, count="many"),
        {"commandId": "somethingElse"},
        {"parameters": "junk"},
        "not even a mapping",
        None,
    ],
    ids=["emoji", "huge", "bad-options", "unknown-command", "junk-parameters", "string", "none"],
)
async def test_odd_queries_get_a_list_never_an_error(
    client: Client, connector: FakeConnector, value: object
) -> None:
    results = await _results(client, _search(value, connector))
    assert len(results) <= MAX_RESULTS
    for result in results:
        assert_valid_card(result["content"])


async def test_paging_follows_query_options(client: Client, connector: FakeConnector) -> None:
    everything = await _results(client, _search(_query("", skip=0, count=25), connector))
    second = await _results(client, _search(_query("", skip=1, count=1), connector))
    assert second == everything[1:2]
