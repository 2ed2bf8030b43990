"""The report's data: what :func:`bot.report.analysis.analyze` returns and the renderers show.

Plain frozen dataclasses, the options, and the one normalization every section counts
questions by. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from bot.records import EventKind, EventRecord, QuestionRecord
from bot.report.grouping import GROUP_THRESHOLD
from intents.hygiene import fold
from intents.models import Decision

#: The decisions in the order every table and chart shows them.
DECISIONS = (Decision.ANSWER, Decision.CLARIFY, Decision.NONE, Decision.SMALLTALK)

#: Clicks that open an entry.
OPENING_KINDS = frozenset({EventKind.CHOICE, EventKind.RELATED, EventKind.TOPIC})

_EDGE_PUNCTUATION = " \t?!.,;:\"'()[]{}-\u2026"


@lru_cache(maxsize=262_144)
def normalize(text: str) -> str:
    """A question as the report counts it: case- and accent-folded, one space, without
    punctuation around it (``"  FTOP Login?? "`` -> ``"ftop login"``).

    Records hold the text after the matcher's hygiene already; nothing else is removed, so
    whatever a record holds reaches the renderers, which escape it.
    """
    return " ".join(fold(text).split()).strip(_EDGE_PUNCTUATION)


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What the report shows and how hard it looks.

    Attributes:
        top: Rows per table.
        min_group_size: Unanswered / low-confidence groups asked fewer times are left out.
        min_evidence: Times users must have resolved a phrasing to one entry before it is
            suggested as an alternate.
        max_grouped: Distinct questions grouped per section (the most frequent); the rest are
            counted in a note. Keeps the report fast on a long log.
        low_confidence_band: An answer whose confidence is below the answer threshold plus
            this is low-confidence.
        group_threshold: Cosine with a group's leader needed to join the group.
        examples: Example phrasings per group or entry.
    """

    top: int = 20
    min_group_size: int = 1
    min_evidence: int = 2
    max_grouped: int = 5000
    low_confidence_band: float = 0.1
    group_threshold: float = GROUP_THRESHOLD
    examples: int = 3


@dataclass(frozen=True, slots=True)
class DayCount:
    """Questions of one day (UTC) by decision."""

    day: date
    decisions: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.decisions.values())


@dataclass(frozen=True, slots=True)
class EntryCount:
    """How much one entry was used."""

    entry_id: str
    question: str  # the entry's display question ("" when the entry is no longer in the FAQ)
    answered: int  # questions answered outright with it
    opened: int  # "did you mean" choices, related and topic clicks that opened it
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.answered + self.opened


@dataclass(frozen=True, slots=True)
class QuestionCount:
    """One normalized question and how often it was asked."""

    text: str
    count: int
    decision: str  # the most frequent decision it got
    entry_id: str | None  # the most frequent entry it got, if any


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Similar questions shown as one row.

    Attributes:
        label: The most frequent phrasing of the group.
        count: Questions asked in the group.
        phrasings: Distinct phrasings in the group.
        examples: Up to :attr:`ReportOptions.examples` phrasings, most frequent first.
        entry_id: Unanswered groups: the nearest entry for the label (if any scores above
            zero); low-confidence groups: the entry offered first most often.
        score: The nearest entry's confidence (unanswered) or the group's mean confidence.
    """

    label: str
    count: int
    phrasings: int
    examples: tuple[str, ...]
    entry_id: str | None = None
    score: float | None = None


@dataclass(frozen=True, slots=True)
class EntryVotes:
    """An entry's votes, with the questions it answered when voted "not helpful"."""

    entry_id: str
    question: str
    not_helpful: int
    helpful: int
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChoiceCount:
    """Users who asked ``text`` picked ``entry_id`` from "did you mean" ``count`` times."""

    text: str
    entry_id: str
    count: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Add ``phrasing`` as an alternate of ``entry_id``.

    Attributes:
        entry_id: The entry users resolved the phrasing to.
        phrasing: The normalized phrasing to add.
        evidence: Times users resolved it to this entry, minus "not helpful" votes on it.
        sources: The evidence by kind (``choice``, ``click after no match``, ``helpful vote``).
        now: What the matcher does with it today (``none``, ``clarify``, or ``answer <id>``).
    """

    entry_id: str
    phrasing: str
    evidence: int
    sources: Mapping[str, int]
    now: str

    @property
    def text(self) -> str:
        """The suggestion as a sentence."""
        return f"add '{self.phrasing}' as an alternate of {self.entry_id}"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the renderers show."""

    generated_at: datetime
    since: datetime | None
    first: datetime | None
    last: datetime | None
    questions: int
    events: int
    users: int
    decisions: Mapping[str, int]
    surfaces: Mapping[str, int]
    per_day: tuple[DayCount, ...]
    top_entries: tuple[EntryCount, ...]
    top_questions: tuple[QuestionCount, ...]
    unanswered: tuple[QuestionGroup, ...]
    low_confidence: tuple[QuestionGroup, ...]
    not_helpful: tuple[EntryVotes, ...]
    choices: tuple[ChoiceCount, ...]
    suggestions: tuple[Suggestion, ...]
    entry_questions: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.questions == 0 and self.events == 0


def question_text(event: EventRecord, by_id: Mapping[str, QuestionRecord]) -> str | None:
    """The question an event followed: the card's copy, else the linked record's text."""
    if event.question_text:
        return event.question_text
    linked = by_id.get(event.question_id) if event.question_id else None
    return linked.text if linked is not None else None
