"""The question log through the real endpoint: ask, click, vote, then the store holds it all.

The real aiohttp app (``create_app``) with a recorder on each store (SQLite, and PostgreSQL on
the session's server); replies go to the fake Bot Connector on 127.0.0.1.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from bot.actions import VIA_CHOICE, VIA_RELATED
from bot.app import create_app
from bot.cards import HELPFUL, NONE_OF_THESE, NOT_HELPFUL
from bot.faq_bot import FaqBot
from bot.recorder import Recorder, hash_user
from bot.records import EventKind, RecordStore, Surface
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import (
    EMULATOR_MESSAGE,
    TEAMS_COMPOSE_SEARCH,
    card_submit,
    payload,
    teams_message,
)
from tests.adaptive_cards import assert_valid_card, rows, submit_button
from tests.endpoint.fake_connector import FakeConnector
from tests.storage.conftest import StoreFactory

SALT = "endpoint-test-salt-0123456789"
ANA_AAD = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"  # from.aadObjectId of the Teams payloads
EMULATOR_USER = "5e1f0a4c-2b7d-4c39-9a44-6d1d8c0b7f21"  # from.id of the Emulator payload
_ids = itertools.count(1)

Client = TestClient[web.Request, web.Application]


def fresh_id() -> str:
    """A new activity id (the app ignores a repeated id as a connector retry)."""
    return f"activity-{next(_ids)}"


@pytest.fixture
async def store(store_factory: StoreFactory) -> RecordStore:
    return store_factory()  # opened by the recorder when the app starts


@pytest.fixture
async def recorder(store: RecordStore) -> AsyncIterator[Recorder]:
    rec = Recorder(store, salt=SALT, interval=3600, retry_delay=0)
    yield rec
    await rec.close()  # also on_cleanup; a second close is harmless


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, matcher: TfidfMatcher, recorder: Recorder
) -> Client:
    return await aiohttp_client(create_app(Settings(), FaqBot(matcher, recorder=recorder)))


async def post(client: Client, activity: dict[str, Any]) -> int:
    response = await client.post("/api/messages", json={**activity, "id": fresh_id()})
    await response.read()
    return response.status


async def test_ask_choose_and_vote_are_recorded_and_linked(
    client: Client, connector: FakeConnector, recorder: Recorder, store: RecordStore
) -> None:
    assert await post(client, teams_message("what is the esd", service_url=connector.url)) == 201
    did_you_mean = connector.messages[-1].card
    assert_valid_card(did_you_mean)
    (choice,) = [data for _, data in rows(did_you_mean) if data["id"] == "esd-kickoff"]
    assert choice["via"] == VIA_CHOICE

    assert await post(client, card_submit(choice, service_url=connector.url)) in (200, 201)
    answer = connector.messages[-1].card
    assert_valid_card(answer)
    helpful = submit_button(answer, HELPFUL)
    assert await post(client, card_submit(helpful, service_url=connector.url)) in (200, 201)
    await recorder.flush()

    (question,) = await store.questions()
    assert question.user == hash_user(ANA_AAD, SALT)  # the Entra id, salted; never the id
    assert (question.channel, question.conversation_type) == ("msteams", "personal")
    assert question.surface is Surface.CHAT
    assert question.text == "what is the esd"
    assert question.decision == "clarify"
    assert (question.entry_id, question.runner_up_id) == ("esd-purpose", "esd-kickoff")
    assert question.score is not None
    assert question.runner_up_score is not None
    assert question.score >= question.runner_up_score
    click, vote = await store.events()
    assert (click.kind, click.entry_id, click.question_id) == (
        EventKind.CHOICE,
        "esd-kickoff",
        question.id,
    )
    assert click.question_text == "what is the esd"
    assert (vote.kind, vote.entry_id, vote.question_id) == (
        EventKind.HELPFUL,
        "esd-kickoff",
        question.id,
    )
    assert vote.question_text == "what is the esd"
    assert click.user == vote.user == question.user


async def test_related_clicks_none_of_these_and_votes_without_a_choice(
    client: Client, connector: FakeConnector, recorder: Recorder, store: RecordStore
) -> None:
    await post(client, teams_message("request sme", service_url=connector.url))
    answer = connector.messages[-1].card
    related = [data for _, data in rows(answer) if data.get("via") == VIA_RELATED]
    not_helpful = submit_button(answer, NOT_HELPFUL)
    await post(client, teams_message("engagement start date", service_url=connector.url))
    none = submit_button(connector.messages[-1].card, NONE_OF_THESE)
    await post(client, card_submit(none, service_url=connector.url))
    await post(client, card_submit(not_helpful, service_url=connector.url))
    for data in related[:1]:
        await post(client, card_submit(data, service_url=connector.url))
    await recorder.flush()

    answered, ambiguous = await store.questions()
    assert (answered.decision, answered.entry_id) == ("answer", "request-sme")
    kinds = [(e.kind, e.question_id, e.entry_id) for e in await store.events()]
    assert kinds[:2] == [
        (EventKind.NONE_OF_THESE, ambiguous.id, None),
        (EventKind.NOT_HELPFUL, answered.id, "request-sme"),
    ]
    assert kinds[2:] == [(EventKind.RELATED, answered.id, data["id"]) for data in related[:1]]


async def test_small_talk_the_emulator_and_topic_clicks_are_recorded(
    client: Client, connector: FakeConnector, recorder: Recorder, store: RecordStore
) -> None:
    await post(client, payload(EMULATOR_MESSAGE, service_url=connector.url, text="help"))
    topics = connector.messages[-1].card
    _, first_topic = rows(topics)[0]
    await post(client, payload(EMULATOR_MESSAGE, service_url=connector.url, value=first_topic))
    await post(client, payload(EMULATOR_MESSAGE, service_url=connector.url, text="pizza recipe"))
    await recorder.flush()

    small_talk, unknown = await store.questions()
    assert (small_talk.decision, small_talk.channel, small_talk.conversation_type) == (
        "smalltalk",
        "emulator",
        "",
    )
    assert small_talk.user == hash_user(EMULATOR_USER, SALT)  # no Entra id: the channel's
    assert (unknown.decision, unknown.entry_id) == ("none", None)
    (topic,) = await store.events()
    assert (topic.kind, topic.entry_id, topic.question_id) == (
        EventKind.TOPIC,
        first_topic["id"],
        None,
    )


async def test_compose_box_searches_are_recorded_but_not_the_empty_first_run(
    client: Client, connector: FakeConnector, recorder: Recorder, store: RecordStore
) -> None:
    search = payload(TEAMS_COMPOSE_SEARCH, service_url=connector.url)
    empty = {**search["value"], "parameters": [{"name": "query", "value": ""}]}
    next_page = {**search["value"], "queryOptions": {"skip": 25, "count": 25}}

    for value in (empty, search["value"], next_page):
        response = await client.post(
            "/api/messages", json={**search, "id": fresh_id(), "value": value}
        )
        assert response.status == 200
        await response.read()
    await recorder.flush()

    (question,) = await store.questions()
    assert question.surface is Surface.SEARCH
    assert question.text == "sme request"
    assert question.entry_id == "request-sme"
    assert question.user == hash_user(ANA_AAD, SALT)
    assert connector.calls == []  # a search answers in the HTTP response, not the connector


async def test_readyz_shows_the_question_log_counters(
    client: Client, connector: FakeConnector, recorder: Recorder
) -> None:
    await post(client, teams_message("request sme", service_url=connector.url))
    await recorder.flush()

    response = await client.get("/readyz")

    counters = (await response.json())["question_log"]
    assert counters["written"] == 1
    assert counters["dropped"] == counters["pending"] == 0
