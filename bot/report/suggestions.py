"""Which phrasings to add as alternates, from what users did after the bot's reply.

A phrasing is evidence for an entry when a user who asked it

- picked that entry from the "did you mean" choices (``choice``);
- got the no-match card and then opened that entry from its topics (``click after no match``);
- voted "helpful" on that entry's answer although the question scored low, within
  :attr:`~bot.report.model.ReportOptions.low_confidence_band` of the answer threshold
  (``helpful vote``).

"Not helpful" votes on the same phrasing and entry count against it. A phrasing is suggested
for the entry users resolved it to at least :attr:`ReportOptions.min_evidence` times (net),
and in at least two thirds of its resolutions, provided that it

- is short (at most :data:`MAX_WORDS` words, :data:`MAX_CHARS` characters) and has a word the
  matcher indexes;
- looks free of personal data: no email address, URL or long run of digits;
- is not already a phrasing of any entry, nor the same words (in any order, after analysis)
  as a phrasing of its entry;
- is not already answered with that entry by the matcher with confidence to spare (at or
  above the low-confidence band: a barely-answered phrasing is worth strengthening).

Pure computation: no I/O.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

from bot.records import EventKind, EventRecord, QuestionRecord
from bot.report.model import ReportOptions, Suggestion, normalize, question_text
from intents.matcher import TfidfMatcher
from intents.models import Decision

CHOICE = "choice"
CLICK_AFTER_NONE = "click after no match"
HELPFUL_VOTE = "helpful vote"

#: Longest phrasing suggested, in words and in characters.
MAX_WORDS = 12
MAX_CHARS = 100

#: Share of a phrasing's resolutions its entry needs ("consistently resolved").
CONSISTENCY = 2 / 3

#: How long after a question a click that carries no question id still counts as its follow-up.
FOLLOW_UP_WINDOW = timedelta(minutes=10)

_EMAIL = re.compile(r"@")
_URL = re.compile(r"https?:|www\.|\.(?:com|net|org|io)\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d(?:[\s./-]?\d){4,}")


def acceptable_phrasing(text: str) -> bool:
    """Whether ``text`` (normalized) is short and looks free of personal data."""
    if not text or len(text) > MAX_CHARS or len(text.split()) > MAX_WORDS:
        return False
    return not (_EMAIL.search(text) or _URL.search(text) or _DIGIT_RUN.search(text))


def suggest(
    asked: Sequence[QuestionRecord],
    done: Sequence[EventRecord],
    matcher: TfidfMatcher,
    options: ReportOptions,
) -> list[Suggestion]:
    """Alternates to add, most evidence first.

    Args:
        asked: Question records, oldest first.
        done: Event records, oldest first.
        matcher: The fitted matcher (its knowledge base holds the existing phrasings).
        options: ``min_evidence`` and ``low_confidence_band``.

    Returns:
        The suggestions.
    """
    follow = _FollowUps(asked)
    low_limit = matcher.thresholds.answer + options.low_confidence_band
    support: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    against: Counter[tuple[str, str]] = Counter()
    for event in done:
        entry_id = event.entry_id
        if not entry_id:
            continue
        if event.kind == EventKind.CHOICE:
            text = question_text(event, follow.by_id)
            if text:
                support[normalize(text)][entry_id][CHOICE] += 1
        elif event.kind in (EventKind.RELATED, EventKind.TOPIC):
            question = follow.question_of(event)
            if question is not None and question.decision == Decision.NONE:
                support[normalize(question.text)][entry_id][CLICK_AFTER_NONE] += 1
        elif event.kind == EventKind.HELPFUL:
            question = follow.question_of(event)
            if (
                question is not None
                and question.decision == Decision.ANSWER
                and question.score is not None
                and question.score < low_limit
                and question.entry_id in (None, entry_id)
            ):
                support[normalize(question.text)][entry_id][HELPFUL_VOTE] += 1
        elif event.kind == EventKind.NOT_HELPFUL:
            text = question_text(event, follow.by_id)
            if text:
                against[(normalize(text), entry_id)] += 1

    existing = {normalize(p) for entry in matcher.knowledge_ for p in entry.phrasings}
    signatures = {
        (entry.id, _signature(matcher, p)) for entry in matcher.knowledge_ for p in entry.phrasings
    }
    chosen: dict[tuple[str, tuple[str, ...]], Suggestion] = {}
    for phrasing, per_entry in support.items():
        if not acceptable_phrasing(phrasing) or phrasing in existing:
            continue
        resolutions = sum(sum(sources.values()) for sources in per_entry.values())
        entry_id, sources = min(per_entry.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        positive = sum(sources.values())
        evidence = positive - against[(phrasing, entry_id)]
        if evidence < options.min_evidence or positive < CONSISTENCY * resolutions:
            continue
        if matcher.knowledge_.get(entry_id) is None:
            continue
        signature = _signature(matcher, phrasing)
        if not signature or (entry_id, signature) in signatures:
            continue
        result = matcher.match(phrasing)
        best = result.best
        if (
            result.decision == Decision.ANSWER
            and best is not None
            and best.entry.id == entry_id
            and best.score >= low_limit
        ):
            continue
        now = str(result.decision)
        if best is not None:
            now += f" {best.entry.id}"
        suggestion = Suggestion(entry_id, phrasing, evidence, dict(sources), now)
        key = (entry_id, signature)
        if key not in chosen or _rank(suggestion) < _rank(chosen[key]):
            chosen[key] = suggestion
    return sorted(chosen.values(), key=_rank)


def _rank(suggestion: Suggestion) -> tuple[int, str, int, str]:
    return (
        -suggestion.evidence,
        suggestion.entry_id,
        len(suggestion.phrasing),
        suggestion.phrasing,
    )


def _signature(matcher: TfidfMatcher, text: str) -> tuple[str, ...]:
    """The distinct index terms of ``text``, in order: word order and inflection do not count."""
    return tuple(sorted(set(matcher.analyzer_.analyze(text))))


class _FollowUps:
    """Finds the question an event followed: by its question id, else by time and user."""

    def __init__(self, asked: Sequence[QuestionRecord]) -> None:
        self.by_id = {q.id: q for q in asked}
        self._by_user: dict[str, list[QuestionRecord]] = defaultdict(list)
        for question in asked:
            if question.user:
                self._by_user[question.user].append(question)
        self._times = {user: [q.at for q in mine] for user, mine in self._by_user.items()}

    def question_of(self, event: EventRecord) -> QuestionRecord | None:
        if event.question_id:
            return self.by_id.get(event.question_id)
        mine = self._by_user.get(event.user) if event.user else None
        if not mine:
            return None
        index = bisect.bisect_right(self._times[event.user], event.at) - 1
        if index < 0 or event.at - mine[index].at > FOLLOW_UP_WINDOW:
            return None
        return mine[index]
