"""Value objects shared by the loader, the importer, the matcher and the bot's card builders.

Pure data: no I/O, no Bot Framework, no scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

#: Link kinds the cards know how to present; anything else is shown as a plain link.
LINK_KINDS = frozenset(
    {
        "ftop",  # FastTrack Orchestration Portal
        "sme-request",  # subject-matter expert request process / FTC resource request page
        "partner-center",  # Partner Center dashboard
        "gdpr-contact",  # the GDPR mailbox (mailto:)
        "community",  # Yammer group
        "newsletter",  # Heads Up newsletter
        "video",  # how-to videos
        "guide",  # guides and documentation pages
        "other",
    }
)


@dataclass(frozen=True, slots=True)
class Link:
    """A link of an answer, turned into a button by the cards."""

    title: str
    url: str
    kind: str = "other"

    @property
    def is_email(self) -> bool:
        """True for ``mailto:`` links (shown as "email ..." buttons)."""
        return self.url.lower().startswith("mailto:")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a group of entries comes from, so a card can say how current its answer is."""

    title: str
    url: str | None = None
    published: date | None = None  # the page's ``ms.date``
    refreshed: date | None = None  # the latest date of the page's Refresh Summary

    @property
    def last_updated(self) -> date | None:
        """The most recent of ``refreshed`` and ``published``."""
        dates = [d for d in (self.refreshed, self.published) if d is not None]
        return max(dates) if dates else None


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One curated question with its answer, as written in ``faq_data/*.yaml``."""

    id: str
    section: str
    question: str  # as a partner should see it (typos of the source fixed)
    answer: str  # Teams-safe markdown: bold, italic, lists, [text](url) links
    links: tuple[Link, ...] = ()
    alternates: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    source_question: str | None = None  # the source page's wording, when it differs
    source: Source | None = None
    #: the kinds of question (``faq_data/asks.yaml``: who, when...) the answer does answer
    answers: tuple[str, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Every wording that should retrieve this entry, display question first."""
        extra = (self.source_question,) if self.source_question else ()
        return (self.question, *extra, *self.alternates)


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    """Terms that mean the same thing; the first is the canonical one.

    ``terms`` are matched as whole words (multi-word terms as a phrase), case and accents folded.
    """

    terms: tuple[str, ...]

    @property
    def canonical(self) -> str:
        return self.terms[0]


@dataclass(frozen=True, slots=True)
class OutOfScopeTopic:
    """A neighbouring topic the FAQ does not answer (``faq_data/out_of_scope.yaml``).

    It competes with the entries as one more class: a question closer to one of its phrasings
    than to any entry gets "the FAQ does not cover this" instead of a wrong answer.
    """

    id: str
    about: str  # what the topic is and why the FAQ does not answer it (for maintainers)
    phrasings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Everything loaded from ``faq_data/``: entries in file order, synonyms, sources."""

    entries: tuple[FaqEntry, ...]
    synonyms: tuple[SynonymGroup, ...] = ()
    #: section -> terms one of which every question about that section names
    #: (``faq_data/topics.yaml``); a section without a topic has no such requirement.
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    #: kind of question -> the words that ask it (``faq_data/asks.yaml``: who, when, how much)
    asks: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    #: neighbouring topics the FAQ does not answer (``faq_data/out_of_scope.yaml``)
    out_of_scope: tuple[OutOfScopeTopic, ...] = ()
    _by_id: Mapping[str, FaqEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def __iter__(self) -> Iterator[FaqEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> FaqEntry | None:
        """The entry with this id, or ``None``."""
        return self._by_id.get(entry_id)

    @property
    def sections(self) -> dict[str, tuple[FaqEntry, ...]]:
        """Entries grouped by section, sections and entries in file order."""
        grouped: dict[str, list[FaqEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.section, []).append(entry)
        return {name: tuple(items) for name, items in grouped.items()}

    @property
    def last_updated(self) -> date | None:
        """The most recent source date of any entry."""
        dates = [e.source.last_updated for e in self.entries if e.source and e.source.last_updated]
        return max(dates) if dates else None


class Decision(StrEnum):
    """What the bot should do with a message."""

    ANSWER = "answer"  # one clear winner: show its answer
    CLARIFY = "clarify"  # several close candidates: "did you mean" (at most 3)
    NONE = "none"  # nothing good enough: the no-match card
    SMALLTALK = "smalltalk"  # greeting, thanks, help, goodbye


@dataclass(frozen=True, slots=True)
class Match:
    """An entry with its confidence for the user's question, in [0, 1]."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The matcher's verdict on one message.

    ``matches`` is the ranked list (best first) whatever the decision, so a no-match card can
    still offer the nearest topics. ``candidates`` is what the decision says to show:
    one entry for ``answer``, up to three for ``clarify``, none otherwise.
    """

    text: str  # the question as matched (cleaned, capped)
    decision: Decision
    matches: tuple[Match, ...] = ()
    candidates: tuple[Match, ...] = ()
    smalltalk: str | None = None  # greeting / thanks / help / goodbye when decision is SMALLTALK
    #: for ``none``: the id of the out-of-scope topic that was closer than any entry, if any
    out_of_scope: str | None = None

    @property
    def best(self) -> Match | None:
        """The answer for ``answer``, the first candidate for ``clarify``, else ``None``."""
        return self.candidates[0] if self.candidates else None
