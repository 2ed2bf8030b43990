"""Property-based: thousands of generated requests at the real endpoint, none answered 5xx.

Hypothesis generates near-valid Teams activities (saved payloads with fields replaced by
random JSON of any type, odd text, card data, invoke names, delivery modes, repeated ids),
random JSON documents, raw bytes, and deeply nested values, each with a random content type.
Every request goes to one real app whose ``serviceUrl`` is the fake connector (generated URLs
are never used). For each request:

- the status is below 500 and the body holds no traceback;
- no turn fails (the turn error handler, which apologises, never runs);
- an accepted message whose ``(conversation id, activity id)`` has not been seen gets at
  least one reply (nothing a user sent is lost), and a repeat gets none (``bot.dedup``).

Afterwards the app still answers a normal question. The test owns its event loop so that
Hypothesis can drive one app and one connector through every example; the examples are
derandomized, so a run is repeatable.
"""

from __future__ import annotations

import asyncio
import copy
import io
import json
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.faq_bot import FaqBot
from bot.settings import Settings
from intents import TfidfMatcher
from tests.activities import (
    EMULATOR_MESSAGE,
    TEAMS_BOT_ADDED,
    TEAMS_BOT_ID,
    TEAMS_CARD_SUBMIT,
    TEAMS_CHANNEL_MESSAGE,
    TEAMS_COMPOSE_SEARCH,
    TEAMS_INSTALLATION_ADD,
    TEAMS_MEMBER_ADDED,
    TEAMS_PERSONAL_MESSAGE,
    payload,
    teams_message,
)
from tests.endpoint.fake_connector import FakeConnector
from tests.samples import ASK_SME, ENTRIES

EXAMPLES = 2000
DELETE = object()  # a field value meaning "remove the field"
DEEP = "__deeply_nested__"  # replaced by nested arrays once serialized
FRESH = "__fresh_id__"  # replaced by an activity id never sent before
BASES = [
    TEAMS_PERSONAL_MESSAGE,
    TEAMS_PERSONAL_MESSAGE,
    TEAMS_PERSONAL_MESSAGE,
    TEAMS_CHANNEL_MESSAGE,
    TEAMS_CHANNEL_MESSAGE,
    TEAMS_CARD_SUBMIT,
    TEAMS_CARD_SUBMIT,
    TEAMS_CARD_SUBMIT,
    TEAMS_COMPOSE_SEARCH,
    TEAMS_COMPOSE_SEARCH,
    TEAMS_INSTALLATION_ADD,
    TEAMS_BOT_ADDED,
    TEAMS_MEMBER_ADDED,
    EMULATOR_MESSAGE,
]

Client = TestClient[web.Request, web.Application]


