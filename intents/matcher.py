"""TF-IDF retrieval over FAQ entries with a calibrated decision. Pure computation: no I/O.

How a question is scored against each entry (every step is in :meth:`TfidfMatcher.rank`):

1. **Similarity.** The question is analysed (:mod:`intents.analyzer`: spelling repair, light
   stemming, synonym concepts) into unigrams and bigrams, weighted by TF-IDF, and compared by
   cosine with every *phrasing* of an entry (its question and alternates), with the entry as a
   whole (all phrasings plus its answer) and with the entry's answer alone; a character n-gram
   channel catches misspellings the repair left. The blend, weighted towards phrasings, is the
   entry's similarity.
2. **Coverage.** The IDF-weighted share of the question's terms that the entry's vocabulary
   contains. Words the knowledge base has never seen weigh as much as its rarest words, so
   "reset my Partner Center password" is covered only halfway by an entry about Partner Center.
3. **Confidence** is similarity scaled by coverage, ``similarity ** (1 - c) * coverage ** c``
   mapped to [0, 1], lowered (``off_topic_factor``) for a section's entries when the question
   never names the section's topic, and (``unasked_factor``) for entries whose ``answers`` do
   not include a kind of question the question asks (who, when, how much...).
4. **Out of scope.** The knowledge base's out-of-scope topics are scored the same way (phrasing
   and whole-topic channels, coverage). When the closest topic is at least as close as the
   best entry (``Thresholds.out_of_scope_lead``), the decision is ``none``, unless the question
   only names the best entry's subject (every word in its phrasings, no kind of question
   asked: "SME", "Yammer"). Topic words do not count in the entries' IDF, so topics never
   change how entries score.
5. The decision compares the best confidence with thresholds (see :class:`Thresholds`).

Follows scikit-learn's estimator conventions: ``__init__`` stores hyper-parameters, ``fit``
learns and returns ``self``, learned state ends in ``_``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer

from intents.analyzer import Analyzer, Term
from intents.analyzer import words as word_tokens
from intents.hygiene import MAX_QUESTION_CHARS, clean_text
from intents.models import Decision, KnowledgeBase, Match, MatchResult
from intents.smalltalk import SmallTalkDetector

#: Words whose character n-gram columns a matcher keeps (a word costs ~200 bytes).
_MAX_CACHED_WORDS = 50_000

#: Up to this many entries, the ranking is sorted in plain Python (fewer numpy calls).
_SORTED_IN_PYTHON = 64

#: Largest index (terms x documents) kept as a dense array as well: 16 MB at most. A small
#: knowledge base's indexes all fit; a large one's stay sparse only.
_MAX_DENSE_CELLS = 2_000_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When to answer, when to ask "did you mean", and when to admit the FAQ has nothing.

    - ``answer``: the best entry's confidence needed to answer outright ...
    - ``margin``: ... provided it leads the runner-up by at least this much;
    - ``clarify``: below that, entries at or above this confidence are offered as
      "did you mean" choices (at most ``max_choices``, within ``clarify_window`` of the best);
    - below ``clarify`` the answer is ``none``;
    - except in a long message (``long_message_terms`` distinct analysed terms or more: a
      full sentence already): there the best entry alone is offered from
      ``clarify * long_clarify_factor`` up, provided it leads the runner-up by ``margin``.
      The context words of a sentence or a post dilute every entry's similarity and
      coverage, so one entry clearly ahead of the rest at a lower confidence is still worth
      a "did you mean";
    - whatever the entries score, the answer is ``none`` when an out-of-scope topic is closer
      than the best entry by ``out_of_scope_lead`` or more (0: at least as close).
    """

    answer: float = 0.5
    margin: float = 0.08
    clarify: float = 0.4
    clarify_window: float = 0.2
    max_choices: int = 3
    out_of_scope_lead: float = 0.0
    long_message_terms: int = 8
    long_clarify_factor: float = 0.7

    def problems(self) -> list[str]:
        """What is inconsistent about these thresholds (empty when they are usable)."""
        found = []
        for name in ("answer", "margin", "clarify", "clarify_window", "long_clarify_factor"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                found.append(f"{name} must be within [0, 1], got {value}")
        if not -1.0 <= self.out_of_scope_lead <= 1.0:
            found.append(f"out_of_scope_lead must be within [-1, 1], got {self.out_of_scope_lead}")
        if self.clarify > self.answer:
            found.append(f"clarify ({self.clarify}) must not exceed answer ({self.answer})")
        if not 1 <= self.max_choices <= 5:
            found.append(f"max_choices must be from 1 to 5, got {self.max_choices}")
        if self.long_message_terms < 1:
            found.append(f"long_message_terms must be at least 1, got {self.long_message_terms}")
        return found


@dataclass(frozen=True, slots=True)
class TermWeight:
    """One term of an explanation: what was typed, what it matched as, and its weight."""

    surface: str
    term: str
    weight: float  # share of the question's TF-IDF weight
    in_entry: bool  # whether the entry's vocabulary has it
    known: bool  # whether the knowledge base has it at all
    corrected: bool


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an entry scored what it did (``python -m intents ask --explain``)."""

    entry_id: str
    confidence: float
    similarity: float
    coverage: float
    best_phrasing: str
    terms: tuple[TermWeight, ...]


@dataclass(frozen=True, slots=True)
class TopicScore:
    """How close a question is to an out-of-scope topic (``python -m intents ask --explain``)."""

    topic_id: str
    confidence: float
    closest_phrasing: str


class TfidfMatcher:
    """Rank FAQ entries for a question and decide between answer, clarify and none."""

    def __init__(
        self,
        *,
        thresholds: Thresholds | None = None,
        phrasing_weight: float = 0.45,
        entry_weight: float = 0.25,
        answer_weight: float = 0.1,
        char_weight: float = 0.2,
        coverage_exponent: float = 0.5,
        filler_allowance: float = 8.0,
        off_topic_factor: float = 0.4,
        unasked_factor: float = 0.5,
        char_candidates: int = 50,
        top_k: int = 5,
    ) -> None:
        self.thresholds = thresholds or Thresholds()
        self.phrasing_weight = phrasing_weight
        self.entry_weight = entry_weight
        self.answer_weight = answer_weight
        self.char_weight = char_weight
        self.coverage_exponent = coverage_exponent
        self.filler_allowance = filler_allowance
        self.off_topic_factor = off_topic_factor
        self.unasked_factor = unasked_factor
        self.char_candidates = char_candidates
        self.top_k = top_k

    # ------------------------------------------------------------------ fitting
    def fit(self, knowledge: KnowledgeBase, smalltalk: SmallTalkDetector | None = None) -> Self:
        """Index every entry of ``knowledge``; ``smalltalk`` enables small-talk decisions."""
        entries = tuple(knowledge.entries)
        if not entries:
            raise ValueError("TfidfMatcher.fit() needs at least one FAQ entry")
        problems = self.thresholds.problems()
        if problems:
            raise ValueError("; ".join(problems))

        phrasings = [clean_text(p) for e in entries for p in e.phrasings]
        owners = np.repeat(np.arange(len(entries)), [len(e.phrasings) for e in entries])
        answers = [clean_text(_plain(e.answer), max_chars=10_000) for e in entries]
        documents = [" ".join([*e.phrasings, answers[i]]) for i, e in enumerate(entries)]
        topics = tuple(knowledge.out_of_scope)
        topic_phrasings = [clean_text(p) for t in topics for p in t.phrasings]
        topic_documents = [" ".join(t.phrasings) for t in topics]

        analyzer = Analyzer(knowledge.synonyms).fit([*phrasings, *answers, *topic_phrasings])
        self.analyzer_ = analyzer
        words = TfidfVectorizer(analyzer=self._features, sublinear_tf=True, dtype=np.float64)
        words.fit([*documents, *topic_documents])
        # IDF over entries only: a word shared by every phrasing of one entry is that entry's
        # topic, not noise. Words only out-of-scope topics use weigh as the rarest ones, as
        # unknown words do, so those topics never change how entries score.
        in_entries = np.asarray((words.transform(documents) > 0).sum(axis=0)).ravel()
        entry_idf = np.log((1 + len(entries)) / (1 + in_entries)) + 1
        self.max_idf_ = float(entry_idf[in_entries > 0].max())
        words.idf_ = np.where(in_entries > 0, entry_idf, self.max_idf_)
        self.words_ = words
        self.in_entries_: BoolArray = in_entries > 0

        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float64
        )
        char_texts = [_char_text(analyzer.terms(p)) for p in phrasings]
        char_matrix = sp.csr_matrix(chars.fit_transform(char_texts))
        self.char_index_ = _Postings(char_matrix)
        self.char_rows_ = char_matrix
        self.char_analyzer_ = chars.build_analyzer()
        self.char_vocabulary_: dict[str, int] = chars.vocabulary_
        self.char_idf_: FloatArray = chars.idf_
        self._char_columns_of_word: dict[str, tuple[int, ...]] = {}

        vocabulary = words.vocabulary_
        unigram = np.array([" " not in term for term in words.get_feature_names_out()])
        incidence = (words.transform([*documents, *topic_documents]) > 0).astype(np.float64)
        self.entry_terms_ = sp.csr_matrix(incidence.multiply(unigram[np.newaxis, :]))
        self.entry_term_index_ = _Postings(self.entry_terms_)
        # The three cosine channels in one index, so that one product (one walk of the
        # postings on a large knowledge base) scores them all: the phrasings, the entries as
        # a whole, the answers. In the first two, the entries' rows come before the
        # out-of-scope topics' rows.
        blocks = [
            words.transform([*phrasings, *topic_phrasings]),
            words.transform([*documents, *topic_documents]),
            words.transform(answers),
        ]
        self.word_index_ = _Postings(sp.vstack(blocks))
        whole_start = blocks[0].shape[0]
        self.word_blocks_ = (whole_start, whole_start + blocks[1].shape[0])
        self.idf_: FloatArray = words.idf_
        # The same as plain lists: a question's few words are weighed without numpy.
        self.idf_list_: list[float] = self.idf_.tolist()
        self.in_entries_list_: list[bool] = self.in_entries_.tolist()
        self.vocabulary_: dict[str, int] = vocabulary
        self.topics_out_ = topics
        topic_owners = np.repeat(np.arange(len(topics)), [len(t.phrasings) for t in topics])
        self.topic_owner_: IntArray = topic_owners
        self.topic_starts_: IntArray = np.flatnonzero(
            np.r_[True, topic_owners[1:] != topic_owners[:-1]]
        )[: len(topics)]
        self.topic_phrasings_ = tuple(topic_phrasings)
        self.phrasing_owner_ = owners
        self.phrasing_starts_ = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        # The terms of each entry's own phrasings (question and alternates), read off their
        # rows of the index, for the one case where an entry outranks a closer out-of-scope
        # topic (see ``match``).
        names = words.get_feature_names_out()
        rows = sp.csr_matrix(blocks[0])
        bounds = [*self.phrasing_starts_.tolist(), len(phrasings)]
        self.phrasing_words_: tuple[frozenset[str], ...] = tuple(
            frozenset(names[rows[start:stop].indices].tolist()) for start, stop in pairwise(bounds)
        )
        # Where each entry's phrasings start, then each topic's, in the phrasings block.
        self.all_phrasing_starts_: IntArray = np.r_[
            self.phrasing_starts_, len(phrasings) + self.topic_starts_
        ].astype(np.intp)
        # Sections with a topic: the analysed forms of its terms, and which entries it covers.
        self.topics_: list[tuple[frozenset[tuple[str, ...]], FloatArray]] = []
        for section, topic_terms in knowledge.topics.items():
            forms = frozenset({tuple(analyzer.analyze(term)) for term in topic_terms} - {()})
            members = np.array([e.section == section for e in entries])
            if forms and members.any():
                self.topics_.append((forms, np.where(members, self.off_topic_factor, 1.0)))
        self.topic_sizes_ = sorted({len(form) for forms, _ in self.topics_ for form in forms})
        # Kinds of question (who, when...): the word runs that ask each, and the factor of
        # every entry (1 for entries that declare they answer the kind).
        self.ask_factors_: list[FloatArray] = []
        self.ask_runs_: dict[tuple[str, ...], int] = {}
        for kind, triggers in knowledge.asks.items():
            runs = {tuple(word_tokens(trigger)) for trigger in triggers} - {()}
            if runs:
                answering = np.array([kind in e.answers for e in entries])
                self.ask_runs_.update(dict.fromkeys(runs, len(self.ask_factors_)))
                self.ask_factors_.append(np.where(answering, 1.0, self.unasked_factor))
        self.ask_sizes_ = sorted({len(run) for run in self.ask_runs_}, reverse=True)
        self.phrasings_ = tuple(phrasings)
        self.knowledge_ = knowledge
        self.entries_ = entries
        self.smalltalk_ = smalltalk
        return self

    def _features(self, text: str) -> list[str]:
        return _with_bigrams(self.analyzer_.analyze(text))

    # ------------------------------------------------------------------ scoring
    def _check_fitted(self) -> None:
        if not hasattr(self, "entries_"):
            raise NotFittedError("call fit() before rank() or match()")

    @staticmethod
    def _weights(found: Sequence[int], idf: FloatArray) -> tuple[IntArray, FloatArray, float]:
        """TF-IDF weights of a text whose in-vocabulary features are the columns ``found`` (in
        text order, repeats included), as the fitted vectorizer computes them (sublinear tf),
        before the l2 norm, which is returned beside them."""
        counts = Counter(found)
        columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
        values = idf[columns]
        if len(counts) < len(found):  # a feature repeats: 1 + log(count) times its IDF
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = values * (1.0 + np.log(tf))
        return columns, values, math.sqrt(values @ values)

    def _scores(self, text: str) -> _Scores:
        """Confidence, similarity and coverage of every entry and out-of-scope topic, and the
        similarity of every phrasing of both."""
        n, n_phrasings = len(self.entries_), len(self.phrasings_)
        terms = self.analyzer_.terms(text)
        stems = [t.term for t in terms]
        known = (self.vocabulary_.get(feature) for feature in _with_bigrams(stems))
        columns, weights, norm = self._weights([c for c in known if c is not None], self.idf_)
        # Entries see only the words some entry has: words only out-of-scope topics know are
        # unknown to them, as before those topics existed. Entry rows never hold those words,
        # so their cosines need only the question vector's norm over the entries' words.
        in_entries = weights[self.in_entries_[columns]]
        entry_norm = math.sqrt(in_entries @ in_entries)
        # Cosines times the question's norm: phrasings, entries as a whole, answers; in the
        # first two, the entries' rows and then the topics'.
        row = self.word_index_.dot(columns, weights)
        whole_start, answer_start = self.word_blocks_
        phrasings = row[:whole_start]
        whole = row[whole_start:answer_start]
        distinct = set(stems)
        coverage_all = self._coverage(distinct)
        best = np.maximum.reduceat(phrasings, self.all_phrasing_starts_)
        topic_confidence = self._topic_confidence(best[n:], whole[n:], coverage_all[n:], norm)
        if entry_norm:
            confidence, similarity, coverage = self._entry_scores(
                text,
                terms,
                stems,
                best[:n],
                whole[:n],
                row[answer_start:],
                coverage_all[:n],
                entry_norm,
            )
        else:  # no word any entry knows
            confidence = similarity = coverage = np.zeros(n)
        return _Scores(
            confidence,
            similarity,
            coverage,
            topic_confidence,
            phrasings,
            n_phrasings,
            entry_norm,
            norm,
            frozenset(distinct),
        )

    def _entry_scores(
        self,
        text: str,
        terms: Sequence[Term],
        stems: Sequence[str],
        best_phrasing: FloatArray,
        whole: FloatArray,
        answer: FloatArray,
        coverage: FloatArray,
        entry_norm: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Confidence, similarity and coverage of every entry, from its word cosines (times
        the question's norm over the entries' words, ``entry_norm``)."""
        p, e, a, c = self.phrasing_weight, self.entry_weight, self.answer_weight, self.char_weight
        word_part = p * best_phrasing + e * whole + a * answer
        char_text = _char_text(terms)
        if c and char_text:
            char_columns, char_weights, char_norm = self._weights(
                self._char_columns(char_text), self.char_idf_
            )
            best_char = self._char_scores(char_columns, char_weights, char_norm, word_part)
            similarity = (word_part * (1.0 / entry_norm) + c * best_char) * (1.0 / (p + e + a + c))
        else:
            similarity = word_part * (1.0 / (entry_norm * (p + e + a + c)))
        confidence = self._confidence(similarity, coverage)
        if self.topics_:
            named = _runs(stems, self.topic_sizes_)
            for forms, factors in self.topics_:
                if named.isdisjoint(forms):
                    confidence = confidence * factors
        if self.ask_runs_:
            for kind in self._asked(word_tokens(text)):
                confidence = confidence * self.ask_factors_[kind]
        return confidence, similarity, coverage

    def _asked(self, tokens: Sequence[str]) -> set[int]:
        """The kinds of question ``tokens`` ask, read left to right, longest run first: "how
        much time" asks when (if listed), not how much."""
        kinds: set[int] = set()
        i = 0
        while i < len(tokens):
            for size in self.ask_sizes_:
                kind = self.ask_runs_.get(tuple(tokens[i : i + size]))
                if kind is not None:
                    kinds.add(kind)
                    i += size
                    break
            else:
                i += 1
        return kinds

    def _confidence(self, similarity: FloatArray, coverage: FloatArray) -> FloatArray:
        c = self.coverage_exponent
        # np.minimum(np.maximum()) is np.clip without its Python-level dispatch
        clipped = np.minimum(np.maximum(similarity, 0.0), 1.0)
        confidence: FloatArray = np.power(clipped, 1 - c) * np.power(coverage, c)
        return confidence

    def _topic_confidence(
        self, best_phrasing: FloatArray, whole: FloatArray, coverage: FloatArray, norm: float
    ) -> FloatArray:
        """Confidence of each out-of-scope topic (phrasing and whole cosines times ``norm``).

        Topics have no answer text and no character channel: their similarity blends the
        phrasing and whole-topic channels with the entries' weights for those two.
        """
        if not self.topics_out_ or not norm:
            return np.zeros(len(self.topics_out_))
        p, e = self.phrasing_weight, self.entry_weight
        similarity = (p * best_phrasing + e * whole) * (1.0 / (norm * (p + e)))
        return self._confidence(similarity, coverage)

    def _coverage(self, distinct: set[str]) -> FloatArray:
        """IDF-weighted share of the question's distinct terms found in each row's vocabulary."""
        # In a long message each extra word carries less of the intent: past
        # ``filler_allowance`` terms, unknown words weigh proportionally less.
        unknown_weight = self.max_idf_ * min(1.0, self.filler_allowance / max(1, len(distinct)))
        found = [self.vocabulary_.get(term) for term in distinct]
        known = [c for c in found if c is not None]
        # Words only out-of-scope topics know weigh as unknown words do.
        idf, in_entries = self.idf_list_, self.in_entries_list_
        weights = [idf[c] if in_entries[c] else unknown_weight for c in known]
        total = unknown_weight * (len(found) - len(known)) + sum(weights)
        if total == 0:
            return np.zeros(self.entry_term_index_.documents)
        share = 1.0 / total
        return self.entry_term_index_.dot(
            np.array(known, dtype=np.intp), np.array([w * share for w in weights])
        )

    def _char_columns(self, text: str) -> list[int]:
        """The character n-gram columns of ``text`` in the analyzer's order, repeats included.

        The ``char_wb`` analyzer lower-cases the text and takes each whitespace-separated word
        on its own, so the n-grams of a text are its words' n-grams one after the other: each
        word's columns are computed once, with the fitted analyzer, and kept.
        """
        cache = self._char_columns_of_word
        found: list[int] = []
        for word in text.split():
            columns = cache.get(word)
            if columns is None:
                vocabulary = self.char_vocabulary_
                known = (vocabulary.get(gram) for gram in self.char_analyzer_(word))
                columns = tuple(column for column in known if column is not None)
                if len(cache) >= _MAX_CACHED_WORDS:
                    cache.clear()
                cache[word] = columns
            found += columns
        return found

    def _char_scores(
        self, columns: IntArray, weights: FloatArray, norm: float, prior: FloatArray
    ) -> FloatArray:
        """Best character-n-gram cosine per entry, for n-gram ``weights`` of l2 norm ``norm``.

        The character channel only refines: on a large knowledge base it is computed for the
        ``char_candidates`` entries the word channels rank highest (``prior``; common n-grams
        have long postings); on one of that size or smaller it is computed for every entry.
        """
        n = len(self.entries_)
        if not norm:
            return np.zeros(n)
        if n <= self.char_candidates:
            char = self.char_index_.dot(columns, weights)
            best: FloatArray = np.maximum.reduceat(char, self.phrasing_starts_) * (1.0 / norm)
            return best
        candidates = np.argpartition(-prior, self.char_candidates)[: self.char_candidates]
        query = np.zeros(len(self.char_idf_))
        query[columns] = weights * (1.0 / norm)
        best = np.zeros(n)
        for entry in candidates:
            start = self.phrasing_starts_[entry]
            stop = self.phrasing_starts_[entry + 1] if entry + 1 < n else len(self.phrasings_)
            best[entry] = float((self.char_rows_[start:stop] @ query).max())
        return best

    def rank(self, text: str) -> list[Match]:
        """The best ``top_k`` entries with a non-zero confidence, best first."""
        self._check_fitted()
        return self._ranked(self._scores(clean_text(text)).confidence)

    def _ranked(self, confidence: FloatArray) -> list[Match]:
        """The ``top_k`` entries with a non-zero confidence, best first (ties: file order)."""
        k = min(self.top_k, len(confidence))
        if len(confidence) > _SORTED_IN_PYTHON:
            top = np.argpartition(-confidence, k - 1)[:k] if k < len(confidence) else np.arange(k)
            order: list[int] = top[np.lexsort((top, -confidence[top]))].tolist()
            values: list[float] = confidence[order].tolist()
        else:  # a small knowledge base: plain floats cost less than numpy calls
            every = confidence.tolist()
            # best first; a stable sort keeps equal scores in file order, reversed or not
            order = sorted(range(len(every)), key=every.__getitem__, reverse=True)[:k]
            values = [every[i] for i in order]
        return [
            Match(self.entries_[i], round(value, 4))
            for i, value in zip(order, values, strict=True)
            if value > 0
        ]

    def match(self, text: str | None) -> MatchResult:
        """Decide what to do with ``text``: answer, clarify, none, or small talk."""
        self._check_fitted()
        question = clean_text(text, max_chars=MAX_QUESTION_CHARS)
        if self.smalltalk_ is not None:
            hit = self.smalltalk_.detect(question)
            if hit is not None:
                return MatchResult(question, Decision.SMALLTALK, smalltalk=hit.kind)
        if not question:
            return MatchResult(question, Decision.NONE)
        scores = self._scores(question)
        ranked = self._ranked(scores.confidence)
        topic = self._closest_topic(scores)
        best = ranked[0].score if ranked else 0.0
        if (
            topic is not None
            and topic[1] >= best + self.thresholds.out_of_scope_lead
            and not self._names_only(question, scores, ranked)
        ):
            return MatchResult(question, Decision.NONE, tuple(ranked), out_of_scope=topic[0])
        return MatchResult(
            question,
            *self._decide(ranked, long=len(scores.terms) >= self.thresholds.long_message_terms),
        )

    def _names_only(self, question: str, scores: _Scores, ranked: Sequence[Match]) -> bool:
        """Whether ``question`` only names what the best entry is about: every word of it is
        in that entry's own phrasings and it asks no kind of question ("SME", "Yammer", "I
        need an SME"). An out-of-scope topic is what an entry leaves unsaid ("is there a
        charge for an SME?", "who is our PSM?"), so it never turns such a question away."""
        if not ranked or not scores.terms:
            return False
        entry = int(np.argmax(scores.confidence))  # ranked[0]: ties go to file order in both
        return scores.terms <= self.phrasing_words_[entry] and not self._asked(
            word_tokens(question)
        )

    def _closest_topic(self, scores: _Scores) -> tuple[str, float] | None:
        """The out-of-scope topic closest to the question and its confidence, if any."""
        if not len(scores.topic_confidence):
            return None
        index = int(np.argmax(scores.topic_confidence))
        confidence = float(scores.topic_confidence[index])
        return (self.topics_out_[index].id, confidence) if confidence > 0 else None

    def _decide(
        self, ranked: Sequence[Match], *, long: bool = False
    ) -> tuple[Decision, tuple[Match, ...], tuple[Match, ...]]:
        t = self.thresholds
        matches = tuple(ranked)
        if not matches:
            return Decision.NONE, matches, ()
        best = matches[0].score
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        if best < t.clarify:
            floor = t.clarify * t.long_clarify_factor
            if long and best >= floor and best - runner_up >= t.margin:
                return Decision.CLARIFY, matches, (matches[0],)
            return Decision.NONE, matches, ()
        if best >= t.answer and best - runner_up >= t.margin:
            return Decision.ANSWER, matches, (matches[0],)
        choices = tuple(
            m
            for m in matches[: t.max_choices]
            if m.score >= max(t.clarify, best - t.clarify_window)
        )
        return Decision.CLARIFY, matches, choices

    # ------------------------------------------------------------------ explaining
    def closest_out_of_scope(self, text: str) -> TopicScore | None:
        """The out-of-scope topic closest to ``text``, with its closest phrasing, if any."""
        self._check_fitted()
        scores = self._scores(clean_text(text))
        topic = self._closest_topic(scores)
        if topic is None:
            return None
        index = [t.id for t in self.topics_out_].index(topic[0])
        mine = np.flatnonzero(self.topic_owner_ == index)
        best = int(mine[np.argmax(scores.topic_phrasing[mine])])
        return TopicScore(topic[0], topic[1], self.topic_phrasings_[best])

    def explain(self, text: str, entry_id: str | None = None) -> Explanation | None:
        """Which terms carried the score of ``entry_id`` (default: the best entry)."""
        self._check_fitted()
        question = clean_text(text)
        scores = self._scores(question)
        confidence, similarity, coverage, phrasing = (
            scores.confidence,
            scores.similarity,
            scores.coverage,
            scores.phrasing,
        )
        ids = [e.id for e in self.entries_]
        if entry_id is None:
            if not confidence.any():
                return None
            index = int(np.argmax(confidence))
        elif entry_id in ids:
            index = ids.index(entry_id)
        else:
            return None
        mine = np.flatnonzero(self.phrasing_owner_ == index)
        best_phrasing = self.phrasings_[int(mine[np.argmax(phrasing[mine])])]
        vector = self.words_.transform([question])
        weight_of = {
            self.words_.get_feature_names_out()[j]: float(v)
            for j, v in zip(vector.indices, vector.data, strict=True)
        }
        total = sum(weight_of.values()) or 1.0
        entry_vocabulary = set(self.entry_terms_[index].indices)
        terms = []
        seen: set[str] = set()
        for term in self.analyzer_.terms(question):
            if term.term in seen:
                continue
            seen.add(term.term)
            column = self.vocabulary_.get(term.term)
            terms.append(
                TermWeight(
                    surface=term.surface,
                    term=term.term,
                    weight=weight_of.get(term.term, 0.0) / total,
                    in_entry=column is not None and column in entry_vocabulary,
                    known=column is not None and bool(self.in_entries_[column]),
                    corrected=term.corrected,
                )
            )
        return Explanation(
            entry_id=ids[index],
            confidence=float(confidence[index]),
            similarity=float(similarity[index]),
            coverage=float(coverage[index]),
            best_phrasing=best_phrasing,
            terms=tuple(terms),
        )


@dataclass(frozen=True, slots=True)
class _Scores:
    """Everything one question scores: per entry, per entry phrasing, per out-of-scope topic.

    Phrasing cosines are kept as computed (entries' phrasings then topics', times the
    question's norm) and divided only when asked for: ``explain`` needs them, a match does
    not. Entries score zero when the question has no word any entry knows.
    """

    confidence: FloatArray
    similarity: FloatArray
    coverage: FloatArray
    topic_confidence: FloatArray
    raw_phrasing: FloatArray
    n_phrasings: int  # entries' phrasings; the rest of raw_phrasing are the topics'
    entry_norm: float
    topic_norm: float
    terms: frozenset[str]  # distinct analysed terms of the question (stop words left out)

    @property
    def phrasing(self) -> FloatArray:
        """Cosine of the question with each entry phrasing."""
        mine = self.raw_phrasing[: self.n_phrasings]
        return mine / self.entry_norm if self.entry_norm else np.zeros(self.n_phrasings)

    @property
    def topic_phrasing(self) -> FloatArray:
        """Cosine of the question with each out-of-scope topic phrasing."""
        theirs = self.raw_phrasing[self.n_phrasings :]
        return theirs / self.topic_norm if self.topic_norm else np.zeros(len(theirs))


def _runs(terms: Sequence[str], sizes: Sequence[int]) -> set[tuple[str, ...]]:
    """Every contiguous run of ``terms`` whose length is one of ``sizes``."""
    return {tuple(terms[i : i + size]) for size in sizes for i in range(len(terms) - size + 1)}


def _with_bigrams(terms: Sequence[str]) -> list[str]:
    return [*terms, *(f"{a} {b}" for a, b in pairwise(terms))]


def _char_text(terms: Sequence[Term]) -> str:
    """What the character n-grams see: the words as typed, without synonym concepts."""
    return " ".join(t.surface for t in terms if "_" not in t.term)


class _Postings:
    """An inverted index (term -> documents with weights) for a question's dot products.

    ``dot(columns, weights)`` equals ``query_row @ matrix.T`` for a documents-by-terms
    ``matrix`` and a query row nonzero only in ``columns``, but touches only those terms'
    postings and builds no scipy objects, which is what makes a match cost
    microseconds rather than a millisecond.

    An index of at most ``_MAX_DENSE_CELLS`` cells also keeps its terms-by-documents rows
    dense: one matrix product over the query terms' rows costs less than walking postings.
    """

    def __init__(self, matrix: sp.spmatrix) -> None:
        by_term = sp.csr_matrix(matrix.T)
        by_term.sort_indices()
        self.indptr: IntArray = by_term.indptr.astype(np.intp)
        self.indices: IntArray = by_term.indices.astype(np.intp)
        self.data: FloatArray = by_term.data.astype(np.float64)
        self.documents = int(matrix.shape[0])
        cells = by_term.shape[0] * by_term.shape[1]
        self.dense: FloatArray | None = (
            np.ascontiguousarray(by_term.toarray(), dtype=np.float64)
            if cells <= _MAX_DENSE_CELLS
            else None
        )

    def dot(self, columns: IntArray, weights: FloatArray) -> FloatArray:
        """Scores of every document for a query with ``weights`` in ``columns`` (distinct)."""
        if not len(columns):
            return np.zeros(self.documents)
        if self.dense is not None:
            products: FloatArray = weights @ self.dense.take(columns, axis=0)
            return products
        return self._walk(columns, weights)

    def _walk(self, columns: IntArray, weights: FloatArray) -> FloatArray:
        starts = self.indptr[columns]
        lengths = self.indptr[columns + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self.documents)
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        positions = np.arange(total) + offsets
        values = self.data[positions] * np.repeat(weights, lengths)
        scores: FloatArray = np.bincount(
            self.indices[positions], weights=values, minlength=self.documents
        ).astype(np.float64, copy=False)
        return scores


def _plain(markdown: str) -> str:
    """Answer text without link targets, so URLs do not become matchable words."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
