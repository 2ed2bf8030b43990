"""``--apply-suggestions``: alternates written into a COPY of faq_data, checked and reviewable."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from bot.report.apply import MAX_ALTERNATES, LayoutError, apply_suggestions, insert_alternate
from bot.report.model import Suggestion
from intents.build import build_matcher
from intents.loader import load_faq

ENTRIES_FILE = "build-a-successful-practice.yaml"


def suggestion(phrasing: str, entry_id: str, evidence: int = 3) -> Suggestion:
    return Suggestion(entry_id, phrasing, evidence, {"choice": evidence}, "clarify")


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert all(line.startswith("+") for line in changed), changed  # nothing removed or changed
    return [line[1:] for line in changed]


def test_a_suggestion_becomes_one_added_line_and_retrieves_its_entry(data_copy: Path) -> None:
    path = data_copy / ENTRIES_FILE
    before = path.read_text(encoding="utf-8")
    assert build_matcher(data_copy).match("where to track deployments").decision == "clarify"

    result = apply_suggestions(
        data_copy, [suggestion("where to track deployments", "manage-engagements")]
    )

    assert [(s.phrasing, p.name) for s, p in result.added] == [
        ("where to track deployments", ENTRIES_FILE)
    ]
    assert result.skipped == []
    assert added_lines(before, path.read_text(encoding="utf-8")) == [
        "      - where to track deployments"
    ]
    entry = load_faq(data_copy).get("manage-engagements")
    assert entry is not None
    assert entry.alternates[-1] == "where to track deployments"
    best = build_matcher(data_copy).match("where to track deployments").best
    assert best is not None
    assert best.entry.id == "manage-engagements"
    assert result.lines(data_copy) == [
        f"added 'where to track deployments' to manage-engagements ({ENTRIES_FILE})",
        f"review with: git diff -- {data_copy}",
    ]


def test_comments_and_the_rest_of_the_file_are_untouched(data_copy: Path) -> None:
    path = data_copy / ENTRIES_FILE
    before = path.read_text(encoding="utf-8")
    apply_suggestions(data_copy, [suggestion("where to track deployments", "manage-engagements")])
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.split("entries:")[0])  # header comments and source block
    assert len(after.splitlines()) == len(before.splitlines()) + 1


def test_what_would_not_retrieve_its_entry_is_skipped(data_copy: Path) -> None:
    before = (data_copy / ENTRIES_FILE).read_text(encoding="utf-8")
    result = apply_suggestions(data_copy, [suggestion("what is the lunch menu", "esd-purpose")])
    assert result.added == []
    ((_, why),) = result.skipped
    assert why.startswith("the matcher would still not answer it with its entry")
    assert (data_copy / ENTRIES_FILE).read_text(encoding="utf-8") == before
    assert result.lines(data_copy)[-1] == "nothing written"


def test_a_phrasing_of_another_entry_is_refused_by_the_loader(data_copy: Path) -> None:
    result = apply_suggestions(data_copy, [suggestion("ftop login", "request-sme")])
    ((_, why),) = result.skipped
    assert why.startswith("the FAQ data would not load")
    assert "ftop login" in why


def test_an_entry_with_the_most_alternates_is_skipped(data_copy: Path) -> None:
    full = [e for e in load_faq(data_copy) if len(e.alternates) >= MAX_ALTERNATES]
    assert full, "the shipped data has an entry at the limit"
    result = apply_suggestions(data_copy, [suggestion("privacy request", full[0].id)])
    ((_, why),) = result.skipped
    assert why == f"the entry already has {MAX_ALTERNATES} alternates; replace one by hand"


def test_an_unknown_entry_is_skipped(data_copy: Path) -> None:
    result = apply_suggestions(data_copy, [suggestion("anything", "no-such-entry")])
    assert result.skipped[0][1] == "the entry is not in the FAQ data"


def test_nothing_to_apply_reads_nothing(tmp_path: Path) -> None:
    result = apply_suggestions(tmp_path / "missing", [])
    assert (result.added, result.skipped) == ([], [])


class TestInsertAlternate:
    FILE = """\
# a comment that must stay
entries:
  - id: first
    question: First?   # trailing comment
    alternates:
      - one
      - 'two: quoted'
    related:
      - second
  - id: second
    question: Second?
    alternates: []
    related: [first]
  - id: third
    question: Third?
    related: [first]
  - id: fourth
    question: Fourth?
    alternates:
    - indentless
"""

    def test_appends_to_a_block_list(self) -> None:
        text = insert_alternate(self.FILE, "first", "three: needs quotes")
        assert "      - 'two: quoted'\n      - 'three: needs quotes'\n    related:" in text

    def test_replaces_an_empty_flow_list(self) -> None:
        text = insert_alternate(self.FILE, "second", "new one")
        assert "    alternates:\n      - new one\n    related: [first]" in text

    def test_adds_the_key_when_missing(self) -> None:
        text = insert_alternate(self.FILE, "third", "new one")
        assert "    question: Third?\n    alternates:\n      - new one\n    related:" in text

    def test_keeps_an_indentless_list_indentless(self) -> None:
        text = insert_alternate(self.FILE, "fourth", "new one")
        assert text.endswith("    alternates:\n    - indentless\n    - new one\n")

    def test_a_flow_list_with_items_is_left_to_a_human(self) -> None:
        flow = self.FILE.replace("alternates: []", "alternates: [a, b]")
        with pytest.raises(LayoutError, match="flow list"):
            insert_alternate(flow, "second", "new one")

    def test_a_missing_entry_is_a_layout_error(self) -> None:
        with pytest.raises(LayoutError, match="no '- id: fifth' line"):
            insert_alternate(self.FILE, "fifth", "new one")
