"""Checks on the shipped knowledge base itself (faq_data/), not on the code.

The knowledge base loads at collection time on purpose: a broken YAML file shows up as a
loud collection error that names the file and entry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intents.importer import import_page
from intents.loader import load_faq
from intents.models import FaqEntry

FAQ_DIR = Path(__file__).resolve().parents[2] / "faq_data"
PAGE = FAQ_DIR / "source" / "build-a-successful-practice-faqs.md"
KNOWLEDGE = load_faq(FAQ_DIR)
ENTRIES = KNOWLEDGE.entries

RESOURCES = [
    "claim-workloads",
    "request-sme",
    "manage-engagements",
    "register-customers",
    "program-compliance",
    "partner-count",
    "stay-up-to-date",
    "gdpr-requests",
    "no-tenants-portfolio-view",
]
ENGAGEMENT_START_DATE = [
    "esd-purpose",
    "esd-applies-to-workloads",
    "esd-backfill-past",
    "esd-vs-kickoff",
    "esd-first-email",
    "esd-reschedule",
    "esd-no-response",
    "esd-change-notes",
    "esd-active-customers",
    "esd-frp-partners",
]

#: Acronyms partners type, each of which must be known to the synonyms file.
ACRONYMS = ["ftop", "fm", "frp", "sme", "osu", "ftc", "psm", "rfa", "pii", "esd", "gdpr"]


def each_entry() -> pytest.MarkDecorator:
    return pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])


def test_entries_have_the_ids_other_code_references_in_page_order() -> None:
    assert [e.id for e in ENTRIES] == RESOURCES + ENGAGEMENT_START_DATE
    assert {name: [e.id for e in items] for name, items in KNOWLEDGE.sections.items()} == {
        "Resources": RESOURCES,
        "Engagement Start Date": ENGAGEMENT_START_DATE,
    }


@each_entry()
def test_entry_has_eight_to_fourteen_alternates(entry: FaqEntry) -> None:
    assert 8 <= len(entry.alternates) <= 14


@each_entry()
def test_entry_has_related_questions(entry: FaqEntry) -> None:
    assert 1 <= len(entry.related) <= 4
    assert all(KNOWLEDGE.get(target) is not None for target in entry.related)


@each_entry()
def test_links_are_https_or_mailto_and_have_button_titles(entry: FaqEntry) -> None:
    for link in entry.links:
        assert link.url.startswith(("https://", "mailto:"))
        assert link.title not in {"Microsoft", "access resources", "here"}
        assert f"]({link.url})" in entry.answer


@each_entry()
def test_no_alternate_copies_another_entrys_question(entry: FaqEntry) -> None:
    others = {
        " ".join(text.casefold().split())
        for other in ENTRIES
        if other.id != entry.id
        for text in (other.question, other.source_question)
        if text
    }
    assert not [a for a in entry.alternates if " ".join(a.casefold().split()) in others]


def test_display_typos_of_the_page_are_fixed_and_the_page_wording_kept() -> None:
    tenants = KNOWLEDGE.get("no-tenants-portfolio-view")
    backfill = KNOWLEDGE.get("esd-backfill-past")
    assert tenants is not None
    assert backfill is not None
    assert tenants.question == "I don't see any tenants in Portfolio View. What should I do?"
    assert tenants.source_question is not None
    assert "don\u2019t not see" in tenants.source_question
    assert "does an FM need to" in backfill.question
    assert backfill.source_question is not None
    assert "does an FMss need to" in backfill.source_question


def test_every_entry_names_its_source_page_and_dates() -> None:
    sources = {entry.source for entry in ENTRIES}
    (source,) = sources
    assert source is not None
    assert source.title == "Build a Successful Practice FAQs"
    assert KNOWLEDGE.last_updated == source.refreshed


def test_synonyms_cover_the_programmes_acronyms() -> None:
    canonicals = {group.canonical for group in KNOWLEDGE.synonyms}
    assert set(ACRONYMS) <= canonicals


def test_shipped_yaml_is_in_sync_with_the_page(tmp_path: Path) -> None:
    data = tmp_path / "faq_data"
    shutil.copytree(FAQ_DIR, data, ignore=shutil.ignore_patterns("source", "*.md"))
    before = {path.name: path.read_bytes() for path in data.iterdir()}

    report = import_page(PAGE, data)

    assert (report.added, report.changed, report.removed) == ([], [], [])
    assert report.unchanged == len(ENTRIES)
    assert not report.written
    assert {path.name: path.read_bytes() for path in data.iterdir()} == before
