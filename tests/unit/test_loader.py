"""intents.loader: what a valid directory loads into, and every problem it reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from intents.loader import FaqDataError, load_faq, load_smalltalk, load_yaml_document
from intents.models import Link

FILE = "topic.yaml"


def entry(entry_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid entry mapping; ``overrides`` replace keys (``None`` removes one)."""
    base: dict[str, Any] = {
        "id": entry_id,
        "section": "Resources",
        "question": f"What about {entry_id.replace('-', ' ')}?",
        "answer": f"The answer about {entry_id}.",
        "links": [{"title": "Open FTOP", "url": "https://ftop.microsoft.com/", "kind": "ftop"}],
        "alternates": [f"{entry_id} please", f"tell me about {entry_id}"],
        "related": [],
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def write(directory: Path, files: dict[str, Any]) -> Path:
    """Write each value as YAML (a ``str`` is written verbatim)."""
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(FaqDataError) as caught:
        load_faq(directory)
    return caught.value.problems


def one_problem(tmp_path: Path, *entries: dict[str, Any]) -> str:
    (problem,) = problems_of(write(tmp_path, {FILE: {"entries": list(entries)}}))
    return problem


def test_valid_directory_loads_entries_sources_and_synonyms(tmp_path: Path) -> None:
    source = {"title": "Page", "page": "page-faqs.md", "published": date(2019, 10, 29)}
    write(
        tmp_path,
        {
            "a.yaml": {
                "source": {**source, "refreshed": "2020-04-23"},
                "entries": [entry("first", related=["second"]), entry("second")],
            },
            "b.yaml": {"entries": [entry("third", links=[], alternates=[])]},
            "synonyms.yaml": {"synonyms": [["ftop", "orchestration portal"], ["fm", "manager"]]},
        },
    )

    knowledge = load_faq(tmp_path)

    assert [e.id for e in knowledge] == ["first", "second", "third"]
    first = knowledge.entries[0]
    assert first.related == ("second",)
    assert first.links == (Link("Open FTOP", "https://ftop.microsoft.com/", "ftop"),)
    assert first.source is not None
    assert first.source.refreshed == date(2020, 4, 23)
    assert knowledge.entries[2].source is None
    assert [g.canonical for g in knowledge.synonyms] == ["ftop", "fm"]


def test_link_kind_defaults_to_other_and_mailto_is_accepted(tmp_path: Path) -> None:
    links = [{"title": "Email us", "url": "mailto:team@example.com"}]
    write(tmp_path, {FILE: {"entries": [entry("mail", links=links)]}})
    (loaded,) = load_faq(tmp_path)
    assert loaded.links == (Link("Email us", "mailto:team@example.com", "other"),)


def test_missing_answer_names_file_index_and_id(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a"), entry("b"), entry("c", answer=None))
    assert problem == f"{FILE} entry 2 (c): missing 'answer'"


def test_blank_required_text_counts_as_missing(tmp_path: Path) -> None:
    assert (
        one_problem(tmp_path, entry("a", question="  "))
        == f"{FILE} entry 0 (a): missing 'question'"
    )


def test_entry_without_id_is_named_by_index(tmp_path: Path) -> None:
    assert one_problem(tmp_path, entry("a"), entry("b", id=None)) == f"{FILE} entry 1: missing 'id'"


def test_unknown_keys_are_reported(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a", alternate=["typo"], answr="x"))
    assert problem == f"{FILE} entry 0 (a): unknown keys 'alternate', 'answr'"


def test_unknown_top_level_key_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, {FILE: {"entries": [entry("a")], "extra": 1}}))
    assert problem == f"{FILE}: unknown top-level keys 'extra'"


def test_file_without_entries_list_is_reported(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, {FILE: {"entry": []}}))
    assert problems == [
        f"{FILE}: unknown top-level keys 'entry'",
        f"{FILE}: expected a top-level 'entries' list",
    ]


@pytest.mark.parametrize("bad_id", ["Register_Customers", "request sme", "sme-", "ÉSD"])
def test_non_kebab_case_id_is_reported(tmp_path: Path, bad_id: str) -> None:
    assert "is not kebab-case" in one_problem(tmp_path, entry(bad_id))


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.yaml": {"entries": [entry("same")]},
            "b.yaml": {"entries": [entry("x"), entry("same", question="Other?", alternates=[])]},
        },
    )
    (problem,) = problems_of(tmp_path)
    assert (
        problem == "b.yaml entry 1 (same): duplicate id 'same', first used in a.yaml entry 0 (same)"
    )


