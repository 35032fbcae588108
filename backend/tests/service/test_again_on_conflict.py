"""A change nobody made against a version runs again when a concurrent writer got there
first, a bounded number of times."""

from __future__ import annotations

import pytest

from supportdesk.application.conflicts import again_on_conflict
from supportdesk.domain.errors import VersionConflict


def conflicting(times: int) -> tuple[list[int], object]:
    tries: list[int] = []

    async def work() -> str:
        tries.append(1)
        if len(tries) <= times:
            raise VersionConflict("changed by someone else")
        return "written"

    return tries, work


async def test_work_that_conflicts_a_few_times_is_applied_to_what_the_others_left() -> None:
    tries, work = conflicting(times=2)
    assert await again_on_conflict(work) == "written"  # type: ignore[arg-type]
    assert len(tries) == 3


async def test_work_that_keeps_conflicting_gives_up_with_the_conflict() -> None:
    tries, work = conflicting(times=100)
    with pytest.raises(VersionConflict):
        await again_on_conflict(work, attempts=4)  # type: ignore[arg-type]
    assert len(tries) == 4
