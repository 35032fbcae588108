"""Changes nobody made against a version they saw run again when a concurrent writer got
there first.

A message, a refund request or a payment event changes a case or a refund as it finds it.
On PostgreSQL two of them on one case at once both read version N; the second one's
conditional UPDATE finds N + 1 and conflicts. Nothing of it was written (the unit of work
rolls back whole), and nothing a client saw is stale, so the right answer is to apply it
again to what the first one left, as SQLite's single writer would have. Where a client sent
``If-Match``, the conflict is the answer instead (409 ``version_conflict``). Messages and
refund requests also lock the case's row before reading it (``CaseRepository.lock``), so
among themselves they queue; running again covers the writers that do not lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from supportdesk.domain.errors import VersionConflict

T = TypeVar("T")

# Each conflict means another writer committed; a handful of people on one case at once is
# the most a case sees.
ATTEMPTS = 5


async def again_on_conflict(work: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """``work`` (one whole unit of work) again while it conflicts, ``attempts`` times at most."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except VersionConflict:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
