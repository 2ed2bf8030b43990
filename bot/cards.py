"""Adaptive Card payloads. Pure functions: domain values in, JSON-ready dicts out.

No botbuilder import and no I/O: the handler wraps these dicts in ``CardFactory.adaptive_card``.
Every card declares version 1.5 (the highest Teams renders) and uses nothing newer, and keeps
within Teams' limits: at most :data:`MAX_ACTIONS` buttons (the Teams host config's
``actions.maxActions``) and far below the ~28 KB message size.

Design choices:

- Questions that open an entry (related questions, "did you mean" choices, topics, examples)
  are full-width rows, a ``Container`` whose ``selectAction`` is an ``Action.Submit`` around a
  wrapping ``TextBlock``: long questions stay readable (button titles truncate) and rows do not
  count against the button limit.
- Buttons carry everything in their ``data`` (see :mod:`bot.actions`).
- Link buttons come from the entry's links; those that do not fit stay reachable as markdown
  links in the text. An e-mail address is also written out, since ``mailto:`` buttons do not
  open a mail client on every Teams client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.actions import (
    VIA_CHOICE,
    VIA_RELATED,
    VIA_TOPIC,
    feedback_data,
    none_of_these_data,
    open_data,
    topics_data,
)
from intents import FaqEntry, KnowledgeBase, Link

CARD_VERSION = "1.5"  # the highest Adaptive Card version Teams renders
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_ACTIONS = 6  # Teams host config: actions.maxActions
FEEDBACK_BUTTONS = 2
MAX_LINK_BUTTONS = MAX_ACTIONS - FEEDBACK_BUTTONS
MAX_ECHO = 120  # characters of the user's question repeated on a card

# User-visible text (tests import these rather than retype them).
BOT_NAME = "FastTrack Ready FAQ bot"
WELCOME_TITLE = f"Hi! I'm the {BOT_NAME}."
HOW_TO_ASK = (
    "In a channel or group chat, @mention me with your question. In a 1:1 chat, just type it. "
    "Type **help** at any time to see every topic."
)
EXAMPLES_HEADING = "Try one of these:"
BROWSE_TOPICS = "Browse all topics"
SHOW_TOPICS_ECHO = "help"
TOPICS_TITLE = "Here's what I can answer"
TOPICS_HINT = "Select a question to see its answer, or type your own question."
RELATED_HEADING = "Related questions"
WAS_THIS_HELPFUL = "Was this answer helpful?"
HELPFUL = "👍 Yes"
NOT_HELPFUL = "👎 No"
FEEDBACK_THANKS_HELPFUL = "Thanks for your feedback! Glad it helped."
FEEDBACK_THANKS_NOT_HELPFUL = (
    "Thanks for your feedback. Try asking in other words, type **help** to browse the topics, "
    "or request a subject-matter expert."
)
MORE_LINKS = "More links:"
EMAIL_PREFIX = "Email:"
DID_YOU_MEAN_TITLE = "Did you mean one of these?"
NONE_OF_THESE = "None of these"
NO_MATCH_TITLE = "I couldn't find that in the FAQ"
NEXT_STEPS_HEADING = "Here's what you can do next:"
NEAREST_HEADING = "Closest topics in the FAQ:"
REQUEST_SME = "Request an SME"
OPEN_FTOP = "Open FTOP"
EMAIL_GDPR = "Email the GDPR team"
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
THE_FAQ = "the FAQ"

Card = dict[str, Any]


@dataclass(frozen=True, slots=True)
class NextSteps:
    """Where to send a partner when the FAQ has no answer."""

    sme_request: Link
    ftop: Link
    gdpr_contact: Link


#: Used only when the knowledge base has no link of the kind.
DEFAULT_NEXT_STEPS = NextSteps(
    sme_request=Link(REQUEST_SME, "https://aka.ms/FRPHubSMERequestProcess", "sme-request"),
    ftop=Link(OPEN_FTOP, "https://ftop.microsoft.com/dashboard", "ftop"),
    gdpr_contact=Link(EMAIL_GDPR, "mailto:O365FTGDPR@microsoft.com", "gdpr-contact"),
)


def next_steps(knowledge: KnowledgeBase) -> NextSteps:
    """The first link of each next-step kind in the knowledge base, else the defaults."""

    def first(kind: str, default: Link) -> Link:
        urls = (link.url for entry in knowledge for link in entry.links if link.kind == kind)
        return Link(default.title, next(urls, default.url), kind)

    return NextSteps(
        sme_request=first("sme-request", DEFAULT_NEXT_STEPS.sme_request),
        ftop=first("ftop", DEFAULT_NEXT_STEPS.ftop),
        gdpr_contact=first("gdpr-contact", DEFAULT_NEXT_STEPS.gdpr_contact),
    )


# --------------------------------------------------------------------------- cards
def answer_card(
    entry: FaqEntry,
    related: Sequence[FaqEntry] = (),
    *,
    feedback: bool | None = None,
    interactive: bool = True,
    question_id: str | None = None,
    asked: str | None = None,
) -> Card:
    """The answer to one entry.

    Args:
        entry: The entry to show.
        related: Entries to offer as "related questions" rows.
        feedback: ``None`` shows the feedback buttons; ``True``/``False`` shows the
            acknowledgement of that rating instead (the card as updated after a click).
        interactive: ``False`` for a card a user inserts from the compose-box search: it is
            posted as the user's message, so it carries only link buttons (no rows or
            feedback that would need the bot).
        question_id: The question log's id of the question this answers (recording on): the
            related rows and the feedback buttons carry it.
        asked: The user's question, carried by the feedback buttons with ``question_id``.
    """
    return answer_card_from(
        answer_parts(entry),
        related,
        feedback=feedback,
        interactive=interactive,
        question_id=question_id,
        asked=asked,
    )


@dataclass(frozen=True, slots=True)
class AnswerParts:
    """The parts of an entry's answer card that are the same whoever asks, built once.

    Every card built from them shares these dicts (cards are never changed once built).
    """

    entry: FaqEntry
    head: tuple[Card, ...]  # heading, answer, more links, e-mail addresses, link buttons
    footer: Card


def answer_parts(entry: FaqEntry) -> AnswerParts:
    """The fixed parts of ``entry``'s answer card (see :func:`answer_card_from`)."""
    buttons = entry.links[:MAX_LINK_BUTTONS]
    answer = entry.answer
    overflow = [link for link in entry.links[MAX_LINK_BUTTONS:] if link.url not in answer]
    head: list[Card] = [_heading(entry.question), _text(answer)]
    if overflow:
        links = " · ".join(f"[{link.title}]({link.url})" for link in overflow)
        head.append(_text(f"{MORE_LINKS} {links}", spacing="Small"))
    emails = [_address(link) for link in entry.links if link.is_email]
    if emails:
        head.append(_text(f"{EMAIL_PREFIX} {', '.join(emails)}", isSubtle=True, spacing="Small"))
    if buttons:
        head.append(_action_set([_open_url(link) for link in buttons]))
    return AnswerParts(entry, tuple(head), _footer(entry.section, entry))


