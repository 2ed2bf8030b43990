"""The Action.Submit data contract: what buttons carry and every shape Teams may send back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.actions import (
    MAX_CARRIED_QUESTION,
    Feedback,
    NoneOfThese,
    OpenEntry,
    ShowTopics,
    feedback_data,
    none_of_these_data,
    open_data,
    parse_action,
    topics_data,
)

OPEN = open_data("esd-purpose", "What is the purpose of Engagement Start Date?")


def _without_msteams(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "msteams"}


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("the data itself (Emulator, Web Chat)", OPEN),
        ("the data without the msteams block", _without_msteams(OPEN)),
        ("only the messageBack value", OPEN["msteams"]["value"]),
        ("the messageBack value as a JSON string", json.dumps(OPEN["msteams"]["value"])),
        (
            "msteams block whose value is a JSON string",
            {"msteams": {"value": json.dumps(OPEN["msteams"]["value"])}},
        ),
        ("the whole data as a JSON string", json.dumps(OPEN)),
    ],
)
def test_open_button_routes_to_its_entry_whatever_shape_arrives(label: str, value: Any) -> None:
    assert parse_action(value) == OpenEntry("esd-purpose"), label


def test_open_button_echoes_the_question_but_sends_no_text() -> None:
    echo = OPEN["msteams"]
    assert echo["type"] == "messageBack"
    assert echo["displayText"] == "What is the purpose of Engagement Start Date?"
    assert echo["text"] == ""


def test_topics_and_none_of_these_round_trip() -> None:
    assert parse_action(topics_data("help")) == ShowTopics()
    assert parse_action(none_of_these_data("what is esd", "None of these")) == NoneOfThese(
        "what is esd"
    )


def test_none_of_these_carries_a_shortened_question() -> None:
    data = none_of_these_data("word " * 200, "None of these")

    assert len(data["q"]) <= MAX_CARRIED_QUESTION
    action = parse_action(data)
    assert isinstance(action, NoneOfThese)
    assert len(action.question) <= MAX_CARRIED_QUESTION


@pytest.mark.parametrize("helpful", [True, False])
def test_feedback_round_trips_without_an_echo(helpful: bool) -> None:
    data = feedback_data("request-sme", helpful=helpful)

    assert "msteams" not in data
    assert parse_action(data) == Feedback("request-sme", helpful)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "hello",
        "{not json",
        42,
        [],
        ["open"],
        {},
        {"action": "open"},
        {"action": "open", "id": ""},
        {"action": "open", "id": "../../etc/passwd"},
        {"action": "open", "id": "Request SME"},
        {"action": "open", "id": "x" * 101},
        {"action": "open", "id": 7},
        {"action": "feedback", "id": "request-sme"},
        {"action": "feedback", "id": "request-sme", "helpful": "yes"},
        {"action": "none", "q": ["a"]},
        {"action": "delete-everything"},
        {"msteams": {"type": "messageBack", "value": "junk"}},
        {"msteams": "junk"},
        "x" * 20_000,
    ],
)
def test_junk_values_are_not_actions(value: Any) -> None:
    assert parse_action(value) is None
