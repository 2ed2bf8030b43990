"""Answer-quality evaluation against a labelled question set. Pure computation: no I/O.

A case expects an entry id (in scope), ``none`` (out of scope) or ``smalltalk:<kind>``. The
figures follow the project's quality bar:

- **in-scope accuracy**: the right entry answered, or first among the "did you mean" choices;
- **wrong answers**: an entry answered outright that is not an accepted one;
- **clarify rate**: in-scope questions that got "did you mean" rather than an answer;
- **out-of-scope rejection**: out-of-scope questions that got ``none``;
- **small talk**: small-talk lines recognised as the right kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intents.matcher import TfidfMatcher
from intents.models import Decision, MatchResult

NONE = "none"
SMALLTALK_PREFIX = "smalltalk:"


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One labelled message: what a user typed and which answer is right."""

    text: str
    expect: str
    kind: str = ""
    also: tuple[str, ...] = ()

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset((self.expect, *self.also))

    @property
    def in_scope(self) -> bool:
        return self.expect != NONE and not self.expect.startswith(SMALLTALK_PREFIX)


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case with the matcher's result and whether it counts as correct."""

    case: EvalCase
    result: MatchResult
    correct: bool
    wrong_answer: bool  # an entry answered outright that is not accepted

    @property
    def chosen(self) -> str:
        """What the matcher chose, in the eval file's vocabulary."""
        if self.result.decision is Decision.SMALLTALK:
            return f"{SMALLTALK_PREFIX}{self.result.smalltalk}"
        best = self.result.best
        if best is None:
            return NONE
        return best.entry.id


@dataclass(frozen=True, slots=True)
class KindRow:
    """One line of the per-kind table."""

    kind: str
    total: int
    correct: int
    answered: int
    clarified: int
    rejected: int
    wrong: int


@dataclass(frozen=True)
class EvalReport:
    """All case results and the figures derived from them."""

    results: tuple[CaseResult, ...]
    unknown_ids: tuple[str, ...] = field(default=())

    def _of(self, *, in_scope: bool | None = None, prefix: str | None = None) -> list[CaseResult]:
        rows = list(self.results)
        if in_scope is not None:
            rows = [r for r in rows if r.case.in_scope == in_scope]
        if prefix is not None:
            rows = [r for r in rows if r.case.expect.startswith(prefix)]
        return rows

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def in_scope(self) -> list[CaseResult]:
        return self._of(in_scope=True)

    @property
    def out_of_scope(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.expect == NONE]

    @property
    def smalltalk(self) -> list[CaseResult]:
        return self._of(prefix=SMALLTALK_PREFIX)

    @property
    def accuracy(self) -> float:
        rows = self.in_scope
        return self._share(sum(r.correct for r in rows), len(rows))

    @property
    def wrong_rate(self) -> float:
        rows = self.in_scope
        return self._share(sum(r.wrong_answer for r in rows), len(rows))

    @property
    def clarify_rate(self) -> float:
        rows = self.in_scope
        clarified = sum(r.result.decision is Decision.CLARIFY for r in rows)
        return self._share(clarified, len(rows)) if rows else 0.0

    @property
    def rejection(self) -> float:
        rows = self.out_of_scope
        return self._share(sum(r.correct for r in rows), len(rows))

    @property
    def smalltalk_accuracy(self) -> float:
        rows = self.smalltalk
        return self._share(sum(r.correct for r in rows), len(rows))

    @property
    def misses(self) -> list[CaseResult]:
        return [r for r in self.results if not r.correct]

    def by_kind(self) -> list[KindRow]:
        kinds: dict[str, list[CaseResult]] = {}
        for result in self.results:
            kinds.setdefault(result.case.kind or "-", []).append(result)
        return [
            KindRow(
                kind=kind,
                total=len(rows),
                correct=sum(r.correct for r in rows),
                answered=sum(r.result.decision is Decision.ANSWER for r in rows),
                clarified=sum(r.result.decision is Decision.CLARIFY for r in rows),
                rejected=sum(r.result.decision is Decision.NONE for r in rows),
                wrong=sum(r.wrong_answer for r in rows),
            )
            for kind, rows in kinds.items()
        ]

    def summary(self) -> dict[str, Any]:
        """The headline figures, JSON-ready."""
        return {
            "cases": len(self.results),
            "in_scope": len(self.in_scope),
            "accuracy": round(self.accuracy, 4),
            "wrong_rate": round(self.wrong_rate, 4),
            "clarify_rate": round(self.clarify_rate, 4),
            "out_of_scope": len(self.out_of_scope),
            "rejection": round(self.rejection, 4),
            "smalltalk": len(self.smalltalk),
            "smalltalk_accuracy": round(self.smalltalk_accuracy, 4),
        }

    def lines(self) -> list[str]:
        """A human-readable report: headline figures, the per-kind table, every miss."""
        ins, oos, talk = self.in_scope, self.out_of_scope, self.smalltalk
        out = [
            f"cases: {len(self.results)} ({len(ins)} in scope, {len(oos)} out of scope, "
            f"{len(talk)} small talk)",
            f"in-scope accuracy (right answer, or first choice of a clarify): "
            f"{_pct(self.accuracy)} ({sum(r.correct for r in ins)}/{len(ins)})",
            f"wrong answers: {_pct(self.wrong_rate)} "
            f"({sum(r.wrong_answer for r in ins)}/{len(ins)})",
            f"clarify rate (in scope): {_pct(self.clarify_rate)}",
            f"out-of-scope rejection: {_pct(self.rejection)} "
            f"({sum(r.correct for r in oos)}/{len(oos)})",
            f"small talk recognised: {_pct(self.smalltalk_accuracy)} "
            f"({sum(r.correct for r in talk)}/{len(talk)})",
            "",
            f"{'kind':<14} {'cases':>5} {'correct':>8} {'answer':>7} {'clarify':>8} "
            f"{'none':>5} {'wrong':>6}",
        ]
        for row in self.by_kind():
            out.append(
                f"{row.kind:<14} {row.total:>5} {row.correct:>8} {row.answered:>7} "
                f"{row.clarified:>8} {row.rejected:>5} {row.wrong:>6}"
            )
        misses = self.misses
        out += ["", f"misses: {len(misses)}"]
        for miss in misses:
            case, result = miss.case, miss.result
            ranked = ", ".join(f"{m.entry.id} {m.score:.2f}" for m in result.matches[:3])
            out.append(
                f"- [{case.kind}] {case.text!r}\n    expected {case.expect}, got "
                f"{result.decision.value} -> {miss.chosen}"
                + (f"  (ranked: {ranked})" if ranked else "")
            )
        if self.unknown_ids:
            out += [
                "",
                "expected ids the knowledge base does not have: " + ", ".join(self.unknown_ids),
            ]
        return out


