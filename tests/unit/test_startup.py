"""Start-up: settings and FAQ data are checked together and reported in one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import StartupError, prepare
from intents import Decision

GOOD_FAQ = """
source:
  title: Build a Successful Practice FAQs
  published: 2019-10-29
entries:
  - id: request-sme
    section: Resources
    question: How do I request a technical expert?
    answer: Use the [SME request](https://aka.ms/FRPHubSMERequestProcess).
    links:
      - title: Request an SME
        url: https://aka.ms/FRPHubSMERequestProcess
        kind: sme-request
  - id: manage-engagements
    section: Resources
    question: Where do I manage my customer engagements?
    answer: In FTOP.
"""
BROKEN_FAQ = """
entries:
  - id: Not Kebab
    section: Resources
    question: How?
"""


def test_valid_environment_and_data_give_settings_and_a_fitted_matcher(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(GOOD_FAQ, encoding="utf-8")

    settings, matcher = prepare({"FAQ_DATA_DIR": str(tmp_path), "FAQ_ANSWER_THRESHOLD": "0.55"})

    assert tmp_path == settings.FAQ_DATA_DIR
    assert matcher.thresholds.answer == 0.55
    assert [entry.id for entry in matcher.entries_] == ["request-sme", "manage-engagements"]
    assert matcher.match("hello").decision is Decision.SMALLTALK  # small talk is loaded too


def test_settings_and_data_problems_come_in_one_error(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(BROKEN_FAQ, encoding="utf-8")

    with pytest.raises(StartupError) as caught:
        prepare(
            {
                "FAQ_DATA_DIR": str(tmp_path),
                "MicrosoftAppType": "SingleTenant",
                "FAQ_ANSWER_THRESHOLD": "abc",
            }
        )

    message = str(caught.value)
    assert message.startswith("The FAQ bot cannot start: ")
    assert "FAQ_ANSWER_THRESHOLD='abc' is not a number" in message
    assert "MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant" in message
    assert "FAQ data: faq.yaml entry 0" in message
    assert "missing 'answer'" in message
    assert "not kebab-case" in message
    assert len(caught.value.problems) == message.count("\n- ")


def test_missing_data_directory_is_a_startup_problem(tmp_path: Path) -> None:
    with pytest.raises(StartupError) as caught:
        prepare({"FAQ_DATA_DIR": str(tmp_path / "nowhere")})

    assert "no *.yaml files found" in str(caught.value)
