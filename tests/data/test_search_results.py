"""Compose-box search results over the shipped knowledge base fit Teams' limits."""

from __future__ import annotations

import json
from pathlib import Path

from bot.search import MAX_RESULTS, SEARCH_COMMAND, search_response
from intents.build import build_matcher
from tests.adaptive_cards import assert_valid_card

ROOT = Path(__file__).resolve().parents[2]
MAX_EXTENSION_BYTES = 28_000  # Teams' limit for a messaging extension's response


def test_every_shipped_entry_is_a_valid_search_result_under_the_limit() -> None:
    matcher = build_matcher(ROOT / "faq_data")
    seen = []
    for skip in range(0, len(matcher.entries_), MAX_RESULTS):
        value = {"commandId": SEARCH_COMMAND, "queryOptions": {"skip": skip, "count": MAX_RESULTS}}
        page = search_response(matcher, value).compose_extension.attachments
        assert len(json.dumps([a.content for a in page])) < MAX_EXTENSION_BYTES
        for attachment in page:
            assert_valid_card(attachment.content)
            seen.append(attachment.preview.content.title)
    assert seen == [entry.question for entry in matcher.entries_]
