"""The outbox dispatcher: delivers committed notifications, at least once, never from
inside a transaction; and the admin's use cases on the outbox (docs/outbox.md).

One pass: claim due rows under a lease (one statement), deliver each outside any
transaction, record the batch's outcomes (one short transaction). A process that dies between
the claim and the record leaves a leased row, due again once the lease ends: that is the
"at least once". Every delivery of a batch is cut off at 80 % of the lease counted from
the claim, so the batch's outcomes are recorded while the leases still hold and no row is
ever delivered by two dispatchers at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import structlog

from supportdesk.application.outbox import (
    BatchingChannel,
    Delivered,
    DeliveryFailed,
    FailedTry,
    OutboxChannel,
    OutboxItem,
    Outcome,
    ScheduledChannel,
    Untried,
)
from supportdesk.application.ports import Clock, OutboxEntry, OutboxStore
from supportdesk.domain.errors import InvalidTransition, NotFound
from supportdesk.domain.outbox import OutboxState, RetryPolicy

log = structlog.get_logger(__name__)

# last_error is shown to admins; a channel's exception text is cut to this length.
MOST_ERROR = 500


class DeliveryOutcomes(Protocol):
    """Counts deliveries by channel and outcome (delivered, retry, dead, lost_lease)."""

    def count(self, channel: str, outcome: str) -> None: ...


class _Uncounted:
    def count(self, channel: str, outcome: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    lease: timedelta = timedelta(seconds=60)
    batch: int = 50
    # Deliveries in flight at once per dispatcher (each waits on its channel's I/O).
    concurrency: int = 20
    # After a wake-up, wait this long before claiming: the commits of a burst of requests
    # then make one pass of many rows (one claim, one record) instead of one pass each,
    # each taking the database's write turn. Well under the "within a second" promise.
    gather_seconds: float = 0.05


def dispatcher_id() -> str:
    """Who holds a lease: host, process and a random part (a restarted process with the
    same pid is someone else)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Delivers due outbox rows of the channels it has."""

    def __init__(
        self,
        store: OutboxStore,
        channels: Mapping[str, OutboxChannel],
        clock: Clock,
        policy: RetryPolicy,
        settings: DispatchSettings | None = None,
        *,
        outcomes: DeliveryOutcomes | None = None,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.clock = clock
        self.policy = policy
        self.settings = settings or DispatchSettings()
        self.outcomes = outcomes or _Uncounted()
        self.owner = owner or dispatcher_id()
        self._slots = asyncio.Semaphore(self.settings.concurrency)

    async def dispatch_once(self) -> int:
        """Claim one batch of due rows, deliver it and record its outcomes; the number of
        rows claimed."""
        if not self.channels:
            return 0
        now = self.clock.now()
        items = await self.store.claim(
            channels=sorted(self.channels),
            owner=self.owner,
            now=now,
            lease_until=now + self.settings.lease,
            limit=self.settings.batch,
        )
        if not items:
            return 0
        # Every delivery ends by 80 % of the lease from now, whenever its turn came, so the
        # record below still holds every lease.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(self.settings.lease.total_seconds() * 0.8, 1.0)
        async with contextlib.AsyncExitStack() as batches:
            for name in sorted({item.channel for item in items}):
                channel = self.channels[name]
                if isinstance(channel, BatchingChannel):
                    await batches.enter_async_context(channel.batch())
            outcomes = await asyncio.gather(*(self._deliver(item, deadline) for item in items))
        recorded = await self.store.record(outcomes, owner=self.owner, now=self.clock.now())
        for item, outcome in zip(items, outcomes, strict=True):
            if outcome.item_id not in recorded:
                self._lost_lease(item)
            elif isinstance(outcome, Delivered):
                self.outcomes.count(item.channel, "delivered")
            elif isinstance(outcome, FailedTry):
                self._failed(item, outcome)
        return len(items)

    async def run(
        self, wake: asyncio.Event, poll_seconds: float, stop: asyncio.Event | None = None
    ) -> None:
        """Deliver until cancelled or ``stop`` is set (set ``wake`` too, to stop at once):
        soon after ``wake`` is set (a commit in this process wrote rows; the dispatcher
        waits ``gather_seconds`` for the rest of a burst), else every ``poll_seconds``
        (rows written by other processes, and retries that came due). A full batch is
        followed by the next one straight away. Stopping lets the deliveries in flight
        finish and record their outcome."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            # A library that turns the cancellation into an error of its own (a mail
            # connection cut mid-command, a query cut off) must not keep a stopped
            # dispatcher polling: the shutdown would wait on it for ever.
            _stop_if_cancelled()
            try:
                claimed = await self.dispatch_once()
            except Exception:
                # Stopped mid-query: the database layer reports the cut-off query as an
                # outage, but this is the shutdown, not a failure to retry.
                _stop_if_cancelled()
                # The database away for a moment: try again at the next poll.
                log.exception("outbox_dispatch_failed")
                claimed = 0
            if claimed >= self.settings.batch or stop.is_set():
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await wake.wait()
            if wake.is_set() and not stop.is_set() and self.settings.gather_seconds > 0:
                await asyncio.sleep(self.settings.gather_seconds)
            wake.clear()

    async def _deliver(self, item: OutboxItem, deadline: float) -> Outcome:
        async with self._slots:
            channel = self.channels[item.channel]
            # Cut off before the lease ends: past it, another dispatcher may take the row.
            limit = deadline - asyncio.get_running_loop().time()
            if limit <= 0:
                # Its turn came too late in a slow batch: given back untried.
                return Untried(item.id)
            try:
                async with asyncio.timeout(limit):
                    await channel.deliver(item)
            except Exception as exc:
                # Cut short by the shutdown: not a failed try. The row is due again when
                # its lease ends.
                _stop_if_cancelled()
                reason, permanent, progress = _failure(exc, limit)
                tries = item.attempts + 1
                schedule = (
                    channel.retry_schedule if isinstance(channel, ScheduledChannel) else self.policy
                )
                retry_at = schedule.next_attempt(tries, self.clock.now(), permanent=permanent)
                return FailedTry(item.id, tries, retry_at, reason[:MOST_ERROR], progress)
            return Delivered(item.id)

    def _failed(self, item: OutboxItem, failure: FailedTry) -> None:
        outcome = "retry" if failure.retry_at else "dead"
        self.outcomes.count(item.channel, outcome)
        log.warning(
            "outbox_delivery_failed",
            outbox_id=item.id,
            channel=item.channel,
            event_type=item.event.type,
            tries=failure.attempts,
            outcome=outcome,
            retry_at=failure.retry_at.isoformat() if failure.retry_at else None,
            error=failure.error,
        )

    def _lost_lease(self, item: OutboxItem) -> None:
        # The delivery outran its lease and another dispatcher took the row: it will deliver
        # it again (the channel's stable id lets the receiver tell).
        self.outcomes.count(item.channel, "lost_lease")
        log.warning("outbox_lease_lost", outbox_id=item.id, channel=item.channel)


