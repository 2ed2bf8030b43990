"""Outbound calls to the Bot Connector: pooled connections, cached clients, bounded retries.

botbuilder 4.17.1's ``CloudAdapter`` builds a new ``ConnectorClient`` and a new
``UserTokenClient`` for every turn (most of a turn's CPU), sends each request through
``requests`` in a worker thread on a fresh TCP connection, and retries with urllib3's policy
(5xx only, up to ~10 s, never 429 or 412). This module keeps botbuilder as the framework and
its inbound authentication exactly as it is, and changes only how outbound calls travel:

- :class:`ConnectorPool` owns one ``aiohttp.ClientSession`` (keep-alive, a small connection
  pool per host) and one ``ConnectorClient`` per (app id, service URL, audience), whose
  credentials and token cache live as long as the process.
- :class:`RetryPolicy` retries 408, 412, 429 (honouring ``Retry-After``), 500, 502, 503, 504
  and connection errors with exponential backoff and full jitter, inside a deadline shared
  by every outbound call of a turn, so a turn ends well inside the channel's 15 s.
- :class:`PooledAuthentication` wraps ``ConfigurationBotFrameworkAuthentication``: inbound
  authentication is delegated untouched; only the connector factory changes, and the user
  token client (OAuth sign-in, which this bot does not use) is built only if asked for.
- :class:`PooledCloudAdapter` is the ``CloudAdapter`` that wires these together and starts
  the turn's deadline; the app closes it on clean-up.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.models import ErrorResponseException
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse

from bot.activity_json import ActivitySerializer
from bot.settings import DEFAULT_CONNECTOR_CONNECTIONS

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

#: Clients kept (one per app id, service URL and audience); the oldest is dropped beyond this.
MAX_CLIENTS = 256
#: How long a bearer token from the credentials' cache is reused before asking it again.
#: MSAL hands out cached tokens only while they have 5+ minutes left, so 4 minutes is safe.
TOKEN_REUSE_SECONDS = 240.0

#: Deadline (``clock()`` seconds) shared by the outbound calls of the current turn.
_TURN_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "connector_turn_deadline", default=None
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before retrying a connector call.

    Attributes:
        attempts: Tries per call, the first one included.
        base_delay: Ceiling of the first backoff, in seconds; it doubles on each retry.
        max_delay: Ceiling of any backoff.
        max_retry_after: A ``Retry-After`` longer than this is cut down to it.
        attempt_timeout: Seconds one HTTP exchange may take.
        turn_budget: Seconds all the outbound calls of one turn may take together (a call
            outside a turn gets a budget of its own). A retry that could not finish inside
            it is not started.
        retry_statuses: HTTP statuses worth another try: 412 and 429 are Teams' throttling
            and "conversation busy" answers, 502/504 its gateway hiccups; 408, 500 and 503
            were already retried by msrest's policy.
    """

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 2.0
    max_retry_after: float = 5.0
    attempt_timeout: float = 5.0
    turn_budget: float = 10.0
    retry_statuses: frozenset[int] = frozenset({408, 412, 429, 500, 502, 503, 504})

    def backoff(self, retry: int, unit: float) -> float:
        """The wait before retry number ``retry`` (1 for the first): full jitter.

        Args:
            retry: 1 before the second attempt, 2 before the third, ...
            unit: A uniform random number in [0, 1).

        Returns:
            A uniform draw in [0, min(max_delay, base_delay * 2 ** (retry - 1))).
        """
        ceiling: float = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return unit * ceiling

    def delay(self, retry: int, unit: float, retry_after: float | None) -> float:
        """The wait before retry ``retry``: the server's ``Retry-After`` (capped) if it sent one."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        return self.backoff(retry, unit)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header (delta-seconds or an HTTP date).

    Args:
        value: The header's value, or ``None`` when absent.
        now: The current Unix time, for HTTP dates (tests pass a fixed one).

    Returns:
        Seconds (never negative), or ``None`` when absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(moment.timestamp() - current, 0.0)


class _ConnectorResponse(AsyncClientResponse):
    """An HTTP response whose body is already read (what msrest's deserializer expects)."""

    def __init__(
        self, request: ClientRequest, response: aiohttp.ClientResponse, body: bytes
    ) -> None:
        super().__init__(request, response)
        self.status_code = response.status
        self.headers = response.headers  # type: ignore[assignment]  # read-only is enough
        self.reason = response.reason
        self._body = body
        #: What msrest's pipeline learnt about the response (its deserializer reads it).
        self.context: dict[str, Any] = {}

    def body(self) -> bytes:
        return self._body


class _BearerToken(AsyncHTTPPolicy[ClientRequest, AsyncClientResponse]):
    """Adds the bot's bearer token, kept by the (long-lived) credentials.

    MSAL's token acquisition is synchronous and, on a cache miss, goes to the network: it runs
    in a worker thread so the event loop never waits on Entra ID.
    """

    def __init__(self, credentials: Any, clock: Clock) -> None:
        super().__init__()
        self._credentials = credentials
        self._clock = clock
        self._header: str | None = None
        self._until = 0.0

    async def send(
        self, request: Request[ClientRequest], **kwargs: Any
    ) -> Response[ClientRequest, AsyncClientResponse]:
        header = await self.authorization()
        headers = request.http_request.headers
        if header is None:
            headers.pop("Authorization", None)
        else:
            headers["Authorization"] = header
        assert self.next is not None  # the pipeline links every policy to the sender
        return await self.next.send(request, **kwargs)

    async def authorization(self) -> str | None:
        """The ``Authorization`` header value, or ``None`` with authentication off."""
        credentials = self._credentials
        app_id = getattr(credentials, "microsoft_app_id", None)
        if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
            return None  # authentication off (the Emulator): no token, as botbuilder does
        if self._header is None or self._clock() >= self._until:
            token = await asyncio.to_thread(credentials.get_access_token)
            self._header = f"Bearer {token}"
            self._until = self._clock() + TOKEN_REUSE_SECONDS
        return self._header


class _RetryingSender(AsyncHTTPSender[ClientRequest, AsyncClientResponse]):
    """Sends msrest requests over the pool's shared session, retrying per the pool's policy."""

    def __init__(self, pool: ConnectorPool) -> None:
        self._pool = pool

    async def __aenter__(self) -> _RetryingSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None  # the pool owns the session

    def build_context(self) -> None:
        return None

    async def send(
        self, request: Request[ClientRequest], **kwargs: Any
    ) -> Response[ClientRequest, AsyncClientResponse]:
        response = await self._pool.exchange(request.http_request)
        return Response(request, response)


class ConnectorPool:
    """The process's outbound HTTP: one session, one client per target, bounded retries.

    Args:
        policy: When to retry and how long a turn may spend on the connector.
        connections_per_host: Requests per host that may be in flight at once, each on its own
            pooled keep-alive connection; more wait for a free one (``FAQ_CONNECTOR_CONNECTIONS``,
            see :mod:`bot.settings` for the sizing).
        max_clients: Cached connector clients kept.
        sleep: Awaitable sleep (tests pass a recorder that returns at once).
        clock: Monotonic seconds, for deadlines and the token reuse.
        unit_random: Uniform [0, 1) draws, for the jitter.

    The session is created on first use, inside the running event loop; :meth:`close` ends it.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        connections_per_host: int = DEFAULT_CONNECTOR_CONNECTIONS,
        max_clients: int = MAX_CLIENTS,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        unit_random: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.unit_random = unit_random
        self._connections_per_host = connections_per_host
        self._max_clients = max_clients
        self._session: aiohttp.ClientSession | None = None
        self._clients: OrderedDict[tuple[str | None, str, str | None], ConnectorClient] = (
            OrderedDict()
        )
        self._credentials: dict[tuple[str | None, str | None], Any] = {}
        self._serializer: _PathSerializer | None = None

    # ------------------------------------------------------------------ clients
    async def client(
        self,
        app_id: str | None,
        service_url: str,
        audience: str | None,
        build: Callable[[], Awaitable[ConnectorClient]],
    ) -> ConnectorClient:
        """The cached client for this target, built once with botbuilder's own factory.

        Args:
            app_id: The bot's app id from the inbound claims (``None`` with auth off).
            service_url: The conversation's ``serviceUrl``.
            audience: The token audience (scope) the client's credentials ask for.
            build: botbuilder's ``ConnectorFactory.create`` for this target.
        """
        key = (app_id, service_url, audience)
        client = self._clients.get(key)
        if client is not None:
            return client
        built: ConnectorClient = await build()
        client = self._clients.get(key)  # another turn may have built it meanwhile
        if client is not None:
            return client
        credentials = self._credentials.setdefault((app_id, audience), built.config.credentials)
        built.config.credentials = credentials
        if self._serializer is None:
            self._serializer = _PathSerializer(built._serialize.dependencies)
        reply_url = ReplyUrl.for_client(built._client)
        if reply_url is not None:
            built._client.format_url = reply_url
        built._serialize = self._serializer
        built.conversations._serialize = self._serializer
        built.attachments._serialize = self._serializer
        bearer = _BearerToken(credentials, self.clock)
        built.config.pipeline = AsyncPipeline(
            [
                built.config.user_agent_policy,
                bearer,
                RawDeserializer(),
                built.config.http_logger_policy,
            ],
            _RetryingSender(self),
        )
        built.conversations = _DirectSends(built.conversations, built, self, bearer)
        self._clients[key] = built
        while len(self._clients) > self._max_clients:
            self._clients.popitem(last=False)
        log.debug("connector client for %s", service_url)
        return built

    # ------------------------------------------------------------------ HTTP
    def _session_in_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=0, limit_per_host=self._connections_per_host, keepalive_timeout=60
                ),
                # The connector's answers are small JSON; msrest decides what a status means.
                raise_for_status=False,
                auto_decompress=True,
                # No cookies: botbuilder's stock adapter never carried one from a turn to the
                # next (a new client each turn), and the jar cost time on every request.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    def _deadline(self) -> float:
        own = self.clock() + self.policy.turn_budget
        turn = _TURN_DEADLINE.get()
        return own if turn is None else min(own, turn)

    async def exchange(self, request: ClientRequest) -> _ConnectorResponse:
        """One connector call: send, and retry per the policy until it succeeds or gives up.

        Returns:
            The last response (a non-retryable status, or the last retryable one): msrest
            turns an error status into the same ``ErrorResponseException`` as before.

        Raises:
            msrest.exceptions.ClientRequestError: No response at all (connection refused,
                reset or timed out) after the last attempt, or no time left in the turn.
        """
        body = request.data
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {
            name: value for name, value in request.headers.items() if name != "Content-Length"
        }
        return await self.send(request, headers, data)

    async def send(
        self, request: ClientRequest, headers: Mapping[str, str], data: bytes | None
    ) -> _ConnectorResponse:
        """:meth:`exchange` for a request whose headers and body are already final.

        Args:
            request: Its method and URL are used; the response refers to it, as msrest's do.
            headers: Sent as they are (aiohttp adds ``Host`` and ``Content-Length``).
            data: The body.
        """
        policy = self.policy
        deadline = self._deadline()
        failure: BaseException | None = None
        last: _ConnectorResponse | None = None
        for attempt in range(1, policy.attempts + 1):
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            try:
                last = await self._send_once(
                    request, headers, data, min(policy.attempt_timeout, remaining)
                )
            except (aiohttp.ClientError, TimeoutError) as error:
                failure, last = error, None
            if last is not None and last.status_code not in policy.retry_statuses:
                return last
            if attempt == policy.attempts:
                break
            retry_after = (
                parse_retry_after(last.headers.get("Retry-After")) if last is not None else None
            )
            wait = policy.delay(attempt, self.unit_random(), retry_after)
            if self.clock() + wait >= deadline:
                break
            log.warning(
                "connector %s %s: %s; retry %d of %d in %.2f s",
                request.method,
                _redact(request.url),
                last.status_code if last is not None else type(failure).__name__,
                attempt,
                policy.attempts - 1,
                wait,
            )
            await self.sleep(wait)
        if last is not None:
            return last  # msrest raises its usual ErrorResponseException for the status
        reason = type(failure).__name__ if failure is not None else "no time left in the turn"
        raise ClientRequestError(
            f"connector unreachable: {request.method} {_redact(request.url)}: {reason}"
        ) from failure

    async def _send_once(
        self,
        request: ClientRequest,
        headers: Mapping[str, str],
        data: bytes | None,
        seconds: float,
    ) -> _ConnectorResponse:
        session = self._session_in_loop()
        async with session.request(
            request.method,
            request.url,
            headers=headers,
            data=data,
            timeout=aiohttp.ClientTimeout(total=seconds),
            allow_redirects=False,
        ) as response:
            payload = await response.read()
        return _ConnectorResponse(request, response, payload)

    # ------------------------------------------------------------------ life cycle
    async def close(self) -> None:
        """Close the session (and with it every pooled connection); clients are dropped."""
        self._clients.clear()
        self._credentials.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None


#: The path of ``ConversationsOperations.reply_to_activity`` (every reply this bot sends).
REPLY_PATH = "/v3/conversations/{conversationId}/activities/{activityId}"


class _PathSerializer(ActivitySerializer):
    """:class:`ActivitySerializer` whose path parameters skip msrest's generic dispatch.

    msrest serializes a ``str`` path parameter as ``quote(str(value), safe="")`` after
    checking it is not ``None``; that is done directly here (anything else goes to msrest).
    """

    def url(self, name: str, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type == "str" and type(data) is str and not kwargs:
            return quote(data, safe="")
        return super().url(name, data, data_type, **kwargs)  # type: ignore[no-untyped-call]


class ReplyUrl:
    """msrest's ``format_url`` for one client, without re-parsing the URL of every reply.

    msrest formats the reply path, joins it to the service URL with ``urljoin`` and then,
    when the request is built, formats and parses the joined URL again (~20 us a reply).
    For a path whose segments are plain (serialized ids are percent-quoted: no ``/``, ``?``,
    ``#``, ``;``, ``:`` or braces; a segment is then never empty, ``.`` or ``..``), joining
    it is appending it to the service URL's resolved prefix, which is computed once by msrest
    itself. Any other call is msrest's, so the URLs are always exactly msrest's.
    """

    def __init__(self, stock: Callable[..., str], prefix: str) -> None:
        self._stock = stock
        self._prefix = prefix

    @classmethod
    def for_client(cls, client: Any) -> ReplyUrl | None:
        """The fast ``format_url`` for msrest ``client``, or ``None`` if its URL is unusual.

        Args:
            client: The ``ServiceClientAsync`` of a ``ConnectorClient``.
        """
        stock: Callable[..., str] = client.format_url
        base = client.config.base_url
        if not isinstance(base, str) or "{" in base or "}" in base:
            return None
        try:
            joined = stock("/x")
        except ValueError:
            return None
        if not joined.endswith("/x") or "{" in joined or "}" in joined:
            return None
        prefix = joined[:-1]
        parts = urlsplit(prefix)
        scheme_end = len(parts.scheme)
        if not (
            parts.scheme
            and parts.netloc
            and prefix[:scheme_end].lower() == parts.scheme
            and prefix[scheme_end:].startswith(f"://{parts.netloc}/")
        ):
            return None
        return cls(stock, prefix)

    def __call__(self, url: str, **kwargs: Any) -> str:
        if url == REPLY_PATH and len(kwargs) == 2:
            conversation = kwargs.get("conversationId")
            activity = kwargs.get("activityId")
            if _plain_segment(conversation) and _plain_segment(activity):
                return f"{self._prefix}v3/conversations/{conversation}/activities/{activity}"
        elif not kwargs and url.startswith(self._prefix) and _plain_path(url):
            return url  # an absolute URL: msrest's format() and parse leave it as it is
        return self._stock(url, **kwargs)


#: The path of ``ConversationsOperations.send_to_conversation``.
SEND_PATH = "/v3/conversations/{conversationId}/activities"
#: Statuses the two send operations accept (each then reads a ``ResourceResponse``).
_SENT = (200, 201, 202)


class _DirectSends(ConversationsOperations):  # type: ignore[misc]
    """A connector client's conversation operations, the two that send an activity made direct.

    ``reply_to_activity`` and ``send_to_conversation`` (every message this bot sends) build
    the request msrest's operation and pipeline build (same URL, headers in the same order,
    the same JSON body) and read the answer with the same deserializer, but skip msrest's
    request objects and its policy chain. Anything unusual (custom headers, ``raw``, per-call
    options, msrest's HTTP logging) and every other operation take msrest's own path. The
    tests compare both paths' requests and results on the fake connector.
    """

    def __init__(
        self,
        stock: ConversationsOperations,
        client: ConnectorClient,
        pool: ConnectorPool,
        bearer: _BearerToken,
    ) -> None:
        super().__init__(stock._client, stock.config, stock._serialize, stock._deserialize)
        self._pool = pool
        self._bearer = bearer
        self._user_agent: str = client.config.user_agent_policy.user_agent

    def _direct(self, custom_headers: Any, raw: bool, options: Mapping[str, Any]) -> bool:
        return not custom_headers and not raw and not options and not self.config.enable_http_logger

    async def reply_to_activity(
        self,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
        *,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """msrest's ``reply_to_activity``, direct when nothing unusual is asked."""
        if not self._direct(custom_headers, raw, operation_config):
            return await super().reply_to_activity(
                conversation_id,
                activity_id,
                activity,
                custom_headers=custom_headers,
                raw=raw,
                **operation_config,
            )
        url = self._client.format_url(
            REPLY_PATH,
            conversationId=self._serialize.url("conversation_id", conversation_id, "str"),
            activityId=self._serialize.url("activity_id", activity_id, "str"),
        )
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "x-ms-conversation-id": conversation_id,
        }
        return await self._post(url, headers, activity)

    async def send_to_conversation(
        self,
        conversation_id: str,
        activity: Activity,
        *,
        custom_headers: Any = None,
        raw: bool = False,
        **operation_config: Any,
    ) -> Any:
        """msrest's ``send_to_conversation``, direct when nothing unusual is asked."""
        if not self._direct(custom_headers, raw, operation_config):
            return await super().send_to_conversation(
                conversation_id,
                activity,
                custom_headers=custom_headers,
                raw=raw,
                **operation_config,
            )
        url = self._client.format_url(
            SEND_PATH,
            conversationId=self._serialize.url("conversation_id", conversation_id, "str"),
        )
        headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}
        return await self._post(url, headers, activity)

    async def _post(self, url: str, headers: dict[str, str], activity: Activity) -> Any:
        # msrest's ClientRequest.add_content, then its pipeline: user agent, bearer token.
        data = json.dumps(self._serialize.body(activity, "Activity")).encode("utf-8")
        headers["User-Agent"] = self._user_agent
        authorization = await self._bearer.authorization()
        if authorization is not None:
            headers["Authorization"] = authorization
        response = await self._pool.send(ClientRequest("POST", url), headers, data)
        # RawDeserializer's answer, kept where msrest's deserializer looks for it.
        response.context = {
            RawDeserializer.CONTEXT_NAME: RawDeserializer.deserialize_from_http_generics(
                response.text(), response.headers
            )
        }
        if response.status_code not in _SENT:
            raise ErrorResponseException(self._deserialize, response)
        return self._deserialize("ResourceResponse", response)

    # msrest's operations read their URL template from the method they run as.
    reply_to_activity.metadata = ConversationsOperations.reply_to_activity.metadata  # type: ignore[attr-defined]
    send_to_conversation.metadata = ConversationsOperations.send_to_conversation.metadata  # type: ignore[attr-defined]


