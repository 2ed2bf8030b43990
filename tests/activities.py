"""Builders of inbound activities: the saved JSON payloads, and botbuilder objects for TestAdapter.

Every payload builder takes the ``service_url`` of the fake Bot Connector as a required
argument, so no test can send the bot's replies to the real service (or to a dead URL, which
costs ten seconds of retries).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

PAYLOADS = Path(__file__).resolve().parent / "payloads"

EMULATOR_MESSAGE = "emulator_message"
TEAMS_PERSONAL_MESSAGE = "teams_personal_message"
TEAMS_CHANNEL_MESSAGE = "teams_channel_message"
TEAMS_CARD_SUBMIT = "teams_card_submit"
TEAMS_BOT_ADDED = "teams_bot_added_to_team"
TEAMS_MEMBER_ADDED = "teams_member_added_to_team"
TEAMS_INSTALLATION_ADD = "teams_installation_add"
TEAMS_COMPOSE_SEARCH = "teams_compose_search"

#: The ids the Teams payloads use.
TEAMS_BOT_ID = "28:4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d"
TEAMS_BOT_NAME = "FastTrack Q&A"


@cache
def _saved(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def payload(which: str, /, *, service_url: str, **overrides: Any) -> dict[str, Any]:
    """A fresh copy of a saved payload, its ``serviceUrl`` pointing at ``service_url``.

    Args:
        which: One of the payload names above (a file in ``tests/payloads``).
        service_url: The fake connector's base URL.
        **overrides: Top-level keys to replace (``text=...``, ``value=...``); ``None``
            removes the key.
    """
    data = copy.deepcopy(_saved(which))
    data["serviceUrl"] = service_url
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def teams_message(text: str, *, service_url: str, **overrides: Any) -> dict[str, Any]:
    """A 1:1 Teams message with ``text`` (the saved personal-chat payload)."""
    return payload(TEAMS_PERSONAL_MESSAGE, service_url=service_url, text=text, **overrides)


def card_submit(value: Any, *, service_url: str, **overrides: Any) -> dict[str, Any]:
    """A Teams Action.Submit click: no text, ``value`` = the button's data."""
    return payload(TEAMS_CARD_SUBMIT, service_url=service_url, value=value, **overrides)


# --------------------------------------------------------------------------- TestAdapter
def message(
    text: str | None = None,
    *,
    value: Any = None,
    reply_to_id: str | None = None,
    channel_id: str | None = None,
    **fields: Any,
) -> Activity:
    """A message activity for ``TestAdapter.send``; unset fields come from its template."""
    return Activity(
        type=ActivityTypes.message,
        text=text,
        value=value,
        reply_to_id=reply_to_id,
        channel_id=channel_id,
        **fields,
    )


def members_added(*member_ids: str, channel_id: str = "test", **fields: Any) -> Activity:
    """A conversationUpdate adding ``member_ids`` (TestAdapter's bot id is ``"bot"``)."""
    return Activity(
        type=ActivityTypes.conversation_update,
        members_added=[ChannelAccount(id=member_id) for member_id in member_ids],
        channel_id=channel_id,
        **fields,
    )


def installation_update(action: str = "add", **fields: Any) -> Activity:
    """An installationUpdate (``add``, ``add-upgrade``, ``remove``...)."""
    return Activity(type=ActivityTypes.installation_update, action=action, **fields)


def conversation(conversation_id: str, conversation_type: str | None = None) -> ConversationAccount:
    """A conversation account for the ``conversation=`` field."""
    return ConversationAccount(id=conversation_id, conversation_type=conversation_type)