class Case:
    """One generated request (a plain class: Hypothesis prints dataclasses field by field).

    Args:
        body: A JSON-ready value, or bytes sent as they are.
        content_type: The Content-Type header; ``None`` sends none.
        depth: Nesting depth of the :data:`DEEP` placeholder, if the body holds it.
    """

    def __init__(self, body: Any, content_type: str | None, depth: int = 0) -> None:
        self.body = body
        self.content_type = content_type
        self.depth = depth

    def __repr__(self) -> str:  # short: Hypothesis prints failing cases, some are huge
        body = repr(self.body)
        shown = body if len(body) <= 2000 else f"{body[:2000]}... ({len(body)} chars)"
        return f"Case({shown}, content_type={self.content_type!r}, depth={self.depth})"

    def data(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        text = json.dumps(self.body, allow_nan=True)
        if self.depth:
            text = text.replace(f'"{DEEP}"', "[" * self.depth + "1" + "]" * self.depth)
        return text.encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------------- strategies
def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``common`` about four times in five (``one_of`` weighs its branches equally)."""

    @st.composite
    def pick(draw: st.DrawFn) -> Any:
        return draw(common if draw(st.integers(0, 4)) else rare)

    return pick()


ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x00\x01\x02\x1b[31m\x7f",
        "\u202e\u200b\ufeff",
        "😀🙈🚀",
        "\ud800",  # a lone surrogate
        "<at>FastTrack Q&A</at>",
        "<at>FastTrack Q&A</at> how do I request an SME?",
        "help",
        "hi",
        ASK_SME,
        "&amp;&lt;<b>x</b>",
        "{",
        '{"action": "topics"}',
        '{"action": "open", "id": "request-sme"}',
        "[" * 3_000 + "]" * 3_000,
    ]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=200),
    ODD_STRINGS,
    st.builds(
        lambda piece, times: piece * times, st.text(min_size=1, max_size=8), st.integers(1, 12_000)
    ),
)
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON_VALUE = st.recursive(
    LEAF,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
ENTRY_IDS = [entry.id for entry in ENTRIES]
CARD_DATA = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(["open", "topics", "none", "feedback", "OPEN", ""]) | JSON_VALUE,
        "id": st.sampled_from([*ENTRY_IDS, "no-such-entry", "../x", "A"]) | JSON_VALUE,
        "q": TEXT | JSON_VALUE,
        "helpful": st.booleans() | JSON_VALUE,
        "msteams": st.fixed_dictionaries({}, optional={"value": JSON_VALUE | TEXT}) | JSON_VALUE,
    },
)
INVOKE_NAMES = st.sampled_from(
    [
        "composeExtension/query",
        "composeExtension/queryLink",
        "composeExtension/selectItem",
        "composeExtension/submitAction",
        "composeExtension/fetchTask",
        "adaptiveCard/action",
        "task/fetch",
        "task/submit",
        "tab/fetch",
        "config/fetch",
        "signin/verifyState",
        "signin/tokenExchange",
        "fileConsent/invoke",
        "actionableMessage/executeAction",
        "healthCheck",
        "unknown/thing",
        "",
    ]
)
MEMBERS = st.lists(
    st.fixed_dictionaries({"id": st.sampled_from([TEAMS_BOT_ID, "29:someone"]) | JSON_VALUE}),
    max_size=3,
)
ENTITIES = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["mention", "clientInfo"]) | JSON_VALUE},
        optional={
            "mentioned": st.fixed_dictionaries({"id": st.just(TEAMS_BOT_ID) | JSON_VALUE})
            | JSON_VALUE,
            "text": TEXT | JSON_VALUE,
        },
    ),
    max_size=3,
)
CHANNEL_DATA = st.fixed_dictionaries(
    {"tenant": st.fixed_dictionaries({"id": TEXT})},
    optional={
        "eventType": st.sampled_from(["teamMemberAdded", "channelCreated", "teamRenamed"]) | TEXT,
        "team": st.fixed_dictionaries({"id": TEXT}, optional={"name": TEXT}),
        "source": st.fixed_dictionaries({"name": TEXT}),
        "legacy": JSON_VALUE,
    },
)
ATTACHMENTS = st.lists(
    st.fixed_dictionaries(
        {
            "contentType": st.sampled_from(
                ["image/png", "text/html", "application/vnd.microsoft.card.adaptive"]
            )
            | TEXT,
        },
        optional={"content": JSON_VALUE, "contentUrl": TEXT, "name": TEXT},
    ),
    max_size=2,
)
ACTIVITY_TYPES = st.sampled_from(
    [
        "message",
        "message",
        "message",
        "invoke",
        "conversationUpdate",
        "installationUpdate",
        "messageReaction",
        "messageUpdate",
        "messageDelete",
        "event",
        "typing",
        "endOfConversation",
        "Message",
        "somethingNew",
    ]
)
#: Few distinct ids and conversations, so that repeats (retries) happen often.
#: Long ids cross MAX_ID_CHARS (512); the fake connector reads URLs up to 8 KB.
LONG_IDS = st.text(st.characters(codec="ascii"), min_size=500, max_size=520)
IDS = st.sampled_from(["1", "2", "3", "f:abc", "1715678411485"]) | st.text(max_size=6) | LONG_IDS
#: Mostly a new id (saved payloads all share theirs), sometimes one of a few that repeat.
FRESH_IDS = mostly(st.just(FRESH), st.sampled_from(["1", "2", "3"]))
CONVERSATION_IDS = st.sampled_from(["a:one", "a:two", "19:x@thread.tacv2;messageid=1"])
CONVERSATIONS = st.fixed_dictionaries(
    {"id": CONVERSATION_IDS | st.text(max_size=40) | LONG_IDS},
    optional={"conversationType": st.sampled_from(["personal", "channel"]) | JSON_VALUE},
)


def _either(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value, sometimes any JSON or no field at all."""
    return mostly(good, JSON_VALUE | st.just(DELETE))


def activities(service_url: str) -> st.SearchStrategy[Case]:
    """Saved payloads with some fields replaced, as a request with a random content type."""
    fields = {
        "type": _either(ACTIVITY_TYPES),
        "id": _either(IDS),
        "conversation": _either(CONVERSATIONS),
        "serviceUrl": st.one_of(st.just(service_url), st.just(service_url), JSON_VALUE),
        "text": _either(TEXT),
        "value": _either(CARD_DATA | st.just(DEEP)),
        "name": _either(INVOKE_NAMES),
        "deliveryMode": _either(st.sampled_from(["normal", "expectReplies", "notification"])),
        "channelId": _either(st.sampled_from(["msteams", "emulator", "webchat"])),
        "membersAdded": _either(MEMBERS),
        "membersRemoved": _either(MEMBERS),
        "entities": _either(ENTITIES),
        "replyToId": _either(IDS),
        "action": _either(st.sampled_from(["add", "remove", "add-upgrade"])),
        "from": _either(st.fixed_dictionaries({"id": TEXT})),
        "recipient": _either(st.just({"id": TEAMS_BOT_ID})),
        "channelData": _either(CHANNEL_DATA),
        "attachments": _either(ATTACHMENTS),
        "timestamp": _either(st.sampled_from(["2024-05-14T09:20:11.4851126Z", "2024-05-14"])),
        "locale": _either(st.sampled_from(["en-US", "de-DE", "xx"])),
    }

    @st.composite
    def build(draw: st.DrawFn) -> Case:
        base = payload(draw(st.sampled_from(BASES)), service_url=service_url)
        if draw(st.integers(0, 9)) == 0:  # rare among 20 fields: make sure it is tried
            base["deliveryMode"] = "expectReplies"
        if base["type"] == "invoke":  # every invoke name, not only the saved search
            base["name"] = draw(INVOKE_NAMES)
        base["id"] = draw(FRESH_IDS)
        changed = draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True))
        for key in changed:
            value = draw(fields[key])
            if value is DELETE:
                base.pop(key, None)
            else:
                base[key] = copy.deepcopy(value)
        service = base.get("serviceUrl")
        if isinstance(service, str) and service.startswith(("http:", "https:")):
            base["serviceUrl"] = service_url  # never a generated URL: it would not answer
        depth = draw(st.integers(1, 3000)) if base.get("value") == DEEP else 0
        return Case(base, draw(CONTENT_TYPES), depth)

    return build()