def test_related_to_unknown_id_is_reported(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a", related=["nowhere"]))
    assert problem == f"{FILE} entry 0 (a): related id 'nowhere' is not an entry"


def test_related_to_itself_is_reported(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a", related=["a"]))
    assert problem == f"{FILE} entry 0 (a): related lists the entry itself"


@pytest.mark.parametrize(
    "url", ["http://ftop.microsoft.com/", "ftp://files.example", "javascript:alert(1)", "www.x.com"]
)
def test_link_url_must_be_https_or_mailto(tmp_path: Path, url: str) -> None:
    problem = one_problem(tmp_path, entry("a", links=[{"title": "T", "url": url}]))
    assert problem == f"{FILE} entry 0 (a) link 0: url {url!r} must start with https:// or mailto:"


def test_unknown_link_kind_is_reported(tmp_path: Path) -> None:
    links = [{"title": "T", "url": "https://x.example/", "kind": "button"}]
    assert "link 0: unknown kind 'button'" in one_problem(tmp_path, entry("a", links=links))


def test_link_without_title_is_reported(tmp_path: Path) -> None:
    links = [{"url": "https://x.example/"}]
    assert (
        one_problem(tmp_path, entry("a", links=links))
        == f"{FILE} entry 0 (a) link 0: missing 'title'"
    )


@pytest.mark.parametrize("blank", ["", "   ", None, 42])
def test_empty_alternate_is_reported(tmp_path: Path, blank: object) -> None:
    problem = one_problem(tmp_path, entry("a", alternates=["fine", blank]))
    assert problem.startswith(f"{FILE} entry 0 (a): alternates 1 is empty or not text")


def test_duplicate_alternates_are_reported_ignoring_case_and_spacing(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a", alternates=["FTOP login", "ftop  LOGIN"]))
    assert problem == f"{FILE} entry 0 (a): duplicate alternate 'ftop LOGIN'"


def test_alternate_repeating_another_entrys_question_is_reported(tmp_path: Path) -> None:
    first = entry("a", question="Where is FTOP?")
    problem = one_problem(tmp_path, first, entry("b", alternates=["where is ftop?"]))
    assert problem.startswith(f"{FILE} entry 1 (b): phrasing 'where is ftop?' also belongs to")


def test_source_question_equal_to_question_is_reported(tmp_path: Path) -> None:
    problem = one_problem(tmp_path, entry("a", question="Q?", source_question="q?"))
    assert problem == f"{FILE} entry 0 (a): source_question repeats question; leave it out"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "entries:\n  - id: a\n    question: [unclosed\n    answer: x\n"
    (problem,) = problems_of(write(tmp_path, {FILE: text}))
    assert problem.startswith(f"{FILE}: YAML syntax error at line ")
    assert "line 4" in problem or "line 3" in problem


def test_impossible_date_names_the_line(tmp_path: Path) -> None:
    text = "source:\n  title: Page\n  published: 2019-13-45\nentries: []\n"
    (problem,) = problems_of(write(tmp_path, {FILE: text}))
    assert problem.startswith(f"{FILE}: line 3: invalid value")


def test_date_that_is_not_a_date_is_reported(tmp_path: Path) -> None:
    source = {"title": "Page", "published": "last tuesday"}
    (problem,) = problems_of(write(tmp_path, {FILE: {"source": source, "entries": [entry("a")]}}))
    assert problem == f"{FILE} source: published 'last tuesday' is not a date (YYYY-MM-DD)"


def test_refreshed_before_published_is_reported(tmp_path: Path) -> None:
    source = {"title": "P", "published": date(2020, 1, 2), "refreshed": date(2019, 1, 1)}
    (problem,) = problems_of(write(tmp_path, {FILE: {"source": source, "entries": [entry("a")]}}))
    assert "refreshed 2019-01-01 is before published 2020-01-02" in problem


def test_synonym_term_in_two_groups_is_reported(tmp_path: Path) -> None:
    synonyms = {"synonyms": [["kickoff", "kick-off"], ["meeting", "Kick Off"]]}
    write(tmp_path, {FILE: {"entries": [entry("a")]}, "synonyms.yaml": synonyms})
    (problem,) = problems_of(tmp_path)
    assert problem == (
        "synonyms.yaml group 1 (meeting): term 'kick off' is already in "
        "synonyms.yaml group 0 (kickoff)"
    )


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([["alone"]], "group 0 (alone): a group needs at least two terms"),
        ([["a", ""]], "group 0 (a): every term must be non-empty text"),
        (["ftop"], "group 0: expected a list of terms"),
    ],
)
def test_malformed_synonym_groups_are_reported(
    tmp_path: Path, groups: list[Any], expected: str
) -> None:
    write(tmp_path, {FILE: {"entries": [entry("a")]}, "synonyms.yaml": {"synonyms": groups}})
    assert f"synonyms.yaml {expected}" in problems_of(tmp_path)


def test_every_problem_of_every_file_is_reported_together(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.yaml": {
                "entries": [
                    entry("ok"),
                    entry("no-answer", answer=None, related=["ghost"]),
                    entry("Bad_Id", links=[{"title": "T", "url": "http://x", "kind": "k"}]),
                ]
            },
            "b.yaml": "entries: [\n",
            "synonyms.yaml": {"synonyms": [["fm", "manager"], ["manager", "boss"]]},
        },
    )

    with pytest.raises(FaqDataError) as caught:
        load_faq(tmp_path)

    problems = caught.value.problems
    assert len(problems) == 7, problems
    message = str(caught.value)
    assert message.startswith("7 problems in the FAQ data:")
    for expected in (
        "a.yaml entry 1 (no-answer): missing 'answer'",
        "a.yaml entry 1 (no-answer): related id 'ghost' is not an entry",
        "a.yaml entry 2 (Bad_Id): id 'Bad_Id' is not kebab-case",
        "a.yaml entry 2 (Bad_Id) link 0: url 'http://x' must start with https:// or mailto:",
        "a.yaml entry 2 (Bad_Id) link 0: unknown kind 'k'",
        "b.yaml: YAML syntax error at line",
        "synonyms.yaml group 1 (manager): term 'manager' is already in synonyms.yaml group 0 (fm)",
    ):
        assert expected in message


