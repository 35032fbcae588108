"""A notification's life in the outbox: when it is tried again, and when it is given up.

Plain rules, no I/O: the dispatcher asks them after each try, the admin's retry asks them
before it moves a row. The row itself lives in the database (``outbox``); its state moves
only along ``OUTBOX_TRANSITIONS``, each move a conditional UPDATE on the state read.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OutboxState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


# pending -> pending is a failed try scheduled again; dead -> pending is an admin's retry.
# ``delivered`` is final.
OUTBOX_TRANSITIONS: frozenset[tuple[OutboxState, OutboxState]] = frozenset(
    {
        (OutboxState.PENDING, OutboxState.PENDING),
        (OutboxState.PENDING, OutboxState.DELIVERED),
        (OutboxState.PENDING, OutboxState.DEAD),
        (OutboxState.DEAD, OutboxState.PENDING),
    }
)


def may_move(source: OutboxState, target: OutboxState) -> bool:
    return (source, target) in OUTBOX_TRANSITIONS


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off with full jitter (AWS Architecture Blog, "Exponential Backoff
    And Jitter"): after the n-th failed try the next one comes after a random time between 0
    and ``min(max_delay, base * 2**(n-1))``. Full jitter spreads the retries of many rows
    that failed together (a mail server that was down) instead of sending them back in
    waves. The defaults (30 s, capped at 6 h, 25 tries) keep trying for about 2 days."""

    max_attempts: int = 25
    base_seconds: float = 30.0
    max_seconds: float = 6 * 3600.0

    def cap(self, failed_tries: int) -> float:
        """The longest wait after ``failed_tries`` failures (1 for the first)."""
        exponent = min(failed_tries - 1, 60)  # 2**60 * base is past any cap already
        return float(min(self.max_seconds, self.base_seconds * 2**exponent))

    def next_attempt(
        self,
        failed_tries: int,
        now: datetime,
        *,
        permanent: bool = False,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> datetime | None:
        """When to try again after ``failed_tries`` failures, or None: give up (dead)."""
        if permanent or failed_tries >= self.max_attempts:
            return None
        return now + timedelta(seconds=uniform(0.0, self.cap(failed_tries)))

    def longest_span(self) -> timedelta:
        """From the first try to the last, if every wait were the longest."""
        return timedelta(seconds=sum(self.cap(n) for n in range(1, self.max_attempts)))

    def expected_span(self) -> timedelta:
        """From the first try to the last on average (a full-jitter wait averages half its
        cap)."""
        return self.longest_span() / 2
