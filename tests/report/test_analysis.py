"""The report's analysis: totals, grouping, votes, choices, suggestions and the since filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.records import EventKind, QuestionRecord, Surface
from bot.report.analysis import analyze
from bot.report.model import ReportOptions, normalize
from bot.report.suggestions import CHOICE, CLICK_AFTER_NONE, HELPFUL_VOTE, acceptable_phrasing
from intents import TfidfMatcher
from tests.report.builders import START, LogBuilder

#: One topic the FAQ does not cover, asked in many ways (and some several times).
PASSWORD_PHRASINGS = [
    "how do I reset my partner center password",
    "reset partner center password",
    "forgot my partner center password",
    "partner center password reset",
    "I forgot the password for partner center",
    "password reset for partner centre",
    "can't log in to partner center, forgot password",
    "Partner Center password reset please",
]
LUNCH_PHRASINGS = ["what is the lunch menu today", "lunch menu", "where is the lunch menu"]


def test_normalize_folds_case_accents_spaces_and_edge_punctuation() -> None:
    assert normalize("  FTOP   Login?? ") == "ftop login"
    assert normalize("Résumé of the ESD!") == "resume of the esd"
    assert normalize("what's new?") == "what's new"


def test_an_empty_log_gives_an_empty_report(faq_matcher: TfidfMatcher) -> None:
    report = analyze([], [], faq_matcher)
    assert report.empty
    assert report.questions == report.events == report.users == 0
    assert report.decisions == {"answer": 0, "clarify": 0, "none": 0, "smalltalk": 0}
    assert report.per_day == ()
    assert report.first is None
    assert report.last is None
    assert not report.top_entries
    assert not report.top_questions
    assert not report.unanswered
    assert not report.low_confidence
    assert not report.not_helpful
    assert not report.choices
    assert report.suggestions == ()


def test_totals_decision_mix_and_days(question_log: LogBuilder) -> None:
    question_log.ask("how do I request an SME?", user="a")
    question_log.ask("hello", user="b")
    question_log.on_day(2)
    question_log.ask("what is the lunch menu today", user="a")
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    assert (report.questions, report.users) == (3, 2)
    assert report.decisions == {"answer": 1, "clarify": 0, "none": 1, "smalltalk": 1}
    assert [d.day.isoformat() for d in report.per_day] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    assert [d.total for d in report.per_day] == [2, 0, 1]  # the empty day is shown as 0
    assert report.per_day[0].decisions == {"answer": 1, "clarify": 0, "none": 0, "smalltalk": 1}
    assert report.surfaces == {"chat": 3}


def test_top_questions_are_counted_by_normalized_text_without_small_talk(
    question_log: LogBuilder,
) -> None:
    for text in ("How do I request an SME?", "how do i request an sme", "hello", "hello"):
        question_log.ask(text)
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    (top,) = report.top_questions
    assert (top.text, top.count, top.decision, top.entry_id) == (
        "how do i request an sme",
        2,
        "answer",
        "request-sme",
    )


def test_top_entries_count_answers_and_clicks(question_log: LogBuilder) -> None:
    question_log.ask("how do I request an SME?")
    question_log.ask("how do I request an SME?")
    asked = question_log.ask("where to track deployments")
    question_log.act(EventKind.CHOICE, "manage-engagements", asked)
    question_log.act(EventKind.RELATED, "request-sme", asked)
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    rows = {r.entry_id: (r.answered, r.opened) for r in report.top_entries}
    assert rows == {"request-sme": (2, 1), "manage-engagements": (0, 1)}
    assert report.top_entries[0].entry_id == "request-sme"
    assert report.top_entries[0].question == "How do I request a technical expert?"


def test_forty_phrasings_of_one_missing_topic_are_one_row(question_log: LogBuilder) -> None:
    for n in range(40):
        question_log.ask(PASSWORD_PHRASINGS[n % len(PASSWORD_PHRASINGS)], user=f"u{n}")
    for text in LUNCH_PHRASINGS:
        question_log.ask(text)
    assert {q.decision for q in question_log.questions} == {"none"}
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    first, second = report.unanswered
    assert first.count == 40
    assert first.phrasings == len({normalize(p) for p in PASSWORD_PHRASINGS})
    assert len(first.examples) == 3
    assert all("password" in example for example in first.examples)
    assert (second.count, second.phrasings) == (3, 3)
    assert "lunch" in second.label


def test_min_group_size_and_top_limit_the_groups(question_log: LogBuilder) -> None:
    for text in [*PASSWORD_PHRASINGS, *LUNCH_PHRASINGS, "who is our PSM"]:
        question_log.ask(text)
    options = ReportOptions(min_group_size=3)
    report = analyze(question_log.questions, [], question_log.matcher, options=options)
    assert [g.count for g in report.unanswered] == [len(PASSWORD_PHRASINGS), 3]
    report = analyze(
        question_log.questions, [], question_log.matcher, options=replace(options, top=1)
    )
    assert len(report.unanswered) == 1


def test_low_confidence_holds_clarifications_and_barely_answered_questions(
    question_log: LogBuilder,
) -> None:
    question_log.ask("where to track deployments")
    question_log.ask("where to track deployments")
    confident = question_log.ask("how do I request an SME?")
    barely = question_log.with_scores(question_log.ask("how do I request an SME"), 0.52)
    assert confident.score is not None
    assert confident.score >= 0.6
    report = analyze(question_log.questions, [], question_log.matcher)
    labels = {g.label: (g.count, g.entry_id) for g in report.low_confidence}
    assert labels == {
        "where to track deployments": (2, "manage-engagements"),
        normalize(barely.text): (1, "request-sme"),
    }


def test_grouping_is_capped_with_a_note(question_log: LogBuilder) -> None:
    for n in range(30):
        question_log.ask(f"lunch menu number {n} zzq{n}")
    report = analyze(
        question_log.questions, [], question_log.matcher, options=ReportOptions(max_grouped=10)
    )
    (note,) = report.notes
    assert "grouped the 10 most frequent of 30 distinct questions" in note
    assert sum(g.count for g in report.unanswered) <= 10


def hundred_thousand_misses(distinct: int) -> list[QuestionRecord]:
    """100,000 unanswered questions over ``distinct`` texts, a minute apart."""
    return [
        QuestionRecord(
            id=f"q{n}",
            at=START + timedelta(minutes=n),
            user=f"u{n % 500}",
            channel="msteams",
            conversation_type="personal",
            surface=Surface.CHAT,
            text=f"{PASSWORD_PHRASINGS[n % 8]} case {n % distinct}",
            decision="none",
        )
        for n in range(100_000)
    ]


def test_a_hundred_thousand_questions_are_grouped_within_the_cap(
    faq_matcher: TfidfMatcher,
) -> None:
    records = hundred_thousand_misses(6000)
    report = analyze(records, [], faq_matcher, options=ReportOptions(max_grouped=5000))
    assert report.questions == 100_000
    (note,) = report.notes
    assert "grouped the 5,000 most frequent of 6,000 distinct questions" in note
    (group,) = report.unanswered  # every text is about the same missing topic
    assert "password" in group.label
    assert group.phrasings == 5000


def test_not_helpful_votes_rank_entries_with_the_questions_they_answered(
    question_log: LogBuilder,
) -> None:
    sme = question_log.ask("how do I request an SME?")
    ftop = question_log.ask("ftop login")
    for _ in range(3):
        question_log.act(EventKind.NOT_HELPFUL, "request-sme", sme)
    question_log.act(EventKind.NOT_HELPFUL, "manage-engagements", ftop)
    question_log.act(EventKind.HELPFUL, "manage-engagements", ftop)
    question_log.act(EventKind.NOT_HELPFUL, "request-sme", sme, linked=False)  # no text known
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    first, second = report.not_helpful
    assert (first.entry_id, first.not_helpful, first.helpful) == ("request-sme", 4, 0)
    assert first.examples == ("how do i request an sme",)
    assert (second.entry_id, second.not_helpful, second.helpful) == ("manage-engagements", 1, 1)


def test_did_you_mean_choices_are_counted_per_phrasing_and_entry(question_log: LogBuilder) -> None:
    for entry_id in ("esd-reschedule", "esd-reschedule", "esd-active-customers"):
        asked = question_log.ask("start date change")
        question_log.act(EventKind.CHOICE, entry_id, asked)
    report = analyze(question_log.questions, question_log.events, question_log.matcher)
    assert [(c.text, c.entry_id, c.count) for c in report.choices] == [
        ("start date change", "esd-reschedule", 2),
        ("start date change", "esd-active-customers", 1),
    ]


def test_since_leaves_out_older_records(question_log: LogBuilder) -> None:
    old = question_log.ask("how do I request an SME?")
    question_log.act(EventKind.NOT_HELPFUL, "request-sme", old)
    question_log.on_day(3)
    question_log.ask("ftop login")
    since = START + timedelta(days=1)
    report = analyze(question_log.questions, question_log.events, question_log.matcher, since=since)
    assert (report.questions, report.events) == (1, 0)
    assert report.since == since
    assert [d.day.isoformat() for d in report.per_day] == ["2025-03-06"]
    assert report.not_helpful == ()


class TestSuggestions:
    def test_a_consistent_choice_becomes_a_suggestion(self, question_log: LogBuilder) -> None:
        assert question_log.matcher.match("where to track deployments").decision == "clarify"
        for user in ("a", "b", "c"):
            asked = question_log.ask("Where to track deployments?", user=user)
            question_log.act(EventKind.CHOICE, "manage-engagements", asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        (suggestion,) = report.suggestions
        assert suggestion.text == (
            "add 'where to track deployments' as an alternate of manage-engagements"
        )
        assert suggestion.evidence == 3
        assert suggestion.sources == {CHOICE: 3}
        assert suggestion.now.startswith("clarify")

    def test_a_topic_click_after_a_miss_is_evidence(self, question_log: LogBuilder) -> None:
        text = "how do i talk to an expert"
        for user in ("a", "b"):
            asked = question_log.ask(text, user=user)
            assert asked.decision == "none"
            question_log.act(EventKind.TOPIC, "request-sme", asked)
        # A click without a question id, a minute after the miss, by the same user.
        unlinked = question_log.ask(text, user="c")
        question_log.act(EventKind.TOPIC, "request-sme", unlinked, linked=False)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        (suggestion,) = report.suggestions
        assert (suggestion.phrasing, suggestion.entry_id) == (text, "request-sme")
        assert suggestion.sources == {CLICK_AFTER_NONE: 3}

    def test_a_click_long_after_the_question_is_not_evidence(
        self, question_log: LogBuilder
    ) -> None:
        for user in ("a", "b"):
            asked = question_log.ask("how do i talk to an expert", user=user)
            question_log.now += timedelta(hours=1)
            question_log.act(EventKind.TOPIC, "request-sme", asked, linked=False)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()

    def test_helpful_votes_on_a_barely_answered_question(self, question_log: LogBuilder) -> None:
        for user in ("a", "b"):
            asked = question_log.with_scores(question_log.ask("can't find ftop", user=user), 0.55)
            assert asked.decision == "answer"
            question_log.act(EventKind.HELPFUL, "manage-engagements", asked)
        confident = question_log.ask("how do I request an SME?")
        question_log.act(EventKind.HELPFUL, "request-sme", confident)
        question_log.act(EventKind.HELPFUL, "request-sme", confident)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        rows = [(s.phrasing, s.entry_id, dict(s.sources)) for s in report.suggestions]
        if question_log.matcher.match("can't find ftop").best.score < 0.6:  # type: ignore[union-attr]
            assert rows == [("can't find ftop", "manage-engagements", {HELPFUL_VOTE: 2})]
        else:  # the matcher grew confident since: nothing to strengthen
            assert rows == []

    def test_inconsistent_choices_are_not_suggested(self, question_log: LogBuilder) -> None:
        for entry_id in ("esd-reschedule", "esd-active-customers", "esd-reschedule", "esd-purpose"):
            asked = question_log.ask("start date change")
            question_log.act(EventKind.CHOICE, entry_id, asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()  # 2 of 4 is not "consistently"

    def test_two_thirds_is_consistent_enough(self, question_log: LogBuilder) -> None:
        for entry_id in ("esd-reschedule", "esd-active-customers", "esd-reschedule"):
            asked = question_log.ask("start date change")
            question_log.act(EventKind.CHOICE, entry_id, asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert [(s.phrasing, s.entry_id, s.evidence) for s in report.suggestions] == [
            ("start date change", "esd-reschedule", 2)
        ]

    def test_one_click_is_not_enough_unless_asked(self, question_log: LogBuilder) -> None:
        asked = question_log.ask("where to track deployments")
        question_log.act(EventKind.CHOICE, "manage-engagements", asked)
        assert (
            analyze(question_log.questions, question_log.events, question_log.matcher).suggestions
            == ()
        )
        report = analyze(
            question_log.questions,
            question_log.events,
            question_log.matcher,
            options=ReportOptions(min_evidence=1),
        )
        assert len(report.suggestions) == 1

    def test_not_helpful_votes_count_against(self, question_log: LogBuilder) -> None:
        for _ in range(2):
            asked = question_log.ask("where to track deployments")
            question_log.act(EventKind.CHOICE, "manage-engagements", asked)
        question_log.act(EventKind.NOT_HELPFUL, "manage-engagements", asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()  # 2 choices - 1 "not helpful" = 1 < 2

    def test_existing_phrasings_and_reordered_duplicates_are_skipped(
        self, question_log: LogBuilder
    ) -> None:
        for text in ("ftop login", "FTOP login!", "login ftop"):
            for _ in range(2):
                asked = question_log.ask(text)
                question_log.act(EventKind.CHOICE, "manage-engagements", asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()

    def test_personal_data_and_long_texts_are_never_suggested(
        self, question_log: LogBuilder
    ) -> None:
        texts = [
            "track deployments for jane.doe@contoso.com",
            "track deployments for customer 12345678",
            "track deployments see https://contoso.example/page",
            "where can I track the deployments of all of my many customers in one single place",
        ]
        for text in texts:
            for _ in range(3):
                asked = question_log.ask(text)
                question_log.act(EventKind.CHOICE, "manage-engagements", asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()

    def test_unknown_entries_are_not_suggested(self, question_log: LogBuilder) -> None:
        for _ in range(3):
            asked = question_log.ask("where to track deployments")
            question_log.act(EventKind.CHOICE, "an-entry-removed-since", asked)
        report = analyze(question_log.questions, question_log.events, question_log.matcher)
        assert report.suggestions == ()


def test_acceptable_phrasing() -> None:
    assert acceptable_phrasing("ftop login")
    assert acceptable_phrasing("esd for fy25")
    assert not acceptable_phrasing("")
    assert not acceptable_phrasing("mail me at a@b.co")
    assert not acceptable_phrasing("call 555 123 4567")
    assert not acceptable_phrasing("see www.contoso.com")
    assert not acceptable_phrasing(" ".join(["word"] * 13))


def test_records_without_timezone_are_taken_as_utc(question_log: LogBuilder) -> None:
    naive: QuestionRecord = replace(
        question_log.ask("ftop login"), at=START.replace(tzinfo=None) + timedelta(days=5)
    )
    report = analyze([naive], [], question_log.matcher, since=START + timedelta(days=4))
    assert report.questions == 1
