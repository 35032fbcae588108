"""The outbox's ports: what the dispatcher hands a channel, and how a channel says it failed.

A change writes one outbox row per history event per channel in its own transaction; the
dispatcher delivers due rows after commit. A channel decides at delivery what an event means
for it (which mails, to whom); an event that means nothing to it is delivered by doing
nothing. Delivery is at least once: a channel makes each thing it sends identifiable by a
stable id (a mail's ``Message-ID``) and records in ``progress`` what it has already done.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from supportdesk.domain.events import Event


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    channel: str
    event: Event
    attempts: int  # tries made before this one
    progress: dict[str, Any] = field(default_factory=dict)
    # Whom the row is for within its channel (a webhook endpoint), "" when the channel
    # finds its recipients itself.
    target: str = ""


class DeliveryFailed(Exception):
    """This try did not deliver. ``permanent`` failures are not retried (the row goes dead
    at once); ``progress`` replaces the row's progress so that the next try does the rest."""

    def __init__(
        self, reason: str, *, permanent: bool = False, progress: dict[str, Any] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.progress = progress


class OutboxChannel(Protocol):
    name: str

    async def deliver(self, item: OutboxItem) -> None:
        """Deliver the item or raise DeliveryFailed; any other exception is a failed try."""
        ...


@dataclass(frozen=True, slots=True)
class Delivered:
    """The channel delivered the item."""

    item_id: int


@dataclass(frozen=True, slots=True)
class FailedTry:
    """The channel failed: due again at ``retry_at``, or dead when it is None."""

    item_id: int
    attempts: int
    retry_at: datetime | None
    error: str
    progress: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Untried:
    """Not tried: the batch ran out of lease time before this item's turn. The lease is
    given back, the count of tries is not touched, so the row is due again at once."""

    item_id: int


Outcome = Delivered | FailedTry | Untried


class RetrySchedule(Protocol):
    def next_attempt(
        self, failed_tries: int, now: datetime, *, permanent: bool = False
    ) -> datetime | None: ...


@runtime_checkable
class ScheduledChannel(Protocol):
    """A channel with a schedule of its own (webhooks try for three days on a fixed
    schedule); the others follow the dispatcher's policy."""

    retry_schedule: RetrySchedule


@runtime_checkable
class BatchingChannel(Protocol):
    """A channel that shares something across one batch (the email channel: its SMTP
    connections). The dispatcher delivers a batch's items of this channel inside
    ``batch()``, each still with its own outcome."""

    def batch(self) -> AbstractAsyncContextManager[None]: ...
