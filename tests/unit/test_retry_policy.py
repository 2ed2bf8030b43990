"""The connector retry schedule: exponential backoff with full jitter, Retry-After, caps."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from bot.connector import RetryPolicy, parse_retry_after

POLICY = RetryPolicy()


def test_defaults_keep_a_turn_well_inside_the_channels_15_seconds() -> None:
    assert POLICY.attempts == 4
    assert POLICY.turn_budget <= 10.0
    # Even the longest waits of one call fit the budget with room for the requests.
    longest = sum(POLICY.backoff(retry, 0.999999) for retry in range(1, POLICY.attempts))
    assert longest < POLICY.turn_budget / 2


@pytest.mark.parametrize(("retry", "ceiling"), [(1, 0.25), (2, 0.5), (3, 1.0), (4, 2.0), (9, 2.0)])
def test_backoff_ceiling_doubles_up_to_the_cap(retry: int, ceiling: float) -> None:
    assert POLICY.backoff(retry, 0.0) == 0.0
    assert POLICY.backoff(retry, 0.5) == pytest.approx(ceiling / 2)
    assert POLICY.backoff(retry, 0.999999) == pytest.approx(ceiling, rel=1e-5)
    assert POLICY.backoff(retry, 0.999999) < ceiling


def test_full_jitter_spreads_waits_over_the_whole_window() -> None:
    draws = [POLICY.backoff(3, unit / 100) for unit in range(100)]
    assert min(draws) == 0.0
    assert max(draws) == pytest.approx(0.99)
    assert sorted(draws) == draws


def test_retry_after_replaces_the_backoff_and_is_capped() -> None:
    assert POLICY.delay(1, 0.5, 2.0) == 2.0
    assert POLICY.delay(1, 0.5, 0.0) == 0.0
    assert POLICY.delay(1, 0.5, 3600.0) == POLICY.max_retry_after
    assert POLICY.delay(2, 0.5, None) == POLICY.backoff(2, 0.5)


def test_retried_statuses_are_throttling_and_gateway_errors_only() -> None:
    assert {412, 429, 502, 504} <= POLICY.retry_statuses
    assert not {400, 401, 403, 404, 413, 501} & POLICY.retry_statuses


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), (" 1.5 ", 1.5), ("0", 0.0), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_retry_after_in_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    later = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    assert parse_retry_after(format_datetime(later, usegmt=True), now.timestamp()) == 30.0
    assert parse_retry_after(format_datetime(now, usegmt=True), later.timestamp()) == 0.0
