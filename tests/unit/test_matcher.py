"""Matcher decisions on a small hand-written knowledge base (the shipped data has its own tests)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sklearn.exceptions import NotFittedError

from intents import (
    Decision,
    FaqEntry,
    KnowledgeBase,
    OutOfScopeTopic,
    SmallTalkDetector,
    SynonymGroup,
    TfidfMatcher,
    Thresholds,
)
from intents.hygiene import MAX_QUESTION_CHARS, clean_text

PORTAL = FaqEntry(
    id="manage-engagements",
    section="Resources",
    question="Where do I manage my customer engagements?",
    answer="In the FastTrack Orchestration Portal (FTOP): assign customers and track workloads.",
    alternates=("ftop dashboard", "where do I track workload status", "assign customers"),
)
EXPERT = FaqEntry(
    id="request-sme",
    section="Resources",
    question="How do I request a technical expert?",
    answer="Submit a subject-matter expert request on the FTC Resource Request page.",
    alternates=("sme request", "get help from a Microsoft specialist", "ask for an expert"),
)
KICKOFF = FaqEntry(
    id="esd-vs-kickoff",
    section="Engagement Start Date",
    question="Is the Engagement Start Date the same as the kick-off meeting date?",
    answer="It depends: it is the date the FM started communications, often before kick-off.",
    alternates=("start date versus kickoff meeting", "esd same as kick off"),
)
FIRST_EMAIL = FaqEntry(
    id="esd-first-email",
    section="Engagement Start Date",
    question="Is the Engagement Start Date the date the first email is sent to the customer?",
    answer="No: it is when the customer and the FM start exchanging information.",
    alternates=("esd first email", "does a voicemail count as the start date"),
)
KNOWLEDGE = KnowledgeBase(
    (PORTAL, EXPERT, KICKOFF, FIRST_EMAIL),
    synonyms=(
        SynonymGroup(("ftop", "fasttrack orchestration portal")),
        SynonymGroup(("sme", "subject matter expert", "technical expert")),
        SynonymGroup(("esd", "engagement start date")),
        SynonymGroup(("kickoff", "kick off")),
    ),
)
SMALLTALK = SmallTalkDetector(
    {"greeting": ["hi", "hello"], "thanks": ["thanks"], "help": ["help", "what can you do"]},
    filler=["there", "you"],
)


@pytest.fixture(scope="module")
def matcher() -> TfidfMatcher:
    return TfidfMatcher().fit(KNOWLEDGE, SMALLTALK)  # production defaults


def test_a_close_question_is_answered(matcher: TfidfMatcher) -> None:
    result = matcher.match("where can I manage customer engagements")
    assert result.decision is Decision.ANSWER
    assert result.best is not None
    assert result.best.entry is PORTAL
    assert 0.0 < result.best.score <= 1.0


def test_acronyms_and_their_expansions_meet(matcher: TfidfMatcher) -> None:
    for text in ("subject-matter expert request", "SME request"):
        result = matcher.match(text)
        assert result.best is not None
        assert result.best.entry is EXPERT, text


def test_typos_still_match(matcher: TfidfMatcher) -> None:
    result = matcher.match("how do i requst a tecnical expret")
    assert result.best is not None
    assert result.best.entry is EXPERT


def test_unrelated_question_gets_none(matcher: TfidfMatcher) -> None:
    result = matcher.match("what is the weather in Redmond")
    assert result.decision is Decision.NONE
    assert result.candidates == ()


def test_shared_words_with_unknown_topic_are_not_enough(matcher: TfidfMatcher) -> None:
    # "customer" and "FTOP" are known, but the question is about something else entirely.
    result = matcher.match("how do I reset my password and recover my locked FTOP account")
    assert result.decision is Decision.NONE


def test_close_siblings_are_clarified(matcher: TfidfMatcher) -> None:
    result = matcher.match("engagement start date")
    assert result.decision is Decision.CLARIFY
    assert {m.entry.id for m in result.candidates} == {KICKOFF.id, FIRST_EMAIL.id}
    assert len(result.candidates) <= 3


def test_ranked_matches_are_sorted_and_bounded(matcher: TfidfMatcher) -> None:
    ranked = matcher.rank("start date kickoff email")
    scores = [m.score for m in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 for s in scores)


def test_small_talk_is_scored_apart(matcher: TfidfMatcher) -> None:
    assert matcher.match("hello there").smalltalk == "greeting"
    assert matcher.match("<at>FAQ Bot</at> what can you do?").smalltalk == "help"
    question = matcher.match("hi, how do I request a technical expert?")
    assert question.decision is Decision.ANSWER
    assert question.smalltalk is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "👍🎉",
        "¿Dónde está el portal?",
        "这是什么",
        "&nbsp;&amp;",
        "\x00\x01",
        "?!",
    ],
)
def test_odd_input_is_none_not_a_crash(matcher: TfidfMatcher, text: str | None) -> None:
    result = matcher.match(text)
    assert result.decision is Decision.NONE


def test_huge_input_is_capped(matcher: TfidfMatcher) -> None:
    result = matcher.match("manage customer engagements " * 10_000)
    assert len(result.text) <= MAX_QUESTION_CHARS
    assert result.best is not None
    assert result.best.entry is PORTAL


def test_explain_names_the_terms_that_carried_the_score(matcher: TfidfMatcher) -> None:
    explanation = matcher.explain("FTOP dashbord password")
    assert explanation is not None
    assert explanation.entry_id == PORTAL.id
    by_term = {t.term: t for t in explanation.terms}
    assert by_term["ftop"].in_entry
    assert by_term["dashboard"].corrected
    assert not by_term["password"].known
    assert explanation.coverage < 1.0


def test_unfitted_matcher_says_so() -> None:
    with pytest.raises(NotFittedError):
        TfidfMatcher().match("hi")


def test_inconsistent_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="clarify"):
        TfidfMatcher(thresholds=Thresholds(answer=0.2, clarify=0.4)).fit(KNOWLEDGE)


def test_empty_knowledge_base_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        TfidfMatcher().fit(KnowledgeBase(()))


SIGN_IN = OutOfScopeTopic(
    id="sign-in-problems",
    about="Password and sign-in trouble: the FAQ says where FTOP is, not how to get in.",
    phrasings=("reset my FTOP password", "locked out of the portal", "forgot password"),
)
WITH_TOPICS = replace(
    KNOWLEDGE,
    out_of_scope=(SIGN_IN,),
    asks={"when": ("when", "how long")},
    entries=(PORTAL, replace(EXPERT, answers=("when",)), KICKOFF, FIRST_EMAIL),
)


@pytest.fixture(scope="module")
def scoped() -> TfidfMatcher:
    return TfidfMatcher().fit(WITH_TOPICS, SMALLTALK)


def test_question_closer_to_an_out_of_scope_topic_is_not_answered(scoped: TfidfMatcher) -> None:
    result = scoped.match("I forgot my FTOP password")
    assert result.decision is Decision.NONE
    assert result.out_of_scope == "sign-in-problems"
    assert result.matches[0].entry is PORTAL  # the no-match card still offers the nearest
    topic = scoped.closest_out_of_scope("I forgot my FTOP password")
    assert topic is not None
    assert topic.topic_id == "sign-in-problems"


def test_out_of_scope_topics_leave_in_scope_questions_alone(
    scoped: TfidfMatcher, matcher: TfidfMatcher
) -> None:
    question = "where can I manage customer engagements"
    result = scoped.match(question)
    assert result.decision is Decision.ANSWER
    assert result.out_of_scope is None
    assert result.matches == matcher.match(question).matches  # topic words never shift entries


def test_a_kind_of_question_an_entry_does_not_answer_lowers_its_confidence(
    scoped: TfidfMatcher, matcher: TfidfMatcher
) -> None:
    plain = scoped.rank("track workload status in the portal")[0]
    asked = scoped.rank("when do I track workload status in the portal")[0]
    assert plain.entry is asked.entry is PORTAL
    assert asked.score == pytest.approx(plain.score * scoped.unasked_factor, abs=1e-3)
    expert = scoped.rank("how long does an sme request take")[0]
    assert expert.entry.id == "request-sme"  # it declares answers: [when], no discount
    assert expert.score == matcher.rank("how long does an sme request take")[0].score


def test_the_longest_run_asks_how_much_time_is_when_not_how_much(matcher: TfidfMatcher) -> None:
    asks = {"when": ("when", "how much time"), "how-much": ("how much",)}
    kinds = TfidfMatcher().fit(replace(WITH_TOPICS, asks=asks), SMALLTALK)
    timing = "how much time does an sme request take"
    assert kinds.rank(timing)[0].score == matcher.rank(timing)[0].score  # EXPERT answers when
    price = "how much does an sme request take"
    assert kinds.rank(price)[0].score == pytest.approx(
        matcher.rank(price)[0].score * kinds.unasked_factor, abs=1e-3
    )


LONG_POST = (
    "Good morning, I joined the practice last week and my manager asked me to keep an eye on "
    "the workload status of several accounts we onboarded this spring, all of them in the "
    "orchestration portal. Where do I track those customers day to day?"
)


def _long_post_terms() -> int:
    matcher = TfidfMatcher().fit(KNOWLEDGE)
    return len({t.term for t in matcher.analyzer_.terms(clean_text(LONG_POST))})


def _below_clarify(
    long_terms: int, *, margin: float = 0.0, factor: float | None = None
) -> TfidfMatcher:
    """A matcher whose clarify floor sits just above LONG_POST's best score and whose
    long-message floor (``factor`` of it) just below, unless ``factor`` is given."""
    best = TfidfMatcher().fit(KNOWLEDGE).rank(LONG_POST)[0].score
    clarify = best + 0.01
    thresholds = Thresholds(
        answer=0.99,
        margin=margin,
        clarify=clarify,
        long_clarify_factor=(best - 0.01) / clarify if factor is None else factor,
        long_message_terms=long_terms,
    )
    return TfidfMatcher(thresholds=thresholds).fit(KNOWLEDGE)


def test_a_long_post_clearly_about_one_entry_gets_a_single_did_you_mean() -> None:
    terms = _long_post_terms()
    assert terms >= Thresholds().long_message_terms
    result = _below_clarify(long_terms=terms).match(LONG_POST)  # exactly at the length
    assert result.decision is Decision.CLARIFY
    assert [m.entry.id for m in result.candidates] == [PORTAL.id]


def test_one_term_short_of_a_long_message_the_same_score_is_none() -> None:
    result = _below_clarify(long_terms=_long_post_terms() + 1).match(LONG_POST)
    assert result.decision is Decision.NONE
    assert result.candidates == ()


def test_a_long_post_without_a_clear_leader_is_none() -> None:
    result = _below_clarify(long_terms=15, margin=0.99).match(LONG_POST)
    assert result.decision is Decision.NONE


def test_the_long_message_floor_follows_the_clarify_threshold() -> None:
    # The same post and factor (0.9): a clarify threshold just above the post's score puts
    # the floor below it; a high one (0.99) puts the floor above it.
    best = TfidfMatcher().fit(KNOWLEDGE).rank(LONG_POST)[0].score
    assert best < 0.8

    def decision(clarify: float) -> Decision:
        thresholds = Thresholds(
            answer=0.99, margin=0.0, clarify=clarify, long_clarify_factor=0.9, long_message_terms=1
        )
        return TfidfMatcher(thresholds=thresholds).fit(KNOWLEDGE).match(LONG_POST).decision

    assert decision(best + 0.01) is Decision.CLARIFY
    assert decision(0.99) is Decision.NONE


def test_long_message_thresholds_are_checked() -> None:
    problems = Thresholds(long_clarify_factor=1.5, long_message_terms=0).problems()
    assert any("long_clarify_factor" in problem for problem in problems)
    assert any("long_message_terms" in problem for problem in problems)