#: Characters ``quote(..., safe="")`` leaves as they are, and ``%``.
_QUOTED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~%")


def _plain_segment(value: object) -> bool:
    """Whether ``value`` is a path segment ``urljoin`` keeps as it is."""
    return isinstance(value, str) and value not in ("", ".", "..") and _QUOTED.issuperset(value)


def _plain_path(url: str) -> bool:
    """Whether ``url`` has nothing ``str.format`` would change."""
    return "{" not in url and "}" not in url


def _redact(url: str) -> str:
    """The service URL and the operation, without conversation or activity ids (for logs)."""
    base, marker, rest = url.split("?", 1)[0].partition("/v3/conversations/")
    if not marker:
        return base
    if "/activities/" in rest:
        operation = "/activities/<id>"
    elif "/activities" in rest:
        operation = "/activities"
    else:
        operation = ""
    return f"{base}{marker}<conversation>{operation}"


def _app_id(claims_identity: ClaimsIdentity | None) -> str | None:
    """The bot's app id as botbuilder reads it from the inbound claims."""
    if claims_identity is None:
        return None
    app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if app_id is None:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return app_id if isinstance(app_id, str) else None


class _PooledConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """botbuilder's connector factory for one app id, answered from the pool."""

    def __init__(self, pool: ConnectorPool, app_id: str | None, stock: ConnectorFactory) -> None:
        self._pool = pool
        self._app_id = app_id
        self._stock = stock

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        async def build() -> ConnectorClient:
            client: ConnectorClient = await self._stock.create(service_url, audience)
            return client

        return await self._pool.client(self._app_id, service_url, audience, build)


