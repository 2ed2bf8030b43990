"""The FAQ domain: knowledge base model, loading, and matching questions to entries.

Pure Python over scikit-learn. Nothing here imports botbuilder or aiohttp; the only disk I/O
is in :mod:`intents.loader` (and the importer, which writes ``faq_data/``).
"""

from __future__ import annotations

from intents.hygiene import MAX_QUESTION_CHARS, clean_text
from intents.matcher import Explanation, TfidfMatcher, Thresholds
from intents.models import (
    Decision,
    FaqEntry,
    KnowledgeBase,
    Link,
    Match,
    MatchResult,
    OutOfScopeTopic,
    Source,
    SynonymGroup,
)
from intents.smalltalk import SmallTalkDetector

__all__ = [
    "MAX_QUESTION_CHARS",
    "Decision",
    "Explanation",
    "FaqEntry",
    "KnowledgeBase",
    "Link",
    "Match",
    "MatchResult",
    "OutOfScopeTopic",
    "SmallTalkDetector",
    "Source",
    "SynonymGroup",
    "TfidfMatcher",
    "Thresholds",
    "clean_text",
]
