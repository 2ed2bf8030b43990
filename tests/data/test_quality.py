"""Answer quality on the labelled sets, through the CLI's own path.

The bars are regression floors at or near today's figures (README, "Answer quality"): a change
that loses accuracy, starts answering with wrong entries or stops rejecting out-of-scope
questions fails here, not in production. ``tests/data/probe_questions.yaml`` is a second
labelled set written without looking at the development set's cases (never used to write
``faq_data/``); its floors keep a gain on the development set from being a fit to it alone.
The five blind sets (``tests/data/blind_questions*.yaml``, written from the FAQ page only) have
floors of their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.__main__ import main
from intents.build import build_matcher
from intents.evaluation import EvalReport, cases_from, evaluate
from intents.loader import load_faq, load_yaml_document

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "eval" / "dev_questions.yaml"
PROBE_SET = ROOT / "tests" / "data" / "probe_questions.yaml"
BLIND_SET = ROOT / "tests" / "data" / "blind_questions.yaml"
BLIND_SET_2 = ROOT / "tests" / "data" / "blind_questions_2.yaml"
BLIND_SET_3 = ROOT / "tests" / "data" / "blind_questions_3.yaml"
BLIND_SET_4 = ROOT / "tests" / "data" / "blind_questions_4.yaml"
BLIND_SET_5 = ROOT / "tests" / "data" / "blind_questions_5.yaml"


def _evaluate(labelled: Path) -> EvalReport:
    return evaluate(build_matcher(ROOT / "faq_data"), cases_from(load_yaml_document(labelled)))


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return _evaluate(DEV_SET)


def test_in_scope_questions_get_the_right_entry(report: EvalReport) -> None:
    assert report.accuracy >= 0.95


def test_at_most_two_percent_are_answered_with_a_wrong_entry(report: EvalReport) -> None:
    assert report.wrong_rate <= 0.02


def test_out_of_scope_questions_are_rejected(report: EvalReport) -> None:
    # The bar is 95%; today's figure is 100% (25/25, see README): one miss is allowed.
    assert report.rejection >= 0.96


def test_every_small_talk_line_is_recognised(report: EvalReport) -> None:
    assert report.smalltalk_accuracy == 1.0


def test_every_expected_id_exists(report: EvalReport) -> None:
    assert report.unknown_ids == ()


@pytest.fixture(scope="module")
def probe() -> EvalReport:
    return _evaluate(PROBE_SET)


def test_probe_set_meets_the_same_bars_except_rejection(probe: EvalReport) -> None:
    assert probe.accuracy >= 0.95
    assert probe.wrong_rate <= 0.02
    assert probe.smalltalk_accuracy == 1.0
    assert probe.unknown_ids == ()


def test_probe_set_rejects_most_out_of_scope_questions(probe: EvalReport) -> None:
    # Today 88.1% (37/42): its out-of-scope questions are harder than the development set's
    # (nearly all reuse the FAQ's words). This floor guards the figure with a two-case margin.
    assert probe.rejection >= 0.83


#: Regression floors of the blind sets: (in-scope accuracy, out-of-scope rejection, small
#: talk), two to three cases under today's figures (README, "Answer quality"). Today:
#: blind_questions 96.5% (110/114) in scope, 85.0% (34/40) rejection, 9/9 small talk;
#: blind_questions_2 94.7% (126/133), 88.9% (40/45), 10/10; blind_questions_3 88.7% (118/133),
#: 90.0% (36/40), 8/8; blind_questions_4 94.1% (143/152), 87.5% (35/40), 8/8;
#: blind_questions_5 88.8% (135/152), 85.0% (34/40), 8/8. No set has a wrong answer.
BLIND_FLOORS = {
    BLIND_SET: (0.93, 0.80, 1.0),
    BLIND_SET_2: (0.92, 0.84, 0.9),
    BLIND_SET_3: (0.86, 0.85, 0.85),
    BLIND_SET_4: (0.92, 0.82, 0.85),
    BLIND_SET_5: (0.87, 0.80, 0.85),
}


@pytest.mark.parametrize("labelled", list(BLIND_FLOORS), ids=lambda p: p.stem)
def test_blind_sets_keep_their_figures(labelled: Path) -> None:
    accuracy, rejection, smalltalk = BLIND_FLOORS[labelled]
    report = _evaluate(labelled)
    assert report.accuracy >= accuracy
    assert report.wrong_rate <= 0.02
    assert report.rejection >= rejection
    assert report.smalltalk_accuracy >= smalltalk
    assert report.unknown_ids == ()


#: Alternates written before the blind sets existed, whose authors wrote the same words.
SAME_WORDS_BY_CHANCE = {
    "how many fasttrack ready partners are there",
    "portfolio view empty",
    "esd for blocked workloads",  # an alternate since the first import; a terse blind case
    "sme request",  # likewise: two words, a terse case of blind set 4
}


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("<at>faq bot</at>", "").split()).strip(" ?!.")


@pytest.mark.parametrize(
    "labelled",
    [DEV_SET, PROBE_SET, BLIND_SET, BLIND_SET_2, BLIND_SET_3, BLIND_SET_4, BLIND_SET_5],
    ids=lambda p: p.stem,
)
def test_no_labelled_question_is_written_into_the_knowledge_base(labelled: Path) -> None:
    # Everything written by hand to be matched: alternates, out-of-scope phrasings, synonyms.
    # (Questions, answers and link titles come from the FAQ page itself.)
    knowledge = load_faq(ROOT / "faq_data")
    written = {
        _fold(text)
        for text in [
            *(alternate for entry in knowledge for alternate in entry.alternates),
            *(phrasing for topic in knowledge.out_of_scope for phrasing in topic.phrasings),
            *(term for group in knowledge.synonyms for term in group.terms),
        ]
    }
    assert len(written) > 300
    cases = load_yaml_document(labelled)["cases"]
    copied = [case["text"] for case in cases if _fold(case["text"]) in written]
    assert [text for text in copied if _fold(text) not in SAME_WORDS_BY_CHANCE] == []


def test_eval_command_exits_non_zero_below_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(ROOT / "faq_data")]
    assert main(["eval", str(DEV_SET), "--min-accuracy", "0.95", *data]) == 0
    assert "in-scope accuracy" in capsys.readouterr().out
    assert main(["eval", str(DEV_SET), "--min-accuracy", "1.01", *data]) == 1


def test_ask_command_explains(capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data", str(ROOT / "faq_data")]
    assert main(["ask", "where is the ftop dashbord", "--explain", *data]) == 0
    out = capsys.readouterr().out
    assert "decision:" in out
    assert "spelling repaired" in out
