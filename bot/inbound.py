"""What ``POST /api/messages`` accepts, and how a turn's result becomes the HTTP answer.

A request becomes an :class:`~botbuilder.schema.Activity` only if it is JSON
(``Content-Type: application/json``, else 415), at most :data:`MAX_BODY_BYTES` (else 413), and
one well-formed JSON object (else 400) with the fields every turn needs: ``type``,
``serviceUrl`` (http or https) and ``conversation.id``; where present, a string ``id`` and
``text`` and object ``from``, ``recipient`` and ``channelData`` (which Teams always sends); and
no ``deliveryMode: expectReplies`` on an invoke (else 400). Ids longer than
:data:`MAX_ID_CHARS` or with control characters are refused too: they end up in the
connector's URLs and in the retry memory. The body is read once and parsed once.

The reverse direction, :func:`http_response`, does what botbuilder's ``CloudAdapter.process``
does with an ``InvokeResponse``, without its two HTTP 500s: a body that is already plain JSON
(the ``ExpectedReplies`` of ``deliveryMode: expectReplies``, or a dict an invoke handler
serialized itself) is sent as it is; only models are serialized.
"""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from typing import Any

from aiohttp import hdrs, web
from botbuilder.core import InvokeResponse, serializer_helper
from botbuilder.schema import Activity
from msrest.serialization import Model

from bot.activity_json import read_activity_json

log = logging.getLogger(__name__)

#: The largest request body accepted (413 above). Teams caps a message at about 28 KB
#: (text, cards and attachments together) and invokes are small, so 256 KiB leaves a wide
#: margin while keeping a flood of big bodies cheap to refuse.
MAX_BODY_BYTES = 256 * 1024
JSON = "application/json"
TEAMS = "msteams"
INVOKE = "invoke"
EXPECT_REPLIES = "expectReplies"

_URL_SCHEMES = ("https://", "http://")
#: Optional fields the turn reads directly: a wrong JSON type there is a 400, not a crash.
_OPTIONAL_STRINGS = ("text",)
_OPTIONAL_OBJECTS = ("from", "recipient", "channelData")
#: Longest activity or conversation id accepted. Teams' are under about 200 characters; the
#: bound keeps the retry memory (bot.dedup, 10,000 ids) and the connector's URLs small.
MAX_ID_CHARS = 512
#: Ids go into the connector's URLs: no control characters (Teams ids never have any).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def read_activity(request: web.Request) -> Activity:
    """The activity a request carries, or the 4xx that says why there is none.

    Args:
        request: A ``POST /api/messages`` request.

    Returns:
        The deserialized activity.

    Raises:
        web.HTTPUnsupportedMediaType: The body is not declared as JSON (415).
        web.HTTPRequestEntityTooLarge: The body is larger than :data:`MAX_BODY_BYTES` (413).
        web.HTTPBadRequest: Not JSON, not an object, or missing or mistyped fields (400).
    """
    # Not request.content_type: Python's MIME parser raises on some malformed headers (";0*").
    media_type = request.headers.get(hdrs.CONTENT_TYPE, "").partition(";")[0]
    if media_type.strip().lower() != JSON:
        raise web.HTTPUnsupportedMediaType(text=f"expected an {JSON} activity")
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:  # refuse before reading a byte
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=length)
    raw = await request.read()  # the application's client_max_size also stops chunked bodies
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # ValueError: bad JSON, bad UTF-8, huge int literal
        raise web.HTTPBadRequest(text="the body is not valid JSON") from None
    problem = activity_problem(body)
    if problem is not None:
        raise web.HTTPBadRequest(text=problem)
    try:  # msrest raises ValueErrors, and TypeError or AttributeError on some mistyped fields
        activity = read_activity_json(body)  # Activity.deserialize(body), faster
    except (ValueError, TypeError, AttributeError, RecursionError):
        raise web.HTTPBadRequest(text="the body is not a Bot Framework activity") from None
    return activity


def activity_problem(body: object) -> str | None:
    """Why a parsed body cannot be an activity for this bot, or ``None`` when it can.

    Only the fields a turn relies on are checked; everything else is botbuilder's to read.
    """
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "the activity has no type"
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(_URL_SCHEMES):
        return "the activity has no http(s) serviceUrl"
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not _is_id(conversation.get("id")):
        return "the activity has no valid conversation.id"
    if body.get("id") is not None and not _is_id(body["id"]):
        return "the activity's id is not a valid id"
    for name in _OPTIONAL_STRINGS:
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"the activity's {name} is not a string"
    for name in _OPTIONAL_OBJECTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"the activity's {name} is not an object"
    if kind == INVOKE and body.get("deliveryMode") == EXPECT_REPLIES:
        # An invoke already answers in its response; botbuilder 4.17.1 fails on some (500).
        return "expectReplies is not supported for invokes"
    if body.get("channelId") == TEAMS and not isinstance(body.get("channelData"), dict):
        return "the Teams activity has no channelData"
    return None


def http_response(invoke_response: InvokeResponse | None) -> web.Response:
    """The HTTP answer to a finished turn: 201 with no body, or the invoke response.

    Args:
        invoke_response: What ``process_activity`` returned (``None`` for most activities).
    """
    if invoke_response is None:
        return web.Response(status=HTTPStatus.CREATED)
    status = int(invoke_response.status or HTTPStatus.OK)
    body: Any = invoke_response.body
    if body is None:
        return web.Response(status=status)
    try:
        return web.json_response(
            serializer_helper(body) if isinstance(body, Model) else body, status=status
        )
    except (ValueError, TypeError):  # msrest's SerializationError is a ValueError
        # botbuilder's own adaptiveCard/action error responses hold an Exception: say the
        # status without the body rather than fail the request.
        log.warning("invoke response body of type %s cannot be sent", type(body).__name__)
        return web.Response(status=status)


def _is_id(value: object) -> bool:
    return (
        isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and _CONTROL.search(value) is None
    )
