"""Small talk (greeting, thanks, help, goodbye), recognised apart from the FAQ.

A message is small talk only when nothing with a topic is left once its small-talk phrases and
filler words are taken out, so "hi" is a greeting while "hi, how do I request an SME?" goes to
the FAQ matcher. Pure computation; the phrases come from ``intents/smalltalk.yaml`` through
:func:`intents.loader.load_smalltalk`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intents.analyzer import SpellingRepair, words

#: When a message holds phrases of several kinds, the first kind here wins
#: ("hi, what can you do?" asks for help; "thanks, bye" says goodbye).
KIND_PRIORITY = ("help", "goodbye", "thanks", "greeting")


@dataclass(frozen=True, slots=True)
class SmallTalkHit:
    """The kind of small talk and the share of the message's words it explains, in [0, 1]."""

    kind: str
    score: float


class SmallTalkDetector:
    """Recognise small talk by phrase coverage (see the module docstring)."""

    def __init__(self, kinds: Mapping[str, Iterable[str]], filler: Iterable[str] = ()) -> None:
        self.phrases_: dict[tuple[str, ...], str] = {}
        for kind, phrases in kinds.items():
            for phrase in phrases:
                key = tuple(words(phrase))
                if key:
                    self.phrases_.setdefault(key, kind)
        self.filler_ = frozenset(w for text in filler for w in words(text))
        self.kinds_ = tuple(kinds)
        self.longest_ = max((len(key) for key in self.phrases_), default=0)
        vocabulary = [w for key in self.phrases_ for w in key] + list(self.filler_)
        self.spelling_ = SpellingRepair(vocabulary, min_length=4)

    def detect(self, text: str) -> SmallTalkHit | None:
        """The small-talk kind of ``text``, or ``None`` when it has a topic of its own."""
        known = self.spelling_.frequency_  # the words of every phrase, and the filler
        tokens: list[str] = []
        for word in words(text):
            if word not in known:
                word = self.spelling_.repair(word)
                if word not in known:  # in no phrase and not filler: a topic
                    return None
            tokens.append(word)
        covered: dict[str, int] = {}
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest_, len(tokens) - i), 0, -1):
                kind = self.phrases_.get(tuple(tokens[i : i + size]))
                if kind is not None:
                    covered[kind] = covered.get(kind, 0) + size
                    i += size
                    break
            else:
                if tokens[i] not in self.filler_:
                    return None
                i += 1
        if not covered:
            return None
        order = [*KIND_PRIORITY, *self.kinds_]
        kind = min(covered, key=order.index)
        return SmallTalkHit(kind, sum(covered.values()) / len(tokens))
