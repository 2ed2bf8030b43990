"""Build a ready matcher from a ``faq_data/`` directory: the one recipe the bot and CLI share."""

from __future__ import annotations

from pathlib import Path

from intents.loader import load_faq, load_smalltalk
from intents.matcher import TfidfMatcher, Thresholds


def build_matcher(data_dir: Path, thresholds: Thresholds | None = None) -> TfidfMatcher:
    """Load the knowledge base and the small-talk phrases, and fit a matcher on them.

    Raises :class:`intents.loader.FaqDataError` listing every problem of the data.
    """
    knowledge = load_faq(data_dir)
    return TfidfMatcher(thresholds=thresholds).fit(knowledge, load_smalltalk())
