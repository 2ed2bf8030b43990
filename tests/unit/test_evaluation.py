"""The evaluation's figures, on a tiny knowledge base."""

from __future__ import annotations

import pytest

from intents import Decision, TfidfMatcher, Thresholds
from intents.evaluation import EvalCase, cases_from, evaluate, judge
from intents.models import Match, MatchResult
from tests.unit.test_matcher import KNOWLEDGE, PORTAL, SMALLTALK


@pytest.fixture(scope="module")
def matcher() -> TfidfMatcher:
    return TfidfMatcher(thresholds=Thresholds(answer=0.35, margin=0.05, clarify=0.2)).fit(
        KNOWLEDGE, SMALLTALK
    )


def _result(decision: Decision, *ids: str) -> MatchResult:
    entries = {e.id: e for e in KNOWLEDGE.entries}
    matches = tuple(Match(entries[i], 0.5) for i in ids)
    shown = matches[:1] if decision is Decision.ANSWER else matches
    return MatchResult("q", decision, matches, shown if decision is not Decision.NONE else ())


def test_judging_each_kind_of_case() -> None:
    case = EvalCase("q", "manage-engagements", also=("request-sme",))
    assert judge(case, _result(Decision.ANSWER, "manage-engagements")).correct
    assert judge(case, _result(Decision.ANSWER, "request-sme")).correct  # an accepted alternative
    assert judge(case, _result(Decision.CLARIFY, "manage-engagements", "esd-vs-kickoff")).correct
    wrong = judge(case, _result(Decision.ANSWER, "esd-vs-kickoff"))
    assert not wrong.correct
    assert wrong.wrong_answer
    missed = judge(case, _result(Decision.NONE))
    assert not missed.correct
    assert not missed.wrong_answer

    oos = EvalCase("q", "none")
    assert judge(oos, _result(Decision.NONE)).correct
    assert not judge(oos, _result(Decision.CLARIFY, "request-sme")).correct


def test_report_figures_and_misses(matcher: TfidfMatcher) -> None:
    cases = cases_from(
        {
            "cases": [
                {"text": "manage customer engagements", "expect": PORTAL.id, "kind": "keywords"},
                {"text": "SME request", "expect": "request-sme", "kind": "acronym"},
                {"text": "weather in Redmond", "expect": "none", "kind": "out_of_scope"},
                {"text": "hello", "expect": "smalltalk:greeting", "kind": "smalltalk"},
                {"text": "thanks", "expect": "smalltalk:goodbye", "kind": "smalltalk"},
            ]
        }
    )
    report = evaluate(matcher, cases)
    assert report.accuracy == 1.0
    assert report.wrong_rate == 0.0
    assert report.rejection == 1.0
    assert report.smalltalk_accuracy == 0.5
    (miss,) = report.misses
    assert miss.chosen == "smalltalk:thanks"
    text = "\n".join(report.lines())
    assert "in-scope accuracy" in text
    assert "expected smalltalk:goodbye, got smalltalk -> smalltalk:thanks" in text
    assert {row.kind for row in report.by_kind()} == {
        "keywords",
        "acronym",
        "out_of_scope",
        "smalltalk",
    }
    assert report.summary()["cases"] == 5


def test_unknown_expected_ids_are_reported(matcher: TfidfMatcher) -> None:
    report = evaluate(matcher, [EvalCase("ftop", "no-such-entry")])
    assert report.unknown_ids == ("no-such-entry",)


@pytest.mark.parametrize(
    "document",
    [{}, {"cases": "nope"}, {"cases": [{"text": "no expectation"}]}, {"cases": [3]}],
)
def test_malformed_eval_files_are_refused(document: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"case|cases"):
        cases_from(document)
