"""intents.importer (and intents.page): import, re-import with hand edits, malformed pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from intents.importer import (
    FaqDataError,
    ImportReport,
    PageFormatError,
    import_page,
    link_kind_and_title,
)
from intents.loader import load_faq
from intents.models import FaqEntry, KnowledgeBase, Link

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "faq_data" / "source" / "build-a-successful-practice-faqs.md"
SAMPLE = ROOT / "tests" / "fixtures" / "sample-faqs.md"
OUTPUT = "build-a-successful-practice.yaml"


def imported(tmp_path: Path, page: Path = PAGE) -> tuple[ImportReport, KnowledgeBase]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    report = import_page(page, data)
    return report, load_faq(data)


def by_question(knowledge: KnowledgeBase, start: str) -> FaqEntry:
    (entry,) = [e for e in knowledge if (e.source_question or e.question).startswith(start)]
    return entry


def page_copy(tmp_path: Path, text: str, name: str = PAGE.name) -> Path:
    path = tmp_path / "pages" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- first import


def test_shipped_page_gives_nineteen_questions_in_two_sections(tmp_path: Path) -> None:
    report, knowledge = imported(tmp_path)

    assert len(knowledge) == 19
    assert report.path == tmp_path / "data" / OUTPUT
    assert (len(report.added), report.changed, report.removed, report.unchanged) == (19, [], [], 0)
    assert report.written
    sections = knowledge.sections
    assert list(sections) == ["Resources", "Engagement Start Date"]
    assert [len(items) for items in sections.values()] == [9, 10]
    assert knowledge.entries[0].question.startswith("How do I claim my customer workloads")
    assert knowledge.entries[-1].question == (
        "Will the FastTrack Ready Partners (FRP) use and update the Engagement Start Date?"
    )


def test_source_block_comes_from_front_matter_and_refresh_summary(tmp_path: Path) -> None:
    _, knowledge = imported(tmp_path)
    source = knowledge.entries[0].source
    assert source is not None
    assert source.title == "Build a Successful Practice FAQs"
    assert (source.published, source.refreshed) == (date(2019, 10, 29), date(2020, 4, 23))
    document = yaml.safe_load((tmp_path / "data" / OUTPUT).read_text(encoding="utf-8"))
    assert document["source"]["page"] == PAGE.name


def test_gdpr_answer_keeps_paragraphs_and_the_mailto_link(tmp_path: Path) -> None:
    _, knowledge = imported(tmp_path)
    gdpr = by_question(knowledge, "How do I handle GDPR")
    assert gdpr.answer == (
        "In FastTrack, we collect customer data, such as contact names, email addresses, and "
        "phone numbers. If a Microsoft customer asks you to delete or export their FastTrack "
        "data, please have them send their request directly to "
        "[Microsoft](mailto:O365FTGDPR@microsoft.com). Per the GDPR, we must delete or export "
        "PII within 30 days, if a customer requests it.\n\n"
        "Learn about the GDPR opportunity, [access resources](https://aka.ms/FRPHubOpportunitiesGDPR)"
    )
    assert gdpr.links == (
        Link("Email the GDPR team", "mailto:O365FTGDPR@microsoft.com", "gdpr-contact"),
        Link("GDPR opportunity resources", "https://aka.ms/FRPHubOpportunitiesGDPR", "guide"),
    )


def test_bullet_list_answer_is_teams_markdown(tmp_path: Path) -> None:
    _, knowledge = imported(tmp_path)
    purpose = by_question(knowledge, "What is the purpose of Engagement Start Date")
    paragraphs = purpose.answer.split("\n\n")
    assert paragraphs[0] == (
        "There are three main reasons for collecting this new customer FastTrack (FTC) "
        "deployment date:"
    )
    bullets = paragraphs[1].split("\n")
    assert len(paragraphs) == 2
    assert len(bullets) == 3
    assert bullets[0].startswith("- First, it is to qualify new customers")
    assert bullets[2].endswith("factored in for new customer assignments.")
    assert all(line == line.rstrip() for line in purpose.answer.splitlines())


def test_italic_becomes_underscores_and_sentences_on_new_lines_become_paragraphs(
    tmp_path: Path,
) -> None:
    _, knowledge = imported(tmp_path)
    tenants = by_question(knowledge, "I don\u2019t not see any tenants")
    assert "The _My Active Tenants_ filter" in tenants.answer
    assert "*" not in tenants.answer
    assert len(tenants.answer.split("\n\n")) == 3
    no_reply = by_question(knowledge, "As an FM receiving a new customer assignment")
    assert no_reply.answer.split("\n\n")[1].startswith("In cases where the customer never")


def test_every_link_of_the_page_arrives_except_home(tmp_path: Path) -> None:
    _, knowledge = imported(tmp_path)
    page_urls = set(re.findall(r"\]\(([^)\s]+)\)", PAGE.read_text(encoding="utf-8")))
    links = [link for entry in knowledge for link in entry.links]

    assert len(links) == 13  # FTOP appears in two answers
    assert {link.url for link in links} == page_urls - {"http://partner-docs.microsoft.com"}
    assert all(link.kind != "other" for link in links)
    assert all(link.title not in {"Microsoft", "access resources"} for link in links)


def test_new_questions_get_slug_ids_with_the_section_prefix(tmp_path: Path) -> None:
    _, knowledge = imported(tmp_path)
    ids = [entry.id for entry in knowledge]
    assert len(set(ids)) == 19
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    sections = knowledge.sections
    assert all(e.id.startswith("esd-") for e in sections["Engagement Start Date"])
    assert not any(e.id.startswith("esd-") for e in sections["Resources"])
    assert ids[1] == "request-technical-expert"


def test_written_yaml_is_block_style_with_literal_answers(tmp_path: Path) -> None:
    imported(tmp_path)
    text = (tmp_path / "data" / OUTPUT).read_text(encoding="utf-8")
    assert text.count("    answer: |-\n") == 19
    assert "locality—without" in text  # allow_unicode: no \u escapes
    assert "{" not in text
    first = text.index("  - id: ")
    keys = re.findall(r"^    (\w+):", text[first : text.index("  - id: ", first + 1)], re.M)
    assert keys == ["section", "question", "answer", "links", "alternates", "related"]
    assert not list((tmp_path / "data").glob("*.tmp"))


def test_sample_page_sections_and_links(tmp_path: Path) -> None:
    report, knowledge = imported(tmp_path, SAMPLE)
    assert report.path.name == "sample.yaml"
    assert [e.section for e in knowledge] == ["Getting Started", "Getting Started", "Dates"]
    portal, mail, dates = knowledge.entries
    assert portal.answer.endswith("Use the _My Tenants_ view.")
    assert portal.links == (Link("Open FTOP", "https://ftop.microsoft.com/dashboard", "ftop"),)
    assert mail.answer == (
        "Send GDPR requests to [Microsoft](mailto:gdpr@example.com).\n\n"
        "Requests are handled within 30 days."
    )
    assert dates.answer == (
        "There are two reasons:\n\n- First, to plan **capacity**.\n- Second, to avoid delays."
    )
    assert dates.source is not None
    assert dates.source.refreshed == date(2020, 3, 2)


@pytest.mark.parametrize(
    ("text", "url", "context", "expected"),
    [
        (
            "Microsoft",
            "mailto:O365FTGDPR@microsoft.com",
            "",
            ("gdpr-contact", "Email the GDPR team"),
        ),
        (
            "Microsoft",
            "mailto:team@example.com",
            "GDPR data",
            ("gdpr-contact", "Email the GDPR team"),
        ),
        ("us", "mailto:team@example.com", "", ("other", "Email team@example.com")),
        ("x", "https://aka.ms/FRPHubSMERequestProcess", "", ("sme-request", "Request an SME")),
        ("Yammer", "https://aka.ms/FRPHubSomeYammer", "", ("community", "FRP Yammer group")),
        ("Intro Video", "https://aka.ms/IntroVideo", "", ("video", "Intro Video")),
        ("here", "https://learn.microsoft.com/a/setup-guide", "", ("guide", "Setup guide")),
        ("The portal", "https://example.com/", "", ("other", "The portal")),
    ],
)
def test_link_kind_and_title_rules(
    text: str, url: str, context: str, expected: tuple[str, str]
) -> None:
    assert link_kind_and_title(text, url, context=context) == expected


# --------------------------------------------------------------------------- re-import


def hand_edit(path: Path) -> dict[str, Any]:
    """Curate the imported file the way a maintainer would, and return the edited document."""
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = document["entries"]
    sme, tenants = entries[1], entries[8]
    sme["id"] = "request-sme"
    sme["alternates"] = ["sme request", "how do I get a subject matter expert"]
    sme["related"] = ["manage-engagements"]
    sme["links"][0]["title"] = "Start an SME request"
    sme["links"][0]["kind"] = "guide"
    entries[2]["id"] = "manage-engagements"
    entries[5]["id"] = "partner-count"
    entries[6]["id"] = "stay-up-to-date"
    entries[6]["related"] = ["partner-count", "request-sme"]
    tenants["source_question"] = tenants["question"]
    tenants["question"] = "I don't see any tenants in Portfolio View. What should I do?"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return document


def test_reimport_keeps_hand_edits_and_reports_nothing_changed(tmp_path: Path) -> None:
    imported(tmp_path)
    path = tmp_path / "data" / OUTPUT
    edited = hand_edit(path)
    before = path.read_bytes()

    report, knowledge = imported(tmp_path)

    assert (report.added, report.changed, report.removed, report.unchanged) == ([], [], [], 19)
    assert not report.written
    assert path.read_bytes() == before
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == edited
    sme = knowledge.get("request-sme")
    assert sme is not None
    assert sme.alternates == ("sme request", "how do I get a subject matter expert")
    assert sme.links[0] == Link(
        "Start an SME request", "https://aka.ms/FRPHubSMERequestProcess", "guide"
    )
    tenants = knowledge.entries[8]
    assert tenants.question == "I don't see any tenants in Portfolio View. What should I do?"
    assert (
        tenants.source_question
        == "I don\u2019t not see any tenants in Portfolio View. What should I do?"
    )
    assert report.lines()[-1].endswith("already up to date")


def test_reimport_of_a_modified_page_reports_added_changed_removed(tmp_path: Path) -> None:
    imported(tmp_path)
    hand_edit(tmp_path / "data" / OUTPUT)
    text = PAGE.read_text(encoding="utf-8")
    removed_block = text[
        text.index("**How many partners are in the program?**") : text.index(
            "**How do I stay up to date"
        )
    ]
    text = text.replace(removed_block, "")
    text = text.replace(
        "Subject-matter experts (SMEs) are Microsoft staff",
        "Subject-matter experts (SMEs) are Microsoft engineers",
    )
    text = text.replace(
        "### Refresh Summary",
        "**Can a partner see the Engagement Start Date in FTOP?**\n\nYes, in the Services tab."
        "\n\n### Refresh Summary",
    ).replace("|04/23/2020|", "|05/01/2020|")
    page = page_copy(tmp_path, text)

    report = import_page(page, tmp_path / "data")
    knowledge = load_faq(tmp_path / "data")

    assert report.removed == ["partner-count"]
    assert report.changed == ["request-sme", "stay-up-to-date"]
    assert report.changes == {"request-sme": ["answer"], "stay-up-to-date": ["related"]}
    assert report.added == ["esd-partner-see-ftop"]
    assert report.unchanged == 16
    assert report.written
    assert len(knowledge) == 19
    assert knowledge.get("partner-count") is None
    stay = knowledge.get(report.changed[1])
    assert stay is not None
    assert stay.related == ("request-sme",)  # the reference to the removed entry is dropped
    new = knowledge.entries[-1]
    assert (new.id, new.section, new.alternates) == (
        "esd-partner-see-ftop",
        "Engagement Start Date",
        (),
    )
    sme = knowledge.get("request-sme")
    assert sme is not None
    assert sme.alternates == ("sme request", "how do I get a subject matter expert")
    assert "source refreshed: 2020-04-23 -> 2020-05-01" in "\n".join(report.lines())
    lines = report.lines()
    assert lines[0] == f"{OUTPUT}: 19 entries; 1 added, 2 changed, 1 removed, 16 unchanged"
    assert "  removed  partner-count: How many partners are in the program?" in lines
    assert "  changed  request-sme (answer)" in lines


def test_reworded_question_keeps_its_id_and_curation(tmp_path: Path) -> None:
    imported(tmp_path)
    hand_edit(tmp_path / "data" / OUTPUT)
    text = PAGE.read_text(encoding="utf-8").replace(
        "**How do I request a technical expert?**", "**How can I request a technical expert?**"
    )

    report = import_page(page_copy(tmp_path, text), tmp_path / "data")

    assert report.changed == ["request-sme"]
    assert report.changes["request-sme"] == ["question"]
    assert (report.added, report.removed) == ([], [])
    sme = load_faq(tmp_path / "data").get("request-sme")
    assert sme is not None
    assert sme.question == "How can I request a technical expert?"
    assert sme.alternates == ("sme request", "how do I get a subject matter expert")


def test_import_refuses_to_write_what_the_loader_would_refuse(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    other = {
        "entries": [{"id": "x", "section": "S", "question": "Where is the portal?", "answer": "A"}]
    }
    (data / "other.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")

    with pytest.raises(FaqDataError, match="phrasing 'where is the portal\\?' also belongs to"):
        import_page(SAMPLE, data)
    assert sorted(p.name for p in data.iterdir()) == ["other.yaml"]


# --------------------------------------------------------------------------- malformed pages


SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("---\ntitle", "title", "line 1: no front matter"),
        ("ms.date: 01/15/2020\n", "ms.date: someday\n", "line 3: front matter needs ms.date"),
        ("**Where is the portal?**", "**Where is the portal?", "line 11: unterminated bold"),
        (
            "Open the [FastTrack",
            "\n**Second question?**\n\nOpen the [FastTrack",
            "line 11: question 'Where is the portal?' has no answer",
        ),
        (
            "|03/02/2020|",
            "|31/02/2020|",
            "line 33: Refresh Summary date '31/02/2020' is not MM/DD/YYYY",
        ),
        (
            "(mailto:gdpr@example.com)",
            "(http://example.com)",
            "line 17: link 'http://example.com' is neither",
        ),
        ("(mailto:gdpr@example.com).", "(mailto:gdpr@example.com", "line 17: unterminated link"),
        ("## Getting Started\n", "", "line 10: question before any '##' section heading"),
        (
            "**Why do we track dates?**",
            "**Where is the portal?**",
            "line 22: question repeated from line 11",
        ),
        ("There are two reasons:", "| a | b |", "line 24: tables are not supported"),
    ],
)
def test_malformed_page_names_the_line_and_leaves_the_yaml_untouched(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in SAMPLE_TEXT
    data = tmp_path / "data"
    data.mkdir()
    import_page(SAMPLE, data)
    before = (data / "sample.yaml").read_bytes()
    page = page_copy(tmp_path, SAMPLE_TEXT.replace(old, new, 1), name=SAMPLE.name)

    with pytest.raises(PageFormatError) as caught:
        import_page(page, data)

    assert f"sample-faqs.md {message}" in str(caught.value)
    assert (data / "sample.yaml").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == ["sample.yaml"]


def test_page_without_questions_is_malformed(tmp_path: Path) -> None:
    page = page_copy(tmp_path, "---\ntitle: T\nms.date: 01/01/2020\n---\n\n## Empty\n\nText.\n")
    with pytest.raises(PageFormatError, match="line 8: no questions found"):
        import_page(page, tmp_path)
    assert not list(tmp_path.glob("*.yaml"))


def test_page_format_error_is_a_faq_data_error() -> None:
    error = PageFormatError(["p.md line 3: bad"])
    assert isinstance(error, FaqDataError)
    assert error.problems == ["p.md line 3: bad"]
    assert str(error) == "1 problem in the FAQ page:\n- p.md line 3: bad"
