"""Analysis: stems, spelling repair and synonym concepts line up both sides of a match."""

from __future__ import annotations

import pytest

from intents.analyzer import Analyzer, SpellingRepair, stem, words
from intents.models import SynonymGroup


@pytest.mark.parametrize(
    ("forms", "shared"),
    [
        (["update", "updates", "updated", "updating"], "updat"),
        (["tenant", "tenants"], "tenant"),
        (["schedule", "scheduled", "scheduling"], "schedul"),
        (["plan", "planned", "planning"], "plan"),
        (["company", "companies"], "company"),
        (["use", "uses", "used", "using"], "use"),
        (["pay", "paid"], "pay"),
    ],
)
def test_inflections_share_a_stem(forms: list[str], shared: str) -> None:
    assert {stem(form) for form in forms} == {shared}


@pytest.mark.parametrize("word", ["status", "process", "news", "l1", "365", "gdpr"])
def test_stemming_leaves_these_alone(word: str) -> None:
    assert stem(word) == word


def test_words_fold_and_split() -> None:
    assert words("Customer\u2019s KICK-OFF, FTOP!") == ["customer", "kick", "off", "ftop"]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("custmer", "customer"),  # deletion
        ("veiw", "view"),  # transposition
        ("tennant", "tenant"),  # insertion
        ("engagment", "engagement"),
        ("fasttrak", "fasttrack"),
    ],
)
def test_spelling_repair_finds_the_known_word(typo: str, meant: str) -> None:
    repair = SpellingRepair(["customer", "view", "tenant", "engagement", "fasttrack", "vie"])
    assert repair.repair(typo) == meant


def test_spelling_repair_leaves_short_known_and_far_words_alone() -> None:
    repair = SpellingRepair(["customer", "date", "whether"])
    assert repair.repair("dat") == "dat"  # too short to guess
    assert repair.repair("date") == "date"
    assert repair.repair("weather") == "weather"  # two edits in a 7-letter word
    assert repair.repair("x1x1") == "x1x1"  # not a word


def test_synonyms_fold_into_one_concept_on_both_sides() -> None:
    analyzer = Analyzer(
        [
            SynonymGroup(("ftop", "fasttrack orchestration portal")),
            SynonymGroup(("esd", "engagement start date")),
        ]
    ).fit(["Use the FastTrack Orchestration Portal to set the Engagement Start Date."])
    assert analyzer.analyze("FTOP esd") == ["ftop", "esd"]
    assert analyzer.analyze("the fasttrack orchestration portal") == ["ftop"]
    assert analyzer.analyze("Engagement Start Dates") == ["esd"]


def test_stop_words_go_but_meaningful_small_words_stay() -> None:
    analyzer = Analyzer().fit(["first email back up to date never"])
    assert analyzer.analyze("What is the first email?") == ["first", "email"]
    assert "never" in analyzer.analyze("they never respond")


@pytest.mark.parametrize(
    "typed", ["isn't", "isn\u2019t", "isnt", "doesn't", "dont", "can't", "won't"]
)
def test_a_negation_reads_as_not_with_or_without_its_apostrophe(typed: str) -> None:
    assert words(f"customer {typed} answering") == ["customer", "not", "answering"]


def test_a_negation_meets_a_synonym_phrase_written_with_not() -> None:
    analyzer = Analyzer([SynonymGroup(("unresponsive", "not answering"))]).fit(["unresponsive"])
    assert analyzer.analyze("the customer isn't answering") == ["customer", "unresponsive"]
    assert analyzer.analyze("customer isnt answering") == ["customer", "unresponsive"]


def test_channel_chatter_around_a_question_carries_no_topic() -> None:
    analyzer = Analyzer().fit(["how many partners"])
    assert analyzer.analyze("random q - roughly how many partners now? btw") == ["many", "partner"]


def test_repaired_terms_are_marked() -> None:
    analyzer = Analyzer().fit(["customer workloads"])
    (term,) = analyzer.terms("custmer")
    assert (term.surface, term.term, term.corrected) == ("custmer", "customer", True)


def test_spelling_repair_never_adds_or_drops_a_prefix() -> None:
    repair = SpellingRepair(["subscribe", "schedule", "assign"])
    assert repair.repair("unsubscribe") == "unsubscribe"
    assert repair.repair("reschedule") == "reschedule"
    assert repair.repair("unassign") == "unassign"
