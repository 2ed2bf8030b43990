"""Shared fixtures only; shared values live in tests/samples.py and tests/activities.py."""

from __future__ import annotations

import pytest

from intents import TfidfMatcher
from tests.samples import KNOWLEDGE, smalltalk


@pytest.fixture(scope="session")
def matcher() -> TfidfMatcher:
    """A matcher with the default thresholds, fitted on the sample knowledge base.

    Session-scoped: a fitted matcher is never modified, and fitting is the slow part.
    """
    return TfidfMatcher().fit(KNOWLEDGE, smalltalk())
