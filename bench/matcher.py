"""Matcher speed and memory: ``python -m bench.matcher`` (or ``make bench``).

Measures, in one process:

- index build time on the shipped ``faq_data/``;
- ``TfidfMatcher.match`` latency (p50 / p99 / max) over the development questions, repeated;
- the same on a synthetic knowledge base of 10,000 entries (generated here, seeded, with
  six phrasings and a 60-word answer each, drawn from a 5,000-word vocabulary), queried with
  the development questions and with phrasings of its own entries;
- peak memory (RSS) after each build.

Figures are printed as a Markdown table for the README. Nothing here is asserted: speed is
measured, never tested with timing assertions.
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from intents import FaqEntry, KnowledgeBase, TfidfMatcher
from intents.build import build_matcher
from intents.evaluation import cases_from
from intents.loader import load_faq, load_smalltalk, load_yaml_document

log = logging.getLogger("bench.matcher")

ROOT = Path(__file__).resolve().parents[1]


def _rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _latencies(matcher: TfidfMatcher, questions: Sequence[str], repeat: int) -> list[float]:
    for question in questions:  # warm caches (spelling repair, numpy) before measuring
        matcher.match(question)
    samples = []
    gc.disable()
    try:
        for _ in range(repeat):
            for question in questions:
                start = time.perf_counter()
                matcher.match(question)
                samples.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return samples


def _percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def synthetic_knowledge(entries: int, *, seed: int = 7) -> KnowledgeBase:
    """A seeded knowledge base of ``entries`` made-up entries with realistic shapes."""
    rng = random.Random(seed)
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "pe",
        "da",
        "gu",
        "zi",
        "ber",
        "tor",
    ]
    vocabulary = sorted(
        {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)}
    )[:5000]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like word frequency

    def sentence(n: int) -> str:
        return " ".join(rng.choices(vocabulary, weights=weights, k=n))

    made = []
    for i in range(entries):
        topic = sentence(3)
        made.append(
            FaqEntry(
                id=f"entry-{i}",
                section=f"Section {i % 20}",
                question=f"How do I {topic} {sentence(rng.randint(3, 8))}?",
                answer=sentence(60),
                alternates=tuple(f"{topic} {sentence(rng.randint(2, 6))}" for _ in range(5)),
            )
        )
    return KnowledgeBase(tuple(made))


def run(data_dir: Path, eval_file: Path, repeat: int, synthetic: int) -> list[str]:
    """Run every measurement; returns the report lines."""
    questions = [case.text for case in cases_from(load_yaml_document(eval_file))]
    rows = []

    knowledge = load_faq(data_dir)
    build = min(_timed(lambda: build_matcher(data_dir)) for _ in range(3))
    matcher = build_matcher(data_dir)
    samples = _latencies(matcher, questions, repeat)
    rows.append(("shipped faq_data", len(knowledge), build, samples, _rss_mib()))

    big = synthetic_knowledge(synthetic)
    smalltalk = load_smalltalk()
    start = time.perf_counter()
    big_matcher = TfidfMatcher().fit(big, smalltalk)
    big_build = time.perf_counter() - start
    own = [e.alternates[0] for e in big.entries[: len(questions)]]
    big_samples = _latencies(big_matcher, questions + own, max(1, repeat // 5))
    rows.append((f"synthetic {synthetic:,} entries", len(big), big_build, big_samples, _rss_mib()))

    lines = [
        f"Python {sys.version.split()[0]}, {len(questions)} development questions",
        "",
        "| knowledge base | entries | index build | match p50 | match p99 | max | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, count, seconds, lat, rss in rows:
        lines.append(
            f"| {name} | {count:,} | {seconds * 1000:.0f} ms | "
            f"{_percentile(lat, 0.5) * 1e3:.3f} ms | {_percentile(lat, 0.99) * 1e3:.3f} ms | "
            f"{max(lat) * 1e3:.2f} ms | {rss:.0f} MiB |"
        )
    lines.append("")
    lines.append(
        f"({len(samples):,} and {len(big_samples):,} timed matches; mean "
        f"{statistics.fmean(samples) * 1e3:.3f} ms and "
        f"{statistics.fmean(big_samples) * 1e3:.3f} ms)"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(prog="python -m bench.matcher", description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "faq_data")
    parser.add_argument("--eval", type=Path, default=ROOT / "eval" / "dev_questions.yaml")
    parser.add_argument("--repeat", type=int, default=50, help="passes over the questions")
    parser.add_argument("--synthetic", type=int, default=10_000, help="synthetic entries")
    args = parser.parse_args(argv)
    for line in run(args.data, args.eval, args.repeat, args.synthetic):
        log.info("%s", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