def answer_card_from(
    parts: AnswerParts,
    related: Sequence[FaqEntry] = (),
    *,
    feedback: bool | None = None,
    interactive: bool = True,
    question_id: str | None = None,
    asked: str | None = None,
) -> Card:
    """:func:`answer_card` of ``parts.entry``, whose fixed parts are already built (and shared).

    Args are :func:`answer_card`'s; a caller that answers often keeps each entry's parts.
    """
    entry = parts.entry
    body = [*parts.head]
    if related and interactive:
        body.append(_text(RELATED_HEADING, weight="Bolder", separator=True, spacing="Medium"))
        body += [_row(other, via=VIA_RELATED, question_id=question_id) for other in related]
    if interactive:
        body.append(_feedback_part(entry, feedback, question_id=question_id, asked=asked))
    body.append(parts.footer)
    return _card(body)


def did_you_mean_card(
    question: str, candidates: Sequence[FaqEntry], *, question_id: str | None = None
) -> Card:
    """Close candidates as full-width rows, then "None of these".

    With ``question_id`` (recording on), every button carries it, and the choices the question.
    """
    none = none_of_these_data(question, NONE_OF_THESE, question_id=question_id)
    body: list[Card] = [
        _heading(DID_YOU_MEAN_TITLE),
        _text(f"You asked: “{_echo(question)}”", isSubtle=True, spacing="Small"),
        *(
            _row(entry, style="emphasis", via=VIA_CHOICE, question_id=question_id, asked=question)
            for entry in candidates
        ),
        _action_set([_submit(NONE_OF_THESE, none)]),
    ]
    return _card(body)


def no_match_card(
    question: str,
    steps: NextSteps,
    *,
    nearest: Sequence[FaqEntry] = (),
    source_title: str | None = None,
    question_id: str | None = None,
) -> Card:
    """Say plainly the FAQ has no answer, then offer what a partner can do next.

    With ``question_id`` (recording on), the nearest-topic rows carry it.
    """
    faq = f"*{source_title}*" if source_title else THE_FAQ
    asked = f"“{_echo(question)}” isn't covered by {faq}." if question.strip() else ""
    gdpr = _address(steps.gdpr_contact)
    options = "\n".join(
        [
            "- **Technical or process help:** request a subject-matter expert (SME).",
            "- **Customers and workloads:** manage engagements in FTOP.",
            f"- **Customer data requests (GDPR):** email {gdpr}.",
        ]
    )
    body: list[Card] = [_heading(NO_MATCH_TITLE)]
    if asked:
        body.append(_text(asked))
    body += [
        _text(NEXT_STEPS_HEADING, weight="Bolder", spacing="Medium"),
        _text(options, spacing="Small"),
        _action_set(
            [
                _open_url(steps.sme_request),
                _open_url(steps.ftop),
                _open_url(steps.gdpr_contact),
                _submit(BROWSE_TOPICS, topics_data(SHOW_TOPICS_ECHO)),
            ]
        ),
    ]
    if nearest:
        body.append(_text(NEAREST_HEADING, weight="Bolder", separator=True, spacing="Medium"))
        body += [_row(entry, via=VIA_TOPIC, question_id=question_id) for entry in nearest]
    return _card(body)


