"""RecentActivities: the bounded, expiring memory of activity ids that stops double answers."""

from __future__ import annotations

import pytest

from bot.dedup import DEFAULT_MAX_SIZE, DEFAULT_TTL_SECONDS, RecentActivities


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_an_id_is_new_once_then_a_repeat(clock: FakeClock) -> None:
    recent = RecentActivities(clock=clock)

    assert recent.first_sighting("conv-1", "act-1")
    assert not recent.first_sighting("conv-1", "act-1")
    assert not recent.first_sighting("conv-1", "act-1")


def test_the_same_id_in_another_conversation_is_another_activity(clock: FakeClock) -> None:
    recent = RecentActivities(clock=clock)

    assert recent.first_sighting("conv-1", "act-1")
    assert recent.first_sighting("conv-2", "act-1")
    assert recent.first_sighting("conv-1", "act-2")


def test_an_id_is_forgotten_after_the_ttl(clock: FakeClock) -> None:
    recent = RecentActivities(ttl=60, clock=clock)
    recent.first_sighting("conv", "act")

    clock.now += 59.9
    assert not recent.first_sighting("conv", "act")  # a repeat does not extend the window
    clock.now += 0.1
    assert recent.first_sighting("conv", "act")


def test_expired_ids_are_dropped_not_kept(clock: FakeClock) -> None:
    recent = RecentActivities(ttl=10, clock=clock)
    for number in range(100):
        recent.first_sighting("conv", f"act-{number}")
    assert len(recent) == 100

    clock.now += 10
    recent.first_sighting("conv", "late")

    assert len(recent) == 1


def test_size_is_bounded_and_the_oldest_goes_first(clock: FakeClock) -> None:
    recent = RecentActivities(max_size=3, clock=clock)
    for name in ("a", "b", "c", "d"):
        clock.now += 1
        assert recent.first_sighting("conv", name)

    assert len(recent) == 3
    assert recent.first_sighting("conv", "a")  # forgotten early to make room
    assert not recent.first_sighting("conv", "d")


def test_defaults_cover_teams_retries_with_a_bounded_memory() -> None:
    recent = RecentActivities()

    assert recent.ttl == DEFAULT_TTL_SECONDS >= 60
    assert recent.max_size == DEFAULT_MAX_SIZE


@pytest.mark.parametrize(("ttl", "max_size"), [(0, 10), (-1, 10), (10, 0)])
def test_a_memory_that_keeps_nothing_is_refused(ttl: float, max_size: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        RecentActivities(ttl=ttl, max_size=max_size)
