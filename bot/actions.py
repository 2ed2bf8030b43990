"""What card buttons carry, and how the bot reads it back: the ``Action.Submit`` data contract.

Every button that talks to the bot carries all it needs in its ``data`` (an action name and,
where it applies, an entry id), so a click works in a channel, in a chat and after a restart,
with no server-side state. Pure functions: no I/O, no Bot Framework.

A plain ``Action.Submit`` reaches the bot as a message with no text whose ``value`` is the
button's ``data``. Buttons that open an entry also hold a Teams ``messageBack`` block
(``data.msteams``) so that the chosen question is echoed into the conversation (visible
context in a channel thread). Its ``value`` repeats the routing keys, so whichever shape
arrives, the data itself (Emulator, Web Chat), the data without ``msteams``, or only the
``messageBack`` value (possibly as a JSON string), :func:`parse_action` finds the same action.

Buttons on a reply to a question also carry that question's record id (``qid``, see
:mod:`bot.recorder`), so the question log links a click or a vote to the question without
server-side state; entry rows say where they were (``via``: a "did you mean" choice, a related
question, a topic list), and "did you mean" choices and votes carry the question's text
(``q``). A card built without a record id (recording off) carries none of these.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: Action names, the ``action`` key of a button's data.
OPEN = "open"  # show the answer card of entry ``id``
TOPICS = "topics"  # show the topics card
NONE_OF_THESE = "none"  # the "did you mean" choices missed: show the no-match card for ``q``
FEEDBACK = "feedback"  # ``helpful`` (bool) about entry ``id``

#: Where an ``open`` button was (the ``via`` key); missing means a topic list.
VIA_CHOICE = "choice"  # a "did you mean" choice
VIA_RELATED = "related"  # a related question under an answer
VIA_TOPIC = "topic"  # the topics, welcome or no-match card
_VIAS = (VIA_CHOICE, VIA_RELATED, VIA_TOPIC)

#: Longest question a "None of these" button carries (it is only echoed on the no-match card).
MAX_CARRIED_QUESTION = 200
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_ID = 100
_RECORD_ID = re.compile(r"[0-9a-f]{1,64}")

Data = dict[str, Any]


@dataclass(frozen=True, slots=True)
class OpenEntry:
    """Open the answer of one entry (a related question or a "did you mean" choice).

    Attributes:
        entry_id: The entry to open.
        via: Where the button was (:data:`VIA_CHOICE`...); ``None`` when the data did not say.
        question_id: The record id of the question whose reply held the button.
        question: That question's text (on "did you mean" choices).
    """

    entry_id: str
    via: str | None = None
    question_id: str | None = None
    question: str | None = None


@dataclass(frozen=True, slots=True)
class ShowTopics:
    """Show every topic (the help card)."""


@dataclass(frozen=True, slots=True)
class NoneOfThese:
    """None of the offered choices was right."""

    question: str
    question_id: str | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """The user rated an answer (``question``: the text it answered, when carried)."""

    entry_id: str
    helpful: bool
    question_id: str | None = None
    question: str | None = None


CardAction = OpenEntry | ShowTopics | NoneOfThese | Feedback


def open_data(
    entry_id: str,
    question: str,
    *,
    via: str | None = None,
    question_id: str | None = None,
    asked: str | None = None,
) -> Data:
    """Data of a button that opens an entry, echoing ``question`` into the chat in Teams.

    Args:
        entry_id: The entry to open.
        question: The entry's question, echoed into the chat.
        via: Where the button is; carried only with a ``question_id``.
        question_id: The record id of the question this reply answers, if recorded.
        asked: The user's question, carried with a ``question_id`` (choices).
    """
    data: Data = {"action": OPEN, "id": entry_id}
    if question_id:
        data["qid"] = question_id
        if via:
            data["via"] = via
        if asked is not None:
            data["q"] = _shorten(asked, MAX_CARRIED_QUESTION)
    return _with_echo(data, question)


def topics_data(display_text: str) -> Data:
    """Data of a button that shows the topics card."""
    return _with_echo({"action": TOPICS}, display_text)


def none_of_these_data(question: str, display_text: str, *, question_id: str | None = None) -> Data:
    """Data of the "None of these" button: carries the (shortened) question for the echo."""
    carried = _shorten(question, MAX_CARRIED_QUESTION)
    data: Data = {"action": NONE_OF_THESE, "q": carried}
    if question_id:
        data["qid"] = question_id
    return _with_echo(data, display_text)


def feedback_data(
    entry_id: str, *, helpful: bool, question_id: str | None = None, asked: str | None = None
) -> Data:
    """Data of a feedback button. No echo: a rating should not post a chat message.

    ``question_id`` and ``asked`` (the question the answer was for) are carried when known.
    """
    data: Data = {"action": FEEDBACK, "id": entry_id, "helpful": helpful}
    if question_id:
        data["qid"] = question_id
        if asked is not None:
            data["q"] = _shorten(asked, MAX_CARRIED_QUESTION)
    return data


def parse_action(value: object) -> CardAction | None:
    """The action a submit ``value`` asks for, or ``None`` when it is not one of ours.

    Never raises: any junk (wrong types, unknown action, malformed id, oversized text) is
    ``None``. Whether an entry id exists is for the caller to check.
    """
    data = _routing_keys(value)
    if data is None:
        return None
    action = data.get("action")
    if action == OPEN:
        entry_id = _entry_id(data.get("id"))
        if not entry_id:
            return None
        via = data.get("via")
        return OpenEntry(
            entry_id,
            via=via if via in _VIAS else None,
            question_id=_record_id(data.get("qid")),
            question=_carried(data.get("q")),
        )
    if action == TOPICS:
        return ShowTopics()
    if action == NONE_OF_THESE:
        question = data.get("q", "")
        if not isinstance(question, str):
            return None
        return NoneOfThese(
            _shorten(question, MAX_CARRIED_QUESTION), question_id=_record_id(data.get("qid"))
        )
    if action == FEEDBACK:
        entry_id = _entry_id(data.get("id"))
        helpful = data.get("helpful")
        if entry_id and isinstance(helpful, bool):
            return Feedback(
                entry_id,
                helpful,
                question_id=_record_id(data.get("qid")),
                question=_carried(data.get("q")),
            )
    return None


def _with_echo(data: Data, display_text: str) -> Data:
    echo = {
        "type": "messageBack",
        "displayText": _shorten(display_text, MAX_CARRIED_QUESTION),
        "text": "",
        "value": dict(data),
    }
    return {**data, "msteams": echo}


def _routing_keys(value: object) -> dict[str, Any] | None:
    """The dict that holds ``action``: the value itself or its ``msteams.value``."""
    value = _json_object(value)
    if value is None:
        return None
    if "action" in value:
        return value
    msteams = _json_object(value.get("msteams"))
    inner = _json_object(msteams.get("value")) if msteams is not None else None
    return inner if inner is not None and "action" in inner else None


def _json_object(value: object) -> dict[str, Any] | None:
    if isinstance(value, str) and len(value) <= 10_000:
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
            return None
    return value if isinstance(value, dict) else None


def _entry_id(value: object) -> str | None:
    if isinstance(value, str) and len(value) <= _MAX_ID and _ID.fullmatch(value):
        return value
    return None


def _record_id(value: object) -> str | None:
    """A question record id (lower-case hex), or ``None`` for anything else."""
    return value if isinstance(value, str) and _RECORD_ID.fullmatch(value) else None


def _carried(value: object) -> str | None:
    return _shorten(value, MAX_CARRIED_QUESTION) if isinstance(value, str) else None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