def welcome_card(knowledge: KnowledgeBase, *, examples: int = 3) -> Card:
    """What the bot knows, how to ask, and a few example questions."""
    sections = knowledge.sections
    title = _source_title(knowledge)
    topics = " and ".join(f"**{name}**" for name in sections)
    about = (
        f"I answer questions from the Partner Site page *{title or 'FAQ'}*: "
        f"{len(knowledge)} questions on {topics}."
    )
    body: list[Card] = [
        _heading(WELCOME_TITLE),
        _text(about),
        _text(HOW_TO_ASK),
        _text(EXAMPLES_HEADING, weight="Bolder", spacing="Medium"),
        *(_row(entry) for entry in _examples(sections, examples)),
        _action_set([_submit(BROWSE_TOPICS, topics_data(SHOW_TOPICS_ECHO))]),
        _footer(None, knowledge),
    ]
    return _card(body)


def topics_card(knowledge: KnowledgeBase) -> Card:
    """Every section with its questions as rows: the "help" card."""
    body: list[Card] = [_heading(TOPICS_TITLE), _text(TOPICS_HINT, isSubtle=True, spacing="Small")]
    for section, entries in knowledge.sections.items():
        body.append(_text(section, weight="Bolder", separator=True, spacing="Medium"))
        body += [_row(entry) for entry in entries]
    body.append(_footer(None, knowledge))
    return _card(body)


def error_card() -> Card:
    """The apology sent when a turn fails. It says nothing about the cause."""
    return _card([_text(SORRY)])


# --------------------------------------------------------------------------- parts
def _card(body: list[Card]) -> Card:
    return {"type": "AdaptiveCard", "version": CARD_VERSION, "body": body}


def _text(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _heading(text: str) -> Card:
    return _text(text, style="heading", size="Medium", weight="Bolder")


def _row(
    entry: FaqEntry,
    *,
    style: str | None = None,
    via: str | None = None,
    question_id: str | None = None,
    asked: str | None = None,
) -> Card:
    """A full-width, wrapping, clickable question that opens ``entry``."""
    data = open_data(entry.id, entry.question, via=via, question_id=question_id, asked=asked)
    row: Card = {
        "type": "Container",
        "spacing": "Small",
        "selectAction": {"type": "Action.Submit", "data": data},
        "items": [_text(entry.question, color="Accent")],
    }
    if style:
        row["style"] = style
    return row


def _action_set(actions: list[Card]) -> Card:
    return {"type": "ActionSet", "actions": actions}


def _open_url(link: Link) -> Card:
    return {"type": "Action.OpenUrl", "title": link.title, "url": link.url}


def _submit(title: str, data: dict[str, Any]) -> Card:
    return {"type": "Action.Submit", "title": title, "data": data}


def _feedback_part(
    entry: FaqEntry, feedback: bool | None, *, question_id: str | None, asked: str | None
) -> Card:
    if feedback is not None:
        thanks = FEEDBACK_THANKS_HELPFUL if feedback else FEEDBACK_THANKS_NOT_HELPFUL
        return _text(thanks, isSubtle=True, separator=True, spacing="Medium")
    carried = {"question_id": question_id, "asked": asked}
    return {
        "type": "Container",
        "separator": True,
        "spacing": "Medium",
        "items": [
            _text(WAS_THIS_HELPFUL, isSubtle=True),
            _action_set(
                [
                    _submit(HELPFUL, feedback_data(entry.id, helpful=True, **carried)),
                    _submit(NOT_HELPFUL, feedback_data(entry.id, helpful=False, **carried)),
                ]
            ),
        ],
    }


def _footer(section: str | None, where: FaqEntry | KnowledgeBase) -> Card:
    """``Section · Source title · updated 23 Apr 2020`` (the parts that are known)."""
    if isinstance(where, FaqEntry):
        title = where.source.title if where.source else None
        updated = where.source.last_updated if where.source else None
    else:
        title, updated = _source_title(where), where.last_updated
    parts = [part for part in (section, title) if part]
    if updated:
        parts.append(f"updated {_day(updated)}")
    return _text(" · ".join(parts), isSubtle=True, size="Small", spacing="Medium")


def _source_title(knowledge: KnowledgeBase) -> str | None:
    return next((entry.source.title for entry in knowledge if entry.source), None)


def _examples(sections: dict[str, tuple[FaqEntry, ...]], count: int) -> list[FaqEntry]:
    """Round-robin over the sections, so every section has an example."""
    picked: list[FaqEntry] = []
    depth = 0
    while len(picked) < count and any(depth < len(items) for items in sections.values()):
        picked += [items[depth] for items in sections.values() if depth < len(items)]
        depth += 1
    return picked[:count]


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _address(link: Link) -> str:
    return link.url.split(":", 1)[1].split("?", 1)[0] if link.is_email else link.url


def _echo(question: str) -> str:
    """The user's words as safe card text: one line, shortened, no markdown links or styling."""
    text = " ".join(question.split())
    for char in "*_[]`~#<>":
        text = text.replace(char, " ")
    text = " ".join(text.split())
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1].rstrip() + "…"
