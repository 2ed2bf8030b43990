"""FAQ search from the Teams compose box (the manifest's ``searchFaq`` query command).

Turns a ``composeExtension/query`` invoke value into the result list Teams shows under the
compose box: one row per FAQ entry (title = the question, text = the answer's first line),
each inserting a read-only answer card into the conversation. Uses the same matcher as chat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botbuilder.core import CardFactory
from botbuilder.schema import ThumbnailCard
from botbuilder.schema.teams import (
    MessagingExtensionAttachment,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from bot.cards import answer_card
from intents import FaqEntry, TfidfMatcher

#: The command and parameter names of ``deployment/appPackage/manifest.json``.
SEARCH_COMMAND = "searchFaq"
QUERY_PARAMETER = "query"
#: Rows shown at most (Teams asks for 25 by default; an FAQ answer is rarely past the 10th).
MAX_RESULTS = 10
PREVIEW_CHARS = 120

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def search_response(matcher: TfidfMatcher, value: object) -> MessagingExtensionResponse:
    """The result list for one query invoke; odd or unknown input gives a sensible list.

    An empty query (Teams' initial run, when the box opens) lists the FAQ's questions in
    file order, section by section; a typed query lists the entries the matcher ranks, best
    first; a query nothing matches, or a command this bot does not have, lists nothing.
    """
    query = value if isinstance(value, Mapping) else {}
    entries: list[FaqEntry] = []
    if query.get("commandId", SEARCH_COMMAND) == SEARCH_COMMAND:
        text = _parameter(query, QUERY_PARAMETER)
        ranked = [match.entry for match in matcher.rank(text)] if text else None
        entries = list(matcher.entries_) if ranked is None else ranked
    skip, count = _page(query.get("queryOptions"))
    return MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(
            type="result",
            attachment_layout="list",
            attachments=[_result(entry) for entry in entries[skip : skip + count]],
        )
    )


def _result(entry: FaqEntry) -> MessagingExtensionAttachment:
    preview = CardFactory.thumbnail_card(
        ThumbnailCard(title=entry.question, text=_first_line(entry))
    )
    return MessagingExtensionAttachment(
        content_type=CardFactory.content_types.adaptive_card,
        content=answer_card(entry, interactive=False),
        preview=preview,
    )


def _first_line(entry: FaqEntry) -> str:
    line = _MARKDOWN_LINK.sub(r"\1", entry.answer).strip().split("\n", 1)[0]
    line = line.replace("**", "").replace("_", " ").strip()
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1].rstrip() + "…"


def _parameter(query: Mapping[str, Any], name: str) -> str:
    parameters = query.get("parameters")
    for parameter in parameters if isinstance(parameters, list) else ():
        if isinstance(parameter, Mapping) and parameter.get("name") == name:
            value = parameter.get("value")
            return value.strip() if isinstance(value, str) else ""
    return ""


def _page(options: object) -> tuple[int, int]:
    """``queryOptions`` skip/count, bounded; junk falls back to the first page."""
    settings = options if isinstance(options, Mapping) else {}

    def number(key: str, default: int) -> int:
        raw = settings.get(key)
        return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else default

    return min(number("skip", 0), 1000), max(1, min(number("count", MAX_RESULTS), MAX_RESULTS))
