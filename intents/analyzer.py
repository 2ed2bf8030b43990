"""Text analysis for matching: tokens, light stemming, spelling repair and synonym concepts.

Turns a cleaned question (see :mod:`intents.hygiene`) into the list of terms the TF-IDF
matcher indexes. The same :class:`Analyzer` processes the FAQ side and the user side, so
synonyms and stems line up on both. Pure computation: no I/O, no scikit-learn.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from intents.hygiene import fold
from intents.models import SynonymGroup

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

#: Function words that carry no topic. Deliberately shorter than the usual English lists:
#: words such as "first", "back", "never", "up", "down", "empty" and "new" mean something in
#: this FAQ ("first email", "go back and populate", "never responds", "up to date").
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "hi",
        "hey",
        "hello",
        "thanks",
        "thank",
        "ok",
        "okay",
        "im",
        "ive",
        "id",
        "get",
        "got",
        "gets",
        "anyone",
        "someone",
        "something",
        "anything",
        "thing",
        "things",
        "need",
        "needs",
        "want",
        "wants",
        "wondering",
        "know",
        "tell",
        "question",
        "questions",
        "ask",
        "asking",
        "also",
        "really",
        "still",
        "currently",
        "guys",
        "team's",
        # Teams channel chatter around a question ("quick q", "random q", "roughly", "what
        # now?", "btw"): without it, these words count as topics no entry covers.
        "q",
        "quick",
        "random",
        "roughly",
        "approximately",
        "now",
        "btw",
        "fyi",
        "pls",
        "plz",
        "folks",
        "everyone",
        "anybody",
        "somebody",
    ]
)

#: Negations typed without the apostrophe; like ``isn't`` or ``can't``, each is read as "not",
#: so "isn't answering" meets the phrase "not answering".
_NEGATIONS = frozenset(
    {"aint", "arent", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent"}
    | {"isnt", "shouldnt", "wasnt", "werent", "wont", "wouldnt"}
)

#: Irregular forms the suffix rules cannot reach.
_IRREGULAR = {
    "used": "use",
    "uses": "use",
    "using": "use",
    "paid": "pay",
    "sent": "send",
    "went": "go",
    "gone": "go",
    "began": "begin",
    "begun": "begin",
    "ran": "run",
    "left": "leave",
    "saw": "see",
    "seen": "see",
    "made": "make",
    "took": "take",
    "taken": "take",
    "bought": "buy",
    "kept": "keep",
    "told": "tell",
    "wrote": "write",
    "written": "write",
}
_KEEP_S = ("ss", "us", "is", "ous", "news", "always", "sales")
_DOUBLE_OK = frozenset("lsz")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip English inflections so ``updates``, ``updated``, ``updating`` and ``update`` meet.

    A deliberately light stemmer (plural, -ed, -ing, -ly, final -e, doubled consonant): it
    never merges words whose meaning differs in this FAQ, and derivations such as
    ``registration``/``register`` are left to the synonym data.
    """
    if word in _IRREGULAR:
        return stem(_IRREGULAR[word])
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(_KEEP_S):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if any(vowel in base for vowel in "aeiouy"):
                word = base
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _DOUBLE_OK:
                    word = word[:-1]
            break
    if word.endswith("ly") and len(word) > 5:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """Folded word tokens of ``text``: ``Customer's kick-off`` -> ``customer kick off``."""
    return list(_words(text))


@lru_cache(maxsize=8)
def _words(text: str) -> tuple[str, ...]:
    # One match tokenizes its question three times (small talk, terms, question kinds);
    # the cache is that small on purpose: it serves one match, not repeated questions.
    tokens = _WORD.findall(fold(text))
    return tuple(_word(token) for token in tokens)