class OutboxService:
    """What admins do with the outbox: look, and send a dead notification again."""

    def __init__(self, store: OutboxStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def retry(self, item_id: int) -> OutboxEntry:
        """Only a dead row is retried: it is pending again, due now, with a fresh count of
        tries (the admin fixed the cause, so it gets the whole schedule again)."""
        entry = await self.store.get(item_id)
        if entry is None:
            raise NotFound("no such outbox item")
        if OutboxState(entry.state) is not OutboxState.DEAD:
            raise InvalidTransition(f"only a dead item is retried; this one is {entry.state}")
        requeued = await self.store.requeue(item_id, now=self.clock.now())
        if requeued is None:  # another admin's retry was first
            raise InvalidTransition("this item is no longer dead")
        return requeued


def _stop_if_cancelled() -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _failure(exc: Exception, limit: float) -> tuple[str, bool, dict[str, object] | None]:
    """What a failed try records: the reason, whether it is final, the channel's progress."""
    if isinstance(exc, DeliveryFailed):
        return exc.reason, exc.permanent, exc.progress
    if isinstance(exc, TimeoutError):
        return f"no answer within {limit:.0f} s", False, None
    # A channel's bug or an unexpected fault: a failed try.
    return f"{type(exc).__name__}: {exc}", False, None
