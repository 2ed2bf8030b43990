"""Command line: ``python -m intents ask|eval|import``.

- ``ask "question" [--explain] [--json]``: what the bot would decide, with ranked entries;
- ``eval FILE.yaml [--min-accuracy X]``: answer quality on a labelled set;
- ``import PAGE.md``: (re)import a Partner Site FAQ page into ``faq_data/``.

``ask`` and ``eval`` go through :func:`intents.build.build_matcher` and
:meth:`TfidfMatcher.match`, the same path the bot uses.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from intents.build import build_matcher
from intents.evaluation import cases_from, evaluate
from intents.importer import import_page
from intents.loader import FaqDataError, load_yaml_document
from intents.matcher import Explanation, TfidfMatcher, Thresholds
from intents.models import MatchResult

log = logging.getLogger("intents")

DEFAULT_DATA_DIR = Path("faq_data")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except FaqDataError as error:
        log.error("%s", error)
        return 2
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m intents", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="command")

    ask = commands.add_parser("ask", help="match one question, as the bot would")
    ask.add_argument("question")
    ask.add_argument("--explain", action="store_true", help="show which terms carried the score")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    _matcher_options(ask)
    ask.set_defaults(run=_ask)

    ev = commands.add_parser("eval", help="answer quality on a labelled question set")
    ev.add_argument("file", type=Path)
    ev.add_argument(
        "--min-accuracy",
        type=float,
        default=None,
        metavar="X",
        help="exit 1 when in-scope accuracy is below X (0..1)",
    )
    ev.add_argument(
        "--min-rejection",
        type=float,
        default=None,
        metavar="X",
        help="exit 1 when out-of-scope rejection is below X (0..1)",
    )
    ev.add_argument(
        "--max-wrong",
        type=float,
        default=None,
        metavar="X",
        help="exit 1 when the share of wrong answers is above X (0..1)",
    )
    ev.add_argument("--json", action="store_true", help="print the headline figures as JSON")
    _matcher_options(ev)
    ev.set_defaults(run=_eval)

    imp = commands.add_parser("import", help="import a Partner Site FAQ page into faq_data/")
    imp.add_argument("page", type=Path)
    imp.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="default: faq_data")
    imp.set_defaults(run=_import)
    return parser


def _matcher_options(parser: argparse.ArgumentParser) -> None:
    defaults = Thresholds()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="default: faq_data")
    parser.add_argument("--answer-threshold", type=float, default=defaults.answer)
    parser.add_argument("--margin", type=float, default=defaults.margin)
    parser.add_argument("--clarify-threshold", type=float, default=defaults.clarify)


def _matcher(args: argparse.Namespace) -> TfidfMatcher:
    thresholds = Thresholds(
        answer=args.answer_threshold, margin=args.margin, clarify=args.clarify_threshold
    )
    return build_matcher(args.data, thresholds)


def _emit(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _ask(args: argparse.Namespace) -> int:
    matcher = _matcher(args)
    result = matcher.match(args.question)
    explanations = (
        [matcher.explain(args.question, m.entry.id) for m in result.matches[:3]]
        if args.explain
        else []
    )
    if args.json:
        payload = _result_json(result)
        if args.explain:
            payload["explain"] = [_explanation_json(e) for e in explanations if e]
        _emit(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    _emit(f"question: {result.text!r}")
    _emit(
        f"decision: {result.decision.value}"
        + (f" ({result.smalltalk})" if result.smalltalk else "")
    )
    if result.out_of_scope:
        _emit(f"out of scope: closer to {result.out_of_scope!r} (faq_data/out_of_scope.yaml)")
    chosen = {m.entry.id for m in result.candidates}
    for rank, match in enumerate(result.matches, 1):
        mark = "*" if match.entry.id in chosen else " "
        _emit(f" {mark}{rank}. {match.score:.3f}  {match.entry.id:<28} {match.entry.question}")
    for explanation in explanations:
        if explanation is not None:
            _emit()
            _emit_explanation(explanation)
    topic = matcher.closest_out_of_scope(args.question) if args.explain else None
    if topic is not None:
        _emit()
        _emit(f"closest out-of-scope topic: {topic.topic_id}: confidence {topic.confidence:.3f}")
        _emit(f"  closest phrasing: {topic.closest_phrasing!r}")
    return 0


def _emit_explanation(e: Explanation) -> None:
    _emit(
        f"{e.entry_id}: confidence {e.confidence:.3f} = similarity {e.similarity:.3f} "
        f"x coverage {e.coverage:.3f}"
    )
    _emit(f"  closest phrasing: {e.best_phrasing!r}")
    for term in sorted(e.terms, key=lambda t: -t.weight):
        notes = [
            "in entry" if term.in_entry else ("not in entry" if term.known else "unknown word"),
        ]
        if term.corrected:
            notes.append("spelling repaired")
        shown = term.surface if term.surface == term.term else f"{term.surface} -> {term.term}"
        _emit(f"  {100 * term.weight:5.1f}%  {shown:<36} {', '.join(notes)}")


def _result_json(result: MatchResult) -> dict[str, object]:
    return {
        "question": result.text,
        "decision": result.decision.value,
        "smalltalk": result.smalltalk,
        "out_of_scope": result.out_of_scope,
        "candidates": [m.entry.id for m in result.candidates],
        "matches": [
            {"id": m.entry.id, "score": m.score, "question": m.entry.question}
            for m in result.matches
        ],
    }


def _explanation_json(e: Explanation) -> dict[str, object]:
    return {
        "id": e.entry_id,
        "confidence": round(e.confidence, 4),
        "similarity": round(e.similarity, 4),
        "coverage": round(e.coverage, 4),
        "closest_phrasing": e.best_phrasing,
        "terms": [
            {
                "typed": t.surface,
                "term": t.term,
                "weight": round(t.weight, 4),
                "in_entry": t.in_entry,
                "known": t.known,
                "corrected": t.corrected,
            }
            for t in e.terms
        ],
    }


def _eval(args: argparse.Namespace) -> int:
    cases = cases_from(load_yaml_document(args.file))
    report = evaluate(_matcher(args), cases)
    if args.json:
        _emit(json.dumps(report.summary(), indent=2))
    else:
        for line in report.lines():
            _emit(line)
    if report.unknown_ids:
        log.error("the evaluation file expects ids the knowledge base lacks")
        return 2
    failed = []
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        failed.append(f"accuracy {report.accuracy:.3f} < {args.min_accuracy}")
    if args.min_rejection is not None and report.rejection < args.min_rejection:
        failed.append(f"rejection {report.rejection:.3f} < {args.min_rejection}")
    if args.max_wrong is not None and report.wrong_rate > args.max_wrong:
        failed.append(f"wrong answers {report.wrong_rate:.3f} > {args.max_wrong}")
    for failure in failed:
        log.error("below the bar: %s", failure)
    return 1 if failed else 0


def _import(args: argparse.Namespace) -> int:
    report = import_page(args.page, args.data)
    for line in report.lines():
        _emit(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
