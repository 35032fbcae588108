"""The read side of live updates, as the stream route needs it: history events after a
sequence number, as the caller may see them (SQL in ``infrastructure/db/live_feed.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from supportdesk.domain.access import Actor
from supportdesk.domain.events import Event


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One history event on its way to a stream."""

    seq: int
    event: Event
    # The changed case's or refund's version when the event was read (the events table
    # keeps no version): what a client compares with the copy it holds.
    version: int | None
    # Who made the change, for staff to read in a toast; None for customers, who are not
    # told staff members' names anywhere else either.
    actor_name: str | None


class LiveFeed(Protocol):
    async def last_seq(self) -> int:
        """Where a new stream starts: after everything already written."""
        ...

    async def after(self, actor: Actor, seq: int, *, limit: int) -> tuple[list[LiveEvent], bool]:
        """Events above ``seq`` that ``actor`` may see, oldest first, and whether ``limit``
        rows were read (so that more may follow)."""
        ...
