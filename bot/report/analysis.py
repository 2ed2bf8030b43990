"""What the question log says: the numbers and tables of the report, from records in.

:func:`analyze` is pure: question and event records, the fitted matcher (whose
``knowledge_`` is the knowledge base) and options in, a :class:`Report` out. The renderers
(:mod:`bot.report.render_markdown`, :mod:`bot.report.render_csv`,
:mod:`bot.report.render_html`) only format it.

Sections:

- totals and the decision mix (answer / clarify / none / smalltalk), questions per day;
- top entries (answered outright, and opened by a click) and top questions (normalized text);
- unanswered questions (decision ``none``) and low-confidence ones (``clarify``, or an answer
  whose confidence is within :attr:`ReportOptions.low_confidence_band` of the answer
  threshold), each grouped by similarity (:mod:`bot.report.grouping`);
- entries with the most "not helpful" votes, with the questions they answered;
- "did you mean" choices: which entry users picked for which phrasing;
- suggestions: phrasings to add as alternates (:mod:`bot.report.suggestions`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.records import EventKind, EventRecord, QuestionRecord
from bot.report.grouping import group_texts
from bot.report.model import (
    DECISIONS,
    OPENING_KINDS,
    ChoiceCount,
    DayCount,
    EntryCount,
    EntryVotes,
    QuestionCount,
    QuestionGroup,
    Report,
    ReportOptions,
    normalize,
    question_text,
)
from bot.report.suggestions import suggest
from intents.matcher import TfidfMatcher
from intents.models import Decision


def analyze(
    questions: Iterable[QuestionRecord],
    events: Iterable[EventRecord],
    matcher: TfidfMatcher,
    *,
    since: datetime | None = None,
    options: ReportOptions | None = None,
    now: datetime | None = None,
) -> Report:
    """Turn the question log into a report.

    Args:
        questions: Question records (any order).
        events: Event records (any order).
        matcher: The fitted matcher the bot uses (its knowledge base names the entries).
        since: Leave out records before this instant (naive values are taken as UTC).
        options: What to show; defaults otherwise.
        now: The report's timestamp (defaults to the current time).

    Returns:
        The report; an empty log gives an empty report, not an error.
    """
    options = options or ReportOptions()
    since = _aware(since) if since is not None else None
    asked = sorted(
        (q for q in questions if since is None or _aware(q.at) >= since), key=lambda q: q.at
    )
    done = sorted((e for e in events if since is None or _aware(e.at) >= since), key=lambda e: e.at)
    knowledge = matcher.knowledge_
    entry_questions = {entry.id: entry.question for entry in knowledge.entries}
    by_id = {q.id: q for q in asked}
    notes: list[str] = []

    decisions = Counter(q.decision for q in asked)
    timestamps = [_aware(q.at) for q in asked] + [_aware(e.at) for e in done]
    low_limit = matcher.thresholds.answer + options.low_confidence_band
    unanswered = [q for q in asked if q.decision == Decision.NONE]
    low = [
        q
        for q in asked
        if q.decision == Decision.CLARIFY
        or (q.decision == Decision.ANSWER and q.score is not None and q.score < low_limit)
    ]
    return Report(
        generated_at=now or datetime.now(UTC),
        since=since,
        first=min(timestamps, default=None),
        last=max(timestamps, default=None),
        questions=len(asked),
        events=len(done),
        users=len({q.user for q in asked if q.user} | {e.user for e in done if e.user}),
        decisions={str(d): decisions.get(d, 0) for d in DECISIONS}
        | {k: v for k, v in decisions.items() if k not in DECISIONS},
        surfaces=dict(Counter(str(q.surface) for q in asked).most_common()),
        per_day=_per_day(asked),
        top_entries=_top_entries(asked, done, entry_questions, options.top),
        top_questions=_top_questions(asked, options.top),
        unanswered=_groups(unanswered, matcher, options, "unanswered", notes, nearest=True),
        low_confidence=_groups(low, matcher, options, "low-confidence", notes, nearest=False),
        not_helpful=_not_helpful(done, by_id, entry_questions, options),
        choices=_choices(done, by_id, options.top),
        suggestions=tuple(suggest(asked, done, matcher, options)),
        entry_questions=entry_questions,
        notes=tuple(notes),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _per_day(asked: Sequence[QuestionRecord]) -> tuple[DayCount, ...]:
    by_day: dict[date, Counter[str]] = defaultdict(Counter)
    for q in asked:
        by_day[_aware(q.at).astimezone(UTC).date()][q.decision] += 1
    if not by_day:
        return ()
    first, last = min(by_day), max(by_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return tuple(DayCount(day, {str(d): by_day[day].get(d, 0) for d in DECISIONS}) for day in days)


def _top_entries(
    asked: Sequence[QuestionRecord],
    done: Sequence[EventRecord],
    entry_questions: Mapping[str, str],
    top: int,
) -> tuple[EntryCount, ...]:
    answered = Counter(q.entry_id for q in asked if q.decision == Decision.ANSWER and q.entry_id)
    opened = Counter(e.entry_id for e in done if e.kind in OPENING_KINDS and e.entry_id)
    helpful = Counter(e.entry_id for e in done if e.kind == EventKind.HELPFUL and e.entry_id)
    unhelpful = Counter(e.entry_id for e in done if e.kind == EventKind.NOT_HELPFUL and e.entry_id)
    ids = set(answered) | set(opened)
    rows = [
        EntryCount(
            entry_id=i,
            question=entry_questions.get(i, ""),
            answered=answered[i],
            opened=opened[i],
            helpful=helpful[i],
            not_helpful=unhelpful[i],
        )
        for i in ids
    ]
    rows.sort(key=lambda r: (-r.total, r.entry_id))
    return tuple(rows[:top])


def _top_questions(asked: Sequence[QuestionRecord], top: int) -> tuple[QuestionCount, ...]:
    counts: Counter[str] = Counter()
    decisions: dict[str, Counter[str]] = defaultdict(Counter)
    entries: dict[str, Counter[str]] = defaultdict(Counter)
    for q in asked:
        if q.decision == Decision.SMALLTALK:
            continue
        key = normalize(q.text)
        if not key:
            continue
        counts[key] += 1
        decisions[key][q.decision] += 1
        if q.entry_id:
            entries[key][q.entry_id] += 1
    return tuple(
        QuestionCount(
            text=key,
            count=count,
            decision=decisions[key].most_common(1)[0][0],
            entry_id=entries[key].most_common(1)[0][0] if entries[key] else None,
        )
        for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    )


def _groups(
    records: Sequence[QuestionRecord],
    matcher: TfidfMatcher,
    options: ReportOptions,
    name: str,
    notes: list[str],
    *,
    nearest: bool,
) -> tuple[QuestionGroup, ...]:
    counts: Counter[str] = Counter()
    entries: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[float]] = defaultdict(list)
    for q in records:
        key = normalize(q.text)
        if not key:
            continue
        counts[key] += 1
        if q.entry_id:
            entries[key][q.entry_id] += 1
        if q.score is not None:
            scores[key].append(q.score)
    distinct = sorted(counts, key=lambda k: (-counts[k], k))
    if len(distinct) > options.max_grouped:
        left = distinct[options.max_grouped :]
        notes.append(
            f"{name}: grouped the {options.max_grouped:,} most frequent of {len(distinct):,} "
            f"distinct questions; {len(left):,} rarer ones ({sum(counts[k] for k in left):,} "
            "questions) are not shown"
        )
        distinct = distinct[: options.max_grouped]
    groups = group_texts(
        distinct,
        [counts[k] for k in distinct],
        matcher.analyzer_.analyze,
        _knowledge_idf(matcher),
        threshold=options.group_threshold,
    )
    rows: list[QuestionGroup] = []
    for group in groups:
        if group.count < options.min_group_size or len(rows) >= options.top:
            break
        members = [distinct[i] for i in group.members]
        label = members[0]
        entry_id: str | None = None
        score: float | None = None
        if nearest:
            ranked = matcher.rank(label)
            if ranked:
                entry_id, score = ranked[0].entry.id, ranked[0].score
        else:
            offered: Counter[str] = Counter()
            values: list[float] = []
            for member in members:
                offered.update(entries[member])
                values += scores[member]
            entry_id = offered.most_common(1)[0][0] if offered else None
            score = round(sum(values) / len(values), 4) if values else None
        rows.append(
            QuestionGroup(
                label=label,
                count=group.count,
                phrasings=len(members),
                examples=tuple(members[: options.examples]),
                entry_id=entry_id,
                score=score,
            )
        )
    return tuple(rows)


def _not_helpful(
    done: Sequence[EventRecord],
    by_id: Mapping[str, QuestionRecord],
    entry_questions: Mapping[str, str],
    options: ReportOptions,
) -> tuple[EntryVotes, ...]:
    unhelpful: Counter[str] = Counter()
    helpful: Counter[str] = Counter()
    examples: dict[str, Counter[str]] = defaultdict(Counter)
    for event in done:
        if not event.entry_id:
            continue
        if event.kind == EventKind.HELPFUL:
            helpful[event.entry_id] += 1
        elif event.kind == EventKind.NOT_HELPFUL:
            unhelpful[event.entry_id] += 1
            text = question_text(event, by_id)
            key = normalize(text) if text else ""
            if key:
                examples[event.entry_id][key] += 1
    rows = [
        EntryVotes(
            entry_id=i,
            question=entry_questions.get(i, ""),
            not_helpful=n,
            helpful=helpful[i],
            examples=tuple(
                text
                for text, _ in sorted(examples[i].items(), key=lambda kv: (-kv[1], kv[0]))[
                    : options.examples
                ]
            ),
        )
        for i, n in unhelpful.items()
    ]
    # Most "not helpful" first; among equals, the worse ratio first.
    rows.sort(key=lambda r: (-r.not_helpful, r.helpful, r.entry_id))
    return tuple(rows[: options.top])


def _choices(
    done: Sequence[EventRecord], by_id: Mapping[str, QuestionRecord], top: int
) -> tuple[ChoiceCount, ...]:
    counts: Counter[tuple[str, str]] = Counter()
    for event in done:
        if event.kind != EventKind.CHOICE or not event.entry_id:
            continue
        text = question_text(event, by_id)
        key = normalize(text) if text else ""
        if key:
            counts[(key, event.entry_id)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ChoiceCount(text, entry_id, n) for (text, entry_id), n in ranked[:top])


def _knowledge_idf(matcher: TfidfMatcher) -> Callable[[str], float]:
    """A term's IDF over the knowledge base; unknown terms weigh as much as the rarest."""
    vocabulary, idf, highest = matcher.vocabulary_, matcher.idf_, matcher.max_idf_

    def weight(term: str) -> float:
        column = vocabulary.get(term)
        return float(idf[column]) if column is not None else highest

    return weight
