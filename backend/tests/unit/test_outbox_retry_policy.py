"""The outbox's back-off: exponential with full jitter, about 2 days of tries, then dead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.domain.outbox import OutboxState, RetryPolicy, may_move

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def longest(low: float, high: float) -> float:
    return high


def shortest(low: float, high: float) -> float:
    return low


def test_the_longest_wait_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=25, base_seconds=30, max_seconds=6 * 3600)
    caps = [policy.cap(n) for n in range(1, 13)]
    assert caps[:10] == [30 * 2**k for k in range(10)]
    assert caps[10:] == [6 * 3600, 6 * 3600]


def test_each_wait_is_drawn_between_zero_and_its_cap() -> None:
    policy = RetryPolicy()
    assert policy.next_attempt(3, NOW, uniform=longest) == NOW + timedelta(seconds=120)
    assert policy.next_attempt(3, NOW, uniform=shortest) == NOW
    for _ in range(200):
        at = policy.next_attempt(3, NOW)
        assert at is not None and NOW <= at <= NOW + timedelta(seconds=120)


def test_the_defaults_keep_trying_for_about_two_days() -> None:
    policy = RetryPolicy()
    assert timedelta(days=1.5) <= policy.expected_span() <= timedelta(days=2.5)
    assert policy.longest_span() <= timedelta(days=4)


def test_a_row_is_dead_once_its_tries_are_spent() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.next_attempt(1, NOW) is not None
    assert policy.next_attempt(2, NOW) is not None
    assert policy.next_attempt(3, NOW) is None


def test_a_permanent_failure_is_dead_at_once() -> None:
    assert RetryPolicy().next_attempt(1, NOW, permanent=True) is None


def test_a_huge_count_of_tries_does_not_overflow_the_cap() -> None:
    assert RetryPolicy(max_attempts=100).cap(99) == RetryPolicy().max_seconds


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (OutboxState.PENDING, OutboxState.DELIVERED, True),
        (OutboxState.PENDING, OutboxState.DEAD, True),
        (OutboxState.DEAD, OutboxState.PENDING, True),
        (OutboxState.DELIVERED, OutboxState.PENDING, False),
        (OutboxState.DEAD, OutboxState.DELIVERED, False),
    ],
)
def test_a_delivered_row_is_final_and_only_a_dead_one_is_retried(
    source: OutboxState, target: OutboxState, allowed: bool
) -> None:
    assert may_move(source, target) is allowed