def judge(case: EvalCase, result: MatchResult) -> CaseResult:
    """Score one case."""
    decision = result.decision
    if case.expect == NONE:
        return CaseResult(case, result, decision is Decision.NONE, False)
    if case.expect.startswith(SMALLTALK_PREFIX):
        kind = case.expect[len(SMALLTALK_PREFIX) :]
        correct = decision is Decision.SMALLTALK and result.smalltalk == kind
        return CaseResult(case, result, correct, False)
    best = result.best
    right = best is not None and best.entry.id in case.accepted
    wrong = decision is Decision.ANSWER and not right
    return CaseResult(case, result, right, wrong)


def evaluate(matcher: TfidfMatcher, cases: Iterable[EvalCase]) -> EvalReport:
    """Run every case through ``matcher.match`` (the bot's own path) and score it."""
    cases = tuple(cases)
    known = {entry.id for entry in matcher.entries_}
    unknown = sorted(
        {i for c in cases if c.in_scope for i in c.accepted} - known  # a typo in the eval file
    )
    results = tuple(judge(case, matcher.match(case.text)) for case in cases)
    return EvalReport(results, tuple(unknown))


def cases_from(document: Mapping[str, Any]) -> list[EvalCase]:
    """Cases from a parsed eval file (``cases:`` list of text/expect/kind/also mappings)."""
    raw_cases = document.get("cases")
    if not isinstance(raw_cases, Sequence):
        raise ValueError("the evaluation file needs a top-level 'cases' list")
    cases = []
    for number, raw in enumerate(raw_cases, 1):
        if not isinstance(raw, Mapping) or not raw.get("text") or not raw.get("expect"):
            raise ValueError(f"case {number}: needs 'text' and 'expect'")
        also = raw.get("also") or ()
        cases.append(
            EvalCase(
                text=str(raw["text"]),
                expect=str(raw["expect"]),
                kind=str(raw.get("kind") or ""),
                also=tuple(str(a) for a in also),
            )
        )
    return cases


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"