def _word(token: str) -> str:
    """``isn't``, ``isnt`` -> ``not``; ``customer's`` -> ``customer``."""
    if token.endswith("n't") or token in _NEGATIONS:
        return "not"
    return token.split("'", 1)[0]


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed position of a text: what the user wrote and what the index sees."""

    surface: str  # the word as typed (folded); for a concept, the words it covers
    term: str  # the stem, or the concept name for a synonym phrase
    corrected: bool = False


class SpellingRepair:
    """Repair typos against a known vocabulary (Damerau-Levenshtein, symmetric deletes).

    A word that is already known, shorter than ``min_length``, or has no unique near
    neighbour is left alone; up to one edit is repaired in words of 4+ letters and two in
    words of 8+ letters. The lookup costs a few dictionary probes per unknown word.
    """

    def __init__(self, vocabulary: Iterable[str], *, min_length: int = 4) -> None:
        self.min_length = min_length
        self.frequency_ = Counter(vocabulary)
        self.deletes_: dict[str, list[str]] = {}
        for word in self.frequency_:
            if word.isalpha():
                for variant in _deletes(word, 2 if len(word) >= 7 else 1) | {word}:
                    self.deletes_.setdefault(variant, []).append(word)
        self._cache: dict[str, str] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.frequency_

    def repair(self, word: str) -> str:
        """The known word ``word`` was most likely meant as, or ``word`` itself."""
        if word in self.frequency_ or len(word) < self.min_length or not word.isalpha():
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        limit = 2 if len(word) >= 8 else 1
        best: tuple[int, int, str] | None = None
        for variant in _deletes(word, limit) | {word}:
            for candidate in self.deletes_.get(variant, ()):
                if _differs_by_prefix(word, candidate):
                    continue
                distance = _damerau(word, candidate, limit)
                if distance > limit:
                    continue
                key = (distance, -self.frequency_[candidate], candidate)
                if best is None or key < best:
                    best = key
        repaired = best[2] if best else word
        if len(self._cache) < 100_000:
            self._cache[word] = repaired
        return repaired


#: Prefixes that turn a word into another word ("unsubscribe" is not a typo of "subscribe").
_PREFIXES = ("un", "re", "de", "dis", "non", "pre", "mis", "in", "im", "co", "sub")


def _differs_by_prefix(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return any(long_ == prefix + short for prefix in _PREFIXES)


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w)) if len(w) > 2}
        found |= frontier
    found.discard(word)
    return found


def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, stopping early once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Analyzer:
    """Turns text into index terms: stems, with synonym phrases folded into one concept term.

    ``fit`` learns the vocabulary (for spelling repair) from the FAQ texts; ``analyze`` then
    works on either side. A synonym group ``[ftop, fasttrack orchestration portal]`` turns both
    "FTOP" and "FastTrack Orchestration Portal" into the single term ``ftop``.
    """

    def __init__(self, synonyms: Sequence[SynonymGroup] = ()) -> None:
        self.synonyms = tuple(synonyms)
        # stems of each phrase -> concept name; longest phrases are tried first
        self._phrases: dict[tuple[str, ...], str] = {}
        for group in self.synonyms:
            concept = "_".join(words(group.canonical)) or group.canonical
            for term in group.terms:
                key = tuple(stem(w) for w in words(term))
                if key:
                    self._phrases.setdefault(key, concept)
        # first stem of a phrase -> the lengths of the phrases it starts, longest first: a
        # position whose stem starts no phrase costs one lookup, not one per length
        sizes: dict[str, set[int]] = {}
        for key in self._phrases:
            sizes.setdefault(key[0], set()).add(len(key))
        self._sizes = {first: sorted(found, reverse=True) for first, found in sizes.items()}
        self.spelling_: SpellingRepair | None = None

    def fit(self, texts: Iterable[str]) -> Analyzer:
        """Learn the vocabulary that spelling repair corrects towards."""
        vocabulary: list[str] = [w for text in texts for w in words(text)]
        vocabulary += [w for group in self.synonyms for t in group.terms for w in words(t)]
        vocabulary += STOP_WORDS
        self.spelling_ = SpellingRepair(vocabulary)
        return self

    def terms(self, text: str, *, repair: bool = True) -> list[Term]:
        """Analysed positions of ``text``, stop words left out (after phrase matching)."""
        tokens = words(text)
        spelling = self.spelling_ if repair else None
        surfaces = [spelling.repair(t) if spelling else t for t in tokens]
        stems = [stem(w) for w in surfaces]
        result: list[Term] = []
        i = 0
        while i < len(stems):
            for size in self._sizes.get(stems[i], ()):
                if size > len(stems) - i:
                    continue
                concept = self._phrases.get(tuple(stems[i : i + size]))
                if concept is not None:
                    surface = " ".join(tokens[i : i + size])
                    fixed = surfaces[i : i + size] != tokens[i : i + size]
                    result.append(Term(surface, concept, fixed))
                    i += size
                    break
            else:
                if surfaces[i] not in STOP_WORDS:
                    result.append(Term(tokens[i], stems[i], surfaces[i] != tokens[i]))
                i += 1
        return result

    def analyze(self, text: str) -> list[str]:
        """The index terms of ``text`` (scikit-learn ``analyzer=`` compatible)."""
        return [t.term for t in self.terms(text)]
