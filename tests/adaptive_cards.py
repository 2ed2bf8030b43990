"""Checks and accessors for Adaptive Cards, shared by the unit, conversation and endpoint tests.

:func:`card_problems` validates a card against the official Adaptive Card 1.5 schema (copied in
``tests/schemas``), plus what that schema cannot see: the declared version, elements and
properties newer than 1.5, Teams' button limit (host config ``actions.maxActions``) and the
message size. The accessors (:func:`texts`, :func:`buttons`, :func:`rows`...) let tests assert
what a card actually shows without depending on its exact layout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

SCHEMAS = Path(__file__).resolve().parent / "schemas"
CARD_SCHEMA = SCHEMAS / "adaptive-cards" / "1.5.0" / "adaptive-card.json"
TEAMS_HOST_CONFIG = SCHEMAS / "hostconfig" / "microsoft-teams-light.json"

#: Teams rejects activities over about 28 KB; cards must leave room for the envelope.
MAX_CARD_BYTES = 25_000

#: Element and action types that are not in Adaptive Cards 1.5 (1.6 and Teams-only previews).
#: The 1.5 schema rejects unknown types too; this list makes the intent explicit.
NEWER_TYPES = frozenset(
    {
        "Carousel",
        "CarouselPage",
        "Icon",
        "Badge",
        "CompoundButton",
        "ProgressBar",
        "ProgressRing",
        "Rating",
        "Input.Rating",
        "CodeBlock",
        "Chart.Donut",
        "Chart.Pie",
        "Chart.Line",
        "Chart.Gauge",
        "Chart.VerticalBar",
        "Chart.VerticalBar.Grouped",
        "Chart.HorizontalBar",
        "Chart.HorizontalBar.Stacked",
        "Action.ResetInputs",
        "Action.Popover",
        "Action.InsertImage",
    }
)
#: Properties added after 1.5. The schema does not check version annotations, and ``data``
#: is free-form, so this walk skips the content of ``data``.
NEWER_PROPERTIES = frozenset(
    {
        "targetWidth",
        "layouts",
        "grid.area",
        "themedUrls",
        "themedIconUrls",
        "conditionallyEnabled",
        "menuActions",
        "labelPosition",
        "labelWidth",
        "inputStyle",
        "valueChangedAction",
        "popoverTitle",
        "maxActions",
    }
)


@cache
def _validator() -> Draft6Validator:
    return Draft6Validator(json.loads(CARD_SCHEMA.read_text(encoding="utf-8")))


@cache
def teams_max_actions() -> int:
    """``actions.maxActions`` of the Teams host config."""
    config = json.loads(TEAMS_HOST_CONFIG.read_text(encoding="utf-8"))
    limit: int = config["actions"]["maxActions"]
    return limit


def card_problems(card: dict[str, Any]) -> list[str]:
    """Everything that would keep ``card`` from rendering as intended in Teams."""
    problems: list[str] = []
    if "msteams" in card:
        problems.append("root 'msteams' is not in the 1.5 schema")
    error = best_match(_validator().iter_errors(card))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)
        problems.append(f"schema: {error.message} at /{where}")
    version = str(card.get("version", ""))
    if _version(version) > (1, 5):
        problems.append(f"version {version!r} is newer than 1.5")
    for node in _nodes(card):
        node_type = node.get("type")
        if node_type in NEWER_TYPES:
            problems.append(f"{node_type} is newer than 1.5")
        problems += [f"{key!r} is newer than 1.5" for key in NEWER_PROPERTIES & set(node)]
    limit = teams_max_actions()
    for group in action_groups(card):
        if len(group) > limit:
            problems.append(f"{len(group)} buttons in one set; Teams shows {limit}")
    if len(buttons(card)) > limit:
        problems.append(f"{len(buttons(card))} buttons on the card; Teams shows {limit}")
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    if size >= MAX_CARD_BYTES:
        problems.append(f"{size} bytes of JSON; keep under {MAX_CARD_BYTES}")
    return problems


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fail with every problem of ``card`` (see :func:`card_problems`)."""
    problems = card_problems(card)
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- accessors
def texts(card: dict[str, Any]) -> list[str]:
    """The text of every TextBlock, in reading order."""
    return [node["text"] for node in _nodes(card) if node.get("type") == "TextBlock"]


def all_text(card: dict[str, Any]) -> str:
    """Every TextBlock's text, joined by newlines."""
    return "\n".join(texts(card))


def action_groups(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The card's root actions and each ActionSet's actions: what renders as button rows."""
    groups = [list(card.get("actions", []))] if card.get("actions") else []
    groups += [list(node["actions"]) for node in _nodes(card) if node.get("type") == "ActionSet"]
    return groups


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button (not the select actions of rows), in order."""
    return [action for group in action_groups(card) for action in group]


def open_urls(card: dict[str, Any]) -> list[tuple[str, str]]:
    """``(title, url)`` of every Action.OpenUrl button."""
    return [(b["title"], b["url"]) for b in buttons(card) if b["type"] == "Action.OpenUrl"]


def submit_button(card: dict[str, Any], title: str) -> dict[str, Any]:
    """The data of the Action.Submit button titled ``title``."""
    found = [b for b in buttons(card) if b["type"] == "Action.Submit" and b["title"] == title]
    assert len(found) == 1, f"{len(found)} submit buttons titled {title!r}"
    data: dict[str, Any] = found[0]["data"]
    return data


def rows(card: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(text, data)`` of every clickable row (a Container with an Action.Submit)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for node in _nodes(card):
        action = node.get("selectAction")
        if node.get("type") == "Container" and action and action["type"] == "Action.Submit":
            found.append((" ".join(texts({"body": node["items"]})), action["data"]))
    return found


def row_ids(card: dict[str, Any]) -> list[str]:
    """The entry ids that the card's rows open."""
    return [data["id"] for _, data in rows(card) if data.get("action") == "open"]


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict in the card, depth first, without descending into ``data``."""
    if isinstance(value, dict):
        yield value
        for key, child in value.items():
            if key != "data":
                yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (99,)
