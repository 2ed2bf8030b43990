"""Fixtures of the report's tests: the shipped knowledge base's matcher and a log builder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATA_DIR
from intents import TfidfMatcher
from intents.build import build_matcher
from tests.report.builders import LogBuilder


@pytest.fixture(scope="session")
def faq_matcher() -> TfidfMatcher:
    """The matcher the bot builds from the shipped ``faq_data/`` (never modified by a test)."""
    return build_matcher(DEFAULT_DATA_DIR)


@pytest.fixture
def question_log(faq_matcher: TfidfMatcher) -> LogBuilder:
    """An empty question log decided by the shipped knowledge base."""
    return LogBuilder(faq_matcher)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped ``faq_data/`` YAML files to apply suggestions to."""
    target = tmp_path / "faq_data"
    target.mkdir()
    for path in DEFAULT_DATA_DIR.glob("*.yaml"):
        (target / path.name).write_bytes(path.read_bytes())
    return target