def test_empty_or_missing_directory_is_an_error(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no *.yaml files found"]
    assert problems_of(tmp_path / "missing") == [f"{tmp_path / 'missing'}: no *.yaml files found"]


def test_error_is_a_value_error_with_a_readable_message() -> None:
    error = FaqDataError(["one", "two"])
    assert isinstance(error, ValueError)
    assert str(error) == "2 problems in the FAQ data:\n- one\n- two"
    assert FaqDataError("single").problems == ["single"]


def test_load_yaml_document_reports_missing_and_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(FaqDataError, match="cannot read"):
        load_yaml_document(tmp_path / "absent.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(FaqDataError, match="expected a mapping"):
        load_yaml_document(tmp_path / "list.yaml")


def test_load_smalltalk_reads_kinds_and_filler(tmp_path: Path) -> None:
    path = tmp_path / "smalltalk.yaml"
    path.write_text("kinds:\n  greeting: [hello]\nfiller: [there]\n", encoding="utf-8")
    detector = load_smalltalk(path)
    hit = detector.detect("hello there")
    assert hit is not None
    assert hit.kind == "greeting"


def test_load_smalltalk_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "smalltalk.yaml"
    path.write_text("kinds:\n  greeting: []\nfiller: [1]\nextra: x\n", encoding="utf-8")
    with pytest.raises(FaqDataError) as caught:
        load_smalltalk(path)
    assert len(caught.value.problems) == 3


def test_shipped_smalltalk_loads() -> None:
    assert load_smalltalk().detect("thanks") is not None


def test_out_of_scope_topics_and_kinds_of_question_load(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            FILE: {"entries": [entry("first", answers=["when"]), entry("second")]},
            "asks.yaml": {"asks": {"who": ["who", "whose"], "when": ["when", "how long"]}},
            "out_of_scope.yaml": {
                "out_of_scope": [
                    {"id": "passwords", "about": "Sign-in help.", "phrasings": ["reset password"]}
                ]
            },
        },
    )

    knowledge = load_faq(tmp_path)

    assert knowledge.asks == {"who": ("who", "whose"), "when": ("when", "how long")}
    assert knowledge.entries[0].answers == ("when",)
    assert knowledge.entries[1].answers == ()
    (topic,) = knowledge.out_of_scope
    assert (topic.id, topic.about, topic.phrasings) == (
        "passwords",
        "Sign-in help.",
        ("reset password",),
    )


def test_every_problem_of_out_of_scope_and_asks_is_reported_together(tmp_path: Path) -> None:
    topics = [
        {"id": "first", "about": "Clashes with an entry id.", "phrasings": ["x y"]},
        {"id": "Bad Id", "about": "", "phrasings": []},
        {"id": "dup", "about": "A.", "phrasings": ["What about first?", "z", "Z"], "note": 1},
        {"id": "dup", "about": "B.", "phrasings": ["w"]},
    ]
    write(
        tmp_path,
        {
            FILE: {"entries": [entry("first", answers=["when", "why"])]},
            "asks.yaml": {"asks": {"when": ["when"], "how_long": ["how long"], "soon": ["When"]}},
            "out_of_scope.yaml": {"out_of_scope": topics},
        },
    )

    problems = problems_of(tmp_path)

    for expected in (
        "asks.yaml kind 'how_long': the kind must be kebab-case (like 'how-much')",
        "asks.yaml kind 'soon': 'When' already asks 'when'",
        "out_of_scope.yaml topic 1 (Bad Id): id 'Bad Id' is not kebab-case",
        "out_of_scope.yaml topic 1 (Bad Id): 'about' is empty",
        "out_of_scope.yaml topic 1 (Bad Id): 'phrasings' is empty",
        "out_of_scope.yaml topic 2 (dup): unknown keys 'note'",
        "out_of_scope.yaml topic 2 (dup): duplicate phrasing 'Z'",
        "out_of_scope.yaml topic first: id 'first' is also an entry (topic.yaml entry 0 (first))",
        "out_of_scope.yaml topic dup: phrasing 'What about first?' is also a phrasing of "
        "topic.yaml entry 0 (first)",
        "out_of_scope.yaml topic dup: duplicate id 'dup'",
        "topic.yaml entry 0 (first): answers 'why' not in asks.yaml (one of when, soon)",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert len(problems) == 11, problems
