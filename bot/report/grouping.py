"""Group similar questions, so forty phrasings of one missing topic read as one row.

Each distinct question becomes a TF-IDF vector of its index terms (the matcher's own
analyzer: folding, spelling repair towards the FAQ's vocabulary, light stemming, synonym
concepts). The IDF is the knowledge base's, not the questions': a word many FAQ entries use
("customer", "partner") says little about a question's topic, and a word the FAQ has never
seen ("password", "lunch") weighs as much as its rarest word. It does not depend on what the
log happens to hold, so a topic asked a thousand times does not dilute its own words.

Grouping is leader clustering, then one merge pass over the groups' centroids (a cheap
agglomerative step): the most frequent question not yet placed starts a group and takes every
unplaced question whose cosine with it reaches the threshold; then the most frequent group
absorbs every later group whose centroid is as close. One sparse product per group keeps this
well under a second for thousands of distinct questions. Pure computation: no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

#: Cosine a question needs with a group's leader (and a group with another's centroid).
GROUP_THRESHOLD = 0.5

IntArray = npt.NDArray[np.intp]

#: Would-be leaders whose similarities are computed together (rows x distinct texts floats).
_BLOCK = 256


@dataclass(frozen=True, slots=True)
class Group:
    """Questions that ask the same thing.

    Attributes:
        members: Indices into the texts given to :func:`group_texts`, the most frequent
            first (the group's label).
        count: How many times its questions were asked in all.
    """

    members: tuple[int, ...]
    count: int


def group_texts(
    texts: Sequence[str],
    counts: Sequence[int],
    analyze: Callable[[str], list[str]],
    weight: Callable[[str], float],
    *,
    threshold: float = GROUP_THRESHOLD,
) -> list[Group]:
    """Group distinct question texts by similarity.

    Args:
        texts: Distinct (normalized) questions.
        counts: How often each was asked, in the same order.
        analyze: Text to index terms (the matcher's analyzer).
        weight: A term's IDF weight.
        threshold: Cosine needed to join a group.

    Returns:
        The groups, largest count first. Texts without a single index term (only stop words
        or symbols) each form a group of their own.
    """
    if not texts:
        return []
    weights = np.asarray(counts, dtype=np.float64)
    matrix = _vectors(texts, analyze, weight)
    clusters = _leaders(matrix, weights, threshold)
    centroids = sp.csr_matrix(_normalized(_sum_rows(matrix, weights, clusters)))
    group_weights = np.array([weights[c].sum() for c in clusters])
    merged = _leaders(centroids, group_weights, threshold)
    groups: list[Group] = []
    for parts in merged:
        members = [int(i) for part in parts for i in clusters[part]]
        members.sort(key=lambda i: (-counts[i], texts[i]))
        groups.append(Group(tuple(members), sum(counts[i] for i in members)))
    groups.sort(key=lambda g: (-g.count, texts[g.members[0]]))
    return groups


def _vectors(
    texts: Sequence[str], analyze: Callable[[str], list[str]], weight: Callable[[str], float]
) -> sp.csr_matrix:
    """One l2-normalized row per text: sublinear term frequency times the term's weight."""
    columns: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for text in texts:
        terms = Counter(analyze(text))
        values = {
            columns.setdefault(term, len(columns)): (1 + math.log(n)) * weight(term)
            for term, n in terms.items()
        }
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        for column, value in sorted(values.items()):
            indices.append(column)
            data.append(value / norm)
        indptr.append(len(indices))
    shape = (len(texts), max(1, len(columns)))
    return sp.csr_matrix((data, indices, indptr), shape=shape, dtype=np.float64)


def _leaders(
    matrix: sp.csr_matrix, weights: npt.NDArray[np.float64], threshold: float
) -> list[IntArray]:
    """Leader clustering of the rows of ``matrix``, heaviest leader first.

    Similarities are computed for a block of would-be leaders at a time (one sparse product
    per block rather than per leader).
    """
    rows = matrix.shape[0]
    order = np.lexsort((np.arange(rows), -weights))
    empty = np.diff(matrix.indptr) == 0
    transposed = sp.csc_matrix(matrix.T)
    placed = np.zeros(rows, dtype=bool)
    clusters: list[IntArray] = []
    for begin in range(0, rows, _BLOCK):
        pending = [int(i) for i in order[begin : begin + _BLOCK] if not placed[i]]
        if not pending:
            continue
        similarities = (matrix[pending] @ transposed).toarray()
        for similarity, leader in zip(similarities, pending, strict=True):
            if placed[leader]:
                continue
            if empty[leader]:
                joined = np.array([leader], dtype=np.intp)
            else:
                joined = np.flatnonzero((similarity >= threshold - 1e-9) & ~placed)
                if leader not in joined:
                    joined = np.append(joined, leader)
            placed[joined] = True
            clusters.append(joined)
    return clusters


def _sum_rows(
    matrix: sp.csr_matrix, weights: npt.NDArray[np.float64], clusters: Sequence[IntArray]
) -> sp.csr_matrix:
    """One row per cluster: the count-weighted sum of its members' rows."""
    rows = np.concatenate([np.full(len(c), n) for n, c in enumerate(clusters)])
    columns = np.concatenate(clusters)
    assign = sp.csr_matrix(
        (weights[columns], (rows, columns)), shape=(len(clusters), matrix.shape[0])
    )
    return sp.csr_matrix(assign @ matrix)


def _normalized(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