class _LazyUserTokenClient(UserTokenClient):  # type: ignore[misc]
    """The OAuth token client, built on first use only (this bot signs no user in)."""

    def __init__(self, inner: BotFrameworkAuthentication, claims: ClaimsIdentity) -> None:
        self._inner = inner
        self._claims = claims
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._inner.create_user_token_client(self._claims)
        return self._client

    async def get_user_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_user_token(*args, **kwargs)

    async def get_sign_in_resource(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_sign_in_resource(*args, **kwargs)

    async def sign_out_user(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).sign_out_user(*args, **kwargs)

    async def get_token_status(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_token_status(*args, **kwargs)

    async def get_aad_tokens(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_aad_tokens(*args, **kwargs)

    async def exchange_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).exchange_token(*args, **kwargs)


class PooledAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, with connector clients taken from a :class:`ConnectorPool`.

    Every inbound check (JWT validation, caller id, audience) is the wrapped object's own.

    Args:
        inner: Usually ``ConfigurationBotFrameworkAuthentication(settings)``.
        pool: Where connector clients come from.
    """

    def __init__(self, inner: BotFrameworkAuthentication, pool: ConnectorPool) -> None:
        self._inner = inner
        self._pool = pool

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self._inner.authenticate_request(
            activity, auth_header
        )
        if result.connector_factory is not None:
            result.connector_factory = _PooledConnectorFactory(
                self._pool, _app_id(result.claims_identity), result.connector_factory
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self._inner.authenticate_streaming_request(
            auth_header, channel_id_header
        )
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        stock = self._inner.create_connector_factory(claims_identity)
        return _PooledConnectorFactory(self._pool, _app_id(claims_identity), stock)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return _LazyUserTokenClient(self._inner, claims_identity)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        audience: str = self._inner.get_originating_audience()
        return audience

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        claims: ClaimsIdentity = await self._inner.authenticate_channel_request(auth_header)
        return claims


class PooledCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """``CloudAdapter`` whose outbound calls go through a :class:`ConnectorPool`.

    Args:
        authentication: botbuilder's authentication for this bot (it stays in charge of
            every inbound check).
        pool: The pool to use (tests pass one with a fake sleep); a new one by default.

    Attributes:
        connectors: The pool; :meth:`close` (or the app's clean-up) closes it.
    """

    def __init__(
        self, authentication: BotFrameworkAuthentication, pool: ConnectorPool | None = None
    ) -> None:
        self.connectors = pool or ConnectorPool()
        super().__init__(PooledAuthentication(authentication, self.connectors))

    async def process_activity(
        self, auth_header_or_authenticate_request_result: Any, activity: Activity, logic: Any
    ) -> Any:
        """botbuilder's ``process_activity``, with the turn's connector deadline started."""
        token = _TURN_DEADLINE.set(self.connectors.clock() + self.connectors.policy.turn_budget)
        try:
            return await super().process_activity(
                auth_header_or_authenticate_request_result, activity, logic
            )
        finally:
            _TURN_DEADLINE.reset(token)

    def _create_turn_context(
        self,
        activity: Activity,
        claims_identity: ClaimsIdentity,
        oauth_scope: str | None,
        connector_client: ConnectorClient,
        user_token_client: UserTokenClient,
        logic: Any,
        connector_factory: ConnectorFactory,
    ) -> TurnContext:
        """botbuilder's turn context (same state, same keys), copying sent activities
        shallowly instead of deeply."""
        context = _SharedCardTurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = claims_identity
        context.turn_state[self.BOT_CONNECTOR_CLIENT_KEY] = connector_client
        context.turn_state[self.USER_TOKEN_CLIENT_KEY] = user_token_client
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        context.turn_state[self.CONNECTOR_FACTORY_KEY] = connector_factory
        context.turn_state[self.BOT_OAUTH_SCOPE_KEY] = oauth_scope
        return context

    async def close(self) -> None:
        """Close the pooled connections."""
        await self.connectors.close()

    async def on_cleanup(self, app: object) -> None:
        """aiohttp ``on_cleanup`` hook: close the pooled connections when the app stops."""
        await self.close()


class _ShallowCopiedActivity(Activity):  # type: ignore[misc]
    """An outgoing activity whose deep copy is a shallow copy, as a plain ``Activity``.

    ``TurnContext.send_activities`` deep-copies each outgoing activity so that stamping the
    conversation reference on it (top-level assignments only) leaves the caller's object
    alone; a new top-level object is all that needs. Its cards, entities and channel data are
    never changed once sent, and copying them cost as much as serializing them.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> Activity:
        copied: Activity = Activity.__new__(Activity)
        copied.__dict__.update(self.__dict__)
        return copied


def _shallow_copied(activity: Any) -> Any:
    """``activity`` marked for a shallow copy; the caller's object is untouched."""
    if type(activity) is not Activity:
        return activity
    marked = _ShallowCopiedActivity.__new__(_ShallowCopiedActivity)
    marked.__dict__.update(activity.__dict__)
    return marked


class _SharedCardTurnContext(TurnContext):  # type: ignore[misc]
    """botbuilder's ``TurnContext``, minus the deep copy of every activity it sends.

    The activity is still copied (:class:`_ShallowCopiedActivity`), its parts are shared.
    """

    async def send_activities(self, activities: list[Activity]) -> Any:
        return await super().send_activities([_shallow_copied(activity) for activity in activities])

    async def _emit(self, plugins: list[Any], arg: Any, logic: Awaitable[Any]) -> Any:
        """botbuilder's ``_emit``, awaiting ``logic`` at once when no handler is registered.

        The stock method always builds a closure that refers to itself, a reference cycle
        holding the turn context: every turn's context, activities and cards then waited for
        the cyclic garbage collector, whose collections paused the loop for 20-70 ms under
        load. With handlers, the stock method runs.
        """
        if not plugins:
            return await logic
        return await super()._emit(plugins, arg, logic)