OTHER_CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json; charset=utf-8",
            "Application/JSON",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            ";0*",
            "",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    st.none(),
)


CONTENT_TYPES = mostly(st.just("application/json"), OTHER_CONTENT_TYPES)
OTHER_BODIES = st.one_of(
    st.builds(Case, JSON_VALUE, CONTENT_TYPES),
    st.builds(Case, st.binary(max_size=300), CONTENT_TYPES),
)


# --------------------------------------------------------------------------- the run
class Endpoint:
    """The real app and a fake connector on one event loop that this test owns."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.connector = FakeConnector()
        self.connector_server = TestServer(self.connector.app(), host="127.0.0.1")
        self.client: Client | None = None
        #: ``(conversation id, activity id)`` of every non-invoke turn that started.
        self.seen: set[tuple[str, str]] = set()
        #: What the run reached: statuses, answered messages, the reasons of the 400s.
        self.statuses: Counter[int] = Counter()
        self.answered = 0
        self.reasons: Counter[str] = Counter()
        self.fresh = 0  # the last fresh id handed out

    async def start(self, matcher: TfidfMatcher) -> None:
        await self.connector_server.start_server()
        self.connector.url = str(self.connector_server.make_url("/"))
        app = create_app(Settings(), FaqBot(matcher))
        self.client = TestClient(TestServer(app, host="127.0.0.1"))
        await self.client.start_server()

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
        await self.connector_server.close()

    def check(self, case: Case) -> None:
        self.loop.run_until_complete(self._check(case))

    async def _check(self, case: Case) -> None:
        assert self.client is not None
        if isinstance(case.body, dict) and case.body.get("id") == FRESH:
            self.fresh += 1
            case = Case({**case.body, "id": f"fresh-{self.fresh}"}, case.content_type, case.depth)
        before = len(self.connector.calls) + len(self.connector.unexpected)
        headers = {} if case.content_type is None else {"Content-Type": case.content_type}
        skip = {"Content-Type"} if case.content_type is None else set()
        data = case.data()  # aiohttp warns about bytes over 1 MiB, not about a stream
        response = await self.client.post(
            "/api/messages",
            data=data if len(data) < 2**20 else io.BytesIO(data),
            headers=headers,
            skip_auto_headers=skip,
        )
        text = await response.text()
        self.statuses[response.status] += 1
        if response.status == 400:
            self.reasons[text] += 1
        is_invoke = isinstance(case.body, dict) and case.body.get("type") == "invoke"
        if not (is_invoke and response.status == 501):  # Bot Framework's "not an invoke I know"
            assert response.status < 500, (response.status, text)
        assert "Traceback" not in text
        if response.status not in (200, 201) or not isinstance(case.body, dict):
            return
        sent = len(self.connector.calls) + len(self.connector.unexpected) - before
        if response.status == 200 and case.body.get("deliveryMode") == "expectReplies":
            sent += len((await response.json())["activities"])
        kind, activity_id = case.body["type"], case.body.get("id")
        if kind == "invoke" or not activity_id:
            return
        key = (case.body["conversation"]["id"], activity_id)
        first = key not in self.seen
        self.seen.add(key)
        if kind == "message":
            assert (sent > 0) == first, ("a new message is answered, a retry is not", key)
            self.answered += first


@pytest.fixture
def endpoint(matcher: TfidfMatcher) -> Iterator[Endpoint]:
    """One app and one fake connector, served on an event loop of their own."""
    loop = asyncio.new_event_loop()
    endpoint = Endpoint(loop)
    try:
        loop.run_until_complete(endpoint.start(matcher))
        yield endpoint
    finally:
        loop.run_until_complete(endpoint.close())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def test_generated_requests_never_get_a_5xx_and_the_app_keeps_serving(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    cases = mostly(activities(endpoint.connector.url), OTHER_BODIES)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def run(case: Case) -> None:
        endpoint.check(case)

    with caplog.at_level(logging.WARNING, logger="bot"):
        run()

    logging.getLogger(__name__).info(
        "statuses %s, messages answered %d, 400 for %s",
        endpoint.statuses,
        endpoint.answered,
        endpoint.reasons,
    )
    # The generator reaches every kind of answer, not only the easy 400s.
    assert {200, 201, 400, 413, 415, 501} <= set(endpoint.statuses)
    assert endpoint.answered >= EXAMPLES // 10
    # on_turn_error logs "unhandled error in a ... turn" before it apologises.
    failed_turns = [r for r in caplog.records if r.getMessage().startswith("unhandled error")]
    assert failed_turns == [], failed_turns[0].exc_info if failed_turns else None
    question = teams_message(ASK_SME, service_url=endpoint.connector.url, id="after-the-fuzz")
    endpoint.check(Case(question, "application/json"))
    assert endpoint.connector.messages[-1].card
