"""Card builders: what each card shows, the data its buttons carry, and Teams' rules."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import cards
from bot.actions import parse_action
from bot.cards import (
    BROWSE_TOPICS,
    DEFAULT_NEXT_STEPS,
    EMAIL_PREFIX,
    FEEDBACK_THANKS_HELPFUL,
    FEEDBACK_THANKS_NOT_HELPFUL,
    HELPFUL,
    MAX_LINK_BUTTONS,
    MORE_LINKS,
    NO_MATCH_TITLE,
    NONE_OF_THESE,
    NOT_HELPFUL,
    OPEN_FTOP,
    REQUEST_SME,
    SORRY,
    TOPICS_TITLE,
    WELCOME_TITLE,
    answer_card,
    did_you_mean_card,
    error_card,
    next_steps,
    no_match_card,
    topics_card,
    welcome_card,
)
from intents import FaqEntry, KnowledgeBase, Link
from intents.loader import load_faq
from tests.adaptive_cards import (
    all_text,
    assert_valid_card,
    buttons,
    card_problems,
    open_urls,
    row_ids,
    rows,
    submit_button,
    teams_max_actions,
    texts,
)
from tests.samples import (
    ESD,
    ESD_KICKOFF,
    ESD_PURPOSE,
    FOOTER_DATE,
    FTOP_URL,
    GDPR_ADDRESS,
    GDPR_QUESTIONS,
    GDPR_URL,
    KNOWLEDGE,
    MANAGE_ENGAGEMENTS,
    RESOURCES,
    SME_URL,
    SOURCE_TITLE,
)
from tests.samples import (
    REQUEST_SME as SME_ENTRY,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = load_faq(REPO / "faq_data")  # collection fails loudly if the shipped data breaks


def _related(entry: FaqEntry, knowledge: KnowledgeBase = KNOWLEDGE) -> list[FaqEntry]:
    return [e for e in (knowledge.get(i) for i in entry.related) if e is not None]


# --------------------------------------------------------------------------- answer card
def test_answer_card_shows_the_question_answer_and_link_buttons() -> None:
    card = answer_card(SME_ENTRY, _related(SME_ENTRY))

    shown = texts(card)
    assert shown[0] == SME_ENTRY.question
    assert shown[1] == SME_ENTRY.answer
    assert open_urls(card) == [(link.title, link.url) for link in SME_ENTRY.links]
    assert_valid_card(card)


def test_answer_card_offers_related_questions_that_open_their_entries() -> None:
    card = answer_card(SME_ENTRY, _related(SME_ENTRY))

    assert row_ids(card) == ["manage-engagements", "gdpr-questions"]
    texts_of_rows = [text for text, _ in rows(card)]
    assert texts_of_rows == [MANAGE_ENGAGEMENTS.question, GDPR_QUESTIONS.question]
    for _, data in rows(card):
        assert parse_action(data) is not None


def test_answer_card_asks_for_feedback_with_the_entry_id() -> None:
    card = answer_card(MANAGE_ENGAGEMENTS)

    assert submit_button(card, HELPFUL) == {
        "action": "feedback",
        "id": "manage-engagements",
        "helpful": True,
    }
    assert submit_button(card, NOT_HELPFUL)["helpful"] is False


@pytest.mark.parametrize(
    ("helpful", "thanks"), [(True, FEEDBACK_THANKS_HELPFUL), (False, FEEDBACK_THANKS_NOT_HELPFUL)]
)
def test_rated_answer_card_thanks_instead_of_asking(helpful: bool, thanks: str) -> None:
    card = answer_card(SME_ENTRY, _related(SME_ENTRY), feedback=helpful)

    assert thanks in texts(card)
    titles = [b["title"] for b in buttons(card)]
    assert HELPFUL not in titles
    assert NOT_HELPFUL not in titles
    assert texts(card)[1] == SME_ENTRY.answer  # still the same answer
    assert_valid_card(card)


def test_answer_card_footer_names_section_source_and_refresh_date() -> None:
    card = answer_card(ESD_PURPOSE)

    assert texts(card)[-1] == f"{ESD} · {SOURCE_TITLE} · {FOOTER_DATE}"


def test_footer_without_source_shows_only_the_section() -> None:
    entry = FaqEntry(id="bare", section=RESOURCES, question="Q?", answer="A.")

    assert texts(answer_card(entry))[-1] == RESOURCES


def test_email_links_also_show_the_address() -> None:
    card = answer_card(GDPR_QUESTIONS)

    assert f"{EMAIL_PREFIX} {GDPR_ADDRESS}" in texts(card)
    assert ("Email the GDPR team", GDPR_URL) in open_urls(card)


def test_links_beyond_the_button_budget_become_markdown_links() -> None:
    links = tuple(Link(f"Link {n}", f"https://example.com/{n}", "guide") for n in range(7))
    entry = FaqEntry(
        id="many-links",
        section=RESOURCES,
        question="Where is everything?",
        answer="See [Link 5](https://example.com/5).",
        links=links,
    )
    card = answer_card(entry)

    assert open_urls(card) == [(link.title, link.url) for link in links[:MAX_LINK_BUTTONS]]
    assert len(buttons(card)) <= teams_max_actions()
    more = next(text for text in texts(card) if text.startswith(MORE_LINKS))
    assert "[Link 4](https://example.com/4)" in more
    assert "[Link 6](https://example.com/6)" in more
    assert "Link 5" not in more  # already linked from the answer itself
    assert_valid_card(card)


# --------------------------------------------------------------------------- did you mean
def test_did_you_mean_lists_candidates_as_wrapping_rows() -> None:
    card = did_you_mean_card("what is the esd", [ESD_PURPOSE, ESD_KICKOFF])

    assert row_ids(card) == ["esd-purpose", "esd-kickoff"]
    for node in card["body"]:
        if node.get("selectAction"):
            assert node["items"][0]["wrap"] is True
    assert "what is the esd" in all_text(card)
    assert_valid_card(card)


def test_did_you_mean_offers_none_of_these_carrying_the_question() -> None:
    card = did_you_mean_card("what is the esd", [ESD_PURPOSE, ESD_KICKOFF])

    data = submit_button(card, NONE_OF_THESE)
    assert data["action"] == "none"
    assert data["q"] == "what is the esd"


def test_choice_rows_echo_the_question_in_teams_but_route_by_value() -> None:
    card = did_you_mean_card("esd", [ESD_PURPOSE])

    (_, data) = rows(card)[0]
    assert data["msteams"]["type"] == "messageBack"
    assert data["msteams"]["displayText"] == ESD_PURPOSE.question
    assert data["msteams"]["value"] == {"action": "open", "id": "esd-purpose"}
    assert {k: v for k, v in data.items() if k != "msteams"} == data["msteams"]["value"]


# --------------------------------------------------------------------------- no match
def test_no_match_card_says_so_and_offers_next_steps_from_the_knowledge_base() -> None:
    card = no_match_card(
        "reset my partner center password", next_steps(KNOWLEDGE), source_title=SOURCE_TITLE
    )

    assert texts(card)[0] == NO_MATCH_TITLE
    assert "reset my partner center password" in all_text(card)
    assert open_urls(card) == [
        (REQUEST_SME, SME_URL),
        (OPEN_FTOP, FTOP_URL),
        ("Email the GDPR team", GDPR_URL),
    ]
    assert GDPR_ADDRESS in all_text(card)
    assert submit_button(card, BROWSE_TOPICS)["action"] == "topics"
    assert_valid_card(card)


def test_next_steps_come_from_links_by_kind() -> None:
    custom = KnowledgeBase(
        (
            FaqEntry(
                id="x",
                section="S",
                question="Q?",
                answer="A.",
                links=(Link("Portal", "https://ftop.example/new", "ftop"),),
            ),
        )
    )
    steps = next_steps(custom)

    assert steps.ftop.url == "https://ftop.example/new"
    assert steps.sme_request == DEFAULT_NEXT_STEPS.sme_request  # not in this knowledge base
    assert steps.gdpr_contact == DEFAULT_NEXT_STEPS.gdpr_contact


def test_no_match_card_lists_the_nearest_topics() -> None:
    card = no_match_card("kick", next_steps(KNOWLEDGE), nearest=[ESD_KICKOFF])

    assert row_ids(card) == ["esd-kickoff"]


def test_echoed_question_is_shortened_and_loses_markdown() -> None:
    question = "[click me](https://evil.example) **now** " + "word " * 60
    card = no_match_card(question, next_steps(KNOWLEDGE))

    echo = texts(card)[1]
    assert "](" not in echo
    assert "**" not in echo
    assert len(echo) < 200
    assert "…" in echo


# --------------------------------------------------------------------------- welcome, topics
def test_welcome_card_says_what_the_bot_knows_with_examples_from_each_section() -> None:
    card = welcome_card(KNOWLEDGE)

    assert texts(card)[0] == WELCOME_TITLE
    about = texts(card)[1]
    assert SOURCE_TITLE in about
    assert f"{len(KNOWLEDGE)} questions" in about
    assert RESOURCES in about
    assert ESD in about
    assert row_ids(card) == ["request-sme", "esd-purpose", "manage-engagements"]
    assert submit_button(card, BROWSE_TOPICS)["action"] == "topics"
    assert_valid_card(card)


def test_topics_card_lists_every_section_and_question_in_order() -> None:
    card = topics_card(KNOWLEDGE)

    assert texts(card)[0] == TOPICS_TITLE
    assert row_ids(card) == [entry.id for entry in KNOWLEDGE]
    shown = texts(card)
    assert shown.index(RESOURCES) < shown.index(SME_ENTRY.question) < shown.index(ESD)
    assert_valid_card(card)


def test_error_card_apologises_without_details() -> None:
    card = error_card()

    assert texts(card) == [SORRY]
    assert_valid_card(card)


# --------------------------------------------------------------------------- every card
def _every_card(knowledge: KnowledgeBase) -> dict[str, dict[str, Any]]:
    entries = list(knowledge)
    steps = next_steps(knowledge)
    built: dict[str, dict[str, Any]] = {
        "welcome": welcome_card(knowledge),
        "topics": topics_card(knowledge),
        "did-you-mean": did_you_mean_card("q " * 400, entries[:3]),
        "no-match": no_match_card("q " * 400, steps, nearest=entries[:3], source_title="T"),
        "no-match-bare": no_match_card("", steps),
        "error": error_card(),
    }
    for entry in entries:
        related = _related(entry, knowledge)
        built[f"answer:{entry.id}"] = answer_card(entry, related)
        built[f"rated:{entry.id}"] = answer_card(entry, related, feedback=False)
    return built


SAMPLE_CARDS = _every_card(KNOWLEDGE)
SHIPPED_CARDS = _every_card(SHIPPED)


@pytest.mark.parametrize("name", SAMPLE_CARDS)
def test_every_sample_card_is_valid_for_teams(name: str) -> None:
    assert_valid_card(SAMPLE_CARDS[name])


@pytest.mark.parametrize("name", SHIPPED_CARDS)
def test_every_card_of_the_shipped_faq_is_valid_for_teams(name: str) -> None:
    assert_valid_card(SHIPPED_CARDS[name])


@pytest.mark.parametrize("entry", list(SHIPPED), ids=[entry.id for entry in SHIPPED])
def test_shipped_answer_cards_show_their_entry(entry: FaqEntry) -> None:
    card = answer_card(entry, _related(entry, SHIPPED))

    assert texts(card)[:2] == [entry.question, entry.answer]
    shown_urls = {url for _, url in open_urls(card)} | {
        link.url for link in entry.links if link.url in all_text(card)
    }
    assert shown_urls == {link.url for link in entry.links}  # every link reachable
    assert row_ids(card) == [i for i in entry.related if SHIPPED.get(i)]


def test_shipped_no_match_card_uses_the_faq_links() -> None:
    steps = next_steps(SHIPPED)

    assert steps.sme_request.url == "https://aka.ms/FRPHubSMERequestProcess"
    assert steps.ftop.url == "https://ftop.microsoft.com/dashboard"
    assert steps.gdpr_contact.url == "mailto:O365FTGDPR@microsoft.com"


def test_shipped_topics_card_has_both_sections_and_every_question() -> None:
    card = SHIPPED_CARDS["topics"]

    assert set(SHIPPED.sections) <= set(texts(card))
    assert row_ids(card) == [entry.id for entry in SHIPPED]


# --------------------------------------------------------------------------- the checker itself
@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda c: c.update(version="1.6"), "newer than 1.5"),
        (lambda c: c.update(msteams={"width": "Full"}), "msteams"),
        (lambda c: c["body"].append({"type": "Carousel", "pages": []}), "Carousel"),
        (lambda c: c["body"][0].update(targetWidth="Wide"), "targetWidth"),
        (lambda c: c["body"].append({"type": "TextBlock"}), "schema"),
        (lambda c: c["body"].append({"type": "TextBlock", "text": "x" * 30_000}), "bytes"),
    ],
)
def test_card_checker_catches_what_teams_would_reject(
    mutate: Callable[[dict[str, Any]], None], problem: str
) -> None:
    card = error_card()
    mutate(card)

    assert any(problem in found for found in card_problems(card))


def test_card_checker_counts_buttons_against_the_teams_host_config() -> None:
    card = error_card()
    card["actions"] = [
        {"type": "Action.OpenUrl", "title": str(n), "url": "https://example.com"} for n in range(7)
    ]

    assert any("Teams shows 6" in found for found in card_problems(card))


def test_cards_module_imports_no_bot_framework() -> None:
    tree = ast.parse(Path(cards.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert not {name for name in imported if name.split(".")[0] in {"botbuilder", "aiohttp"}}
