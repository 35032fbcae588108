"""The outbox table: rows written with the events of a change, and the dispatcher's store.

Writing: ``outbox_rows`` is called by ``_append_events`` (repositories.py), so every change
that records history writes its notifications in the same transaction, one row per event
per channel the unit of work was given (none when notifications are off).

Claiming: due rows are leased in one statement, an UPDATE of ``lease_owner``/``lease_until``
whose rows a ``SELECT … FOR UPDATE SKIP LOCKED`` subquery picks, RETURNING them. On
PostgreSQL concurrent dispatchers skip each other's locked rows; on SQLite the clause is
dropped and the write transaction's single lock (BEGIN IMMEDIATE) serialises claims. The
lease is what keeps a row from a second dispatcher after the claim's transaction ended, for
as long as a delivery may take.

Recording: a batch's outcomes are written in one transaction (``record``), not one per row.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.application.outbox import Delivered, FailedTry, OutboxItem, Outcome, Untried
from supportdesk.application.ports import OutboxEntry, OutboxHealth
from supportdesk.application.reads import PageOf, decode_cursor, encode_cursor
from supportdesk.application.writeback import ORDER_SYSTEM_CHANNEL
from supportdesk.domain.errors import InvalidCursor
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.outbox import OutboxState
from supportdesk.domain.refunds import tells_order_system
from supportdesk.domain.webhooks import announced_type, subscribed
from supportdesk.infrastructure.db import direct_writes
from supportdesk.infrastructure.db.models import EventRecord, OutboxRecord, WebhookEndpointRecord
from supportdesk.infrastructure.logging import mask_text

# Set on a session by the unit of work: the channels to write rows for. Set by
# ``outbox_rows``: that this transaction wrote rows (the unit of work wakes the dispatcher
# after it commits).
CHANNELS = "outbox_channels"
WROTE = "outbox_written"

_O: Table = OutboxRecord.__table__  # type: ignore[assignment]
_E = EventRecord.__table__
_W = WebhookEndpointRecord.__table__
_ACTIVE_ENDPOINTS = select(_W.c.id, _W.c.event_types).where(_W.c.active.is_(True)).order_by(_W.c.id)
# The channel whose rows are one per subscribed endpoint (``target``), not one per event.
WEBHOOKS_CHANNEL = "webhooks"
# Channels that mean something by a few kinds of event only get rows for those: a row per
# event for the order system would be a no-op delivery for all but refunds paid back.
_ONLY_FOR: dict[str, Callable[[Event], bool]] = {ORDER_SYSTEM_CHANNEL: tells_order_system}
# The admin list's cursor names the sort it was given out for, like the other lists'.
_SORT = "-created_at"
_INSERT = insert(_O)


async def outbox_rows(session: AsyncSession, events: Sequence[Event]) -> None:
    """One row per event per channel, in one statement: a Core INSERT of the table, whose
    compiled form is cached, executed with every row's parameters at once. (A multi-row
    ``VALUES`` list, or the ORM's bulk insert, was compiled anew per change: measured on
    SQLite it cost about twice as much per transaction.)

    The webhooks channel gets one row per endpoint that wants the event instead, so each
    endpoint's delivery has its own tries: one failing endpoint does not hold up, nor
    re-send to, the others."""
    channels: tuple[str, ...] = session.info.get(CHANNELS, ())
    if not channels or not events:
        return
    rows: list[dict[str, Any]] = []
    for channel in channels:
        if channel == WEBHOOKS_CHANNEL:
            targets = await _webhook_targets(session, events)
        else:
            wants = _ONLY_FOR.get(channel)
            targets = [(event, "") for event in events if wants is None or wants(event)]
        rows.extend(_row(event, channel, target) for event, target in targets)
    if not rows:
        return
    await direct_writes.insert(session, _INSERT, rows)
    session.info[WROTE] = True


def _row(event: Event, channel: str, target: str) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "channel": channel,
        "target": target,
        "case_id": event.case_id,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": event.at,
        "progress": {},
        "created_at": event.at,
    }


async def _webhook_targets(
    session: AsyncSession, events: Sequence[Event]
) -> list[tuple[Event, str]]:
    """(event, endpoint id) for every active endpoint subscribed to what the event
    announces. Read in the change's own transaction: an endpoint added after it commits
    hears only of later events."""
    announced = [(event, kind) for event in events if (kind := announced_type(event))]
    if not announced:
        return []
    endpoints = await direct_writes.select_rows(session, _ACTIVE_ENDPOINTS)
    return [
        (event, endpoint.id)
        for event, kind in announced
        for endpoint in endpoints
        if subscribed(endpoint.event_types or [], kind)
    ]


@contextlib.asynccontextmanager
async def write_transaction(
    writes: async_sessionmaker[AsyncSession], lock: asyncio.Lock | None
) -> AsyncIterator[AsyncSession]:
    """A short write transaction outside a unit of work, in the process's SQLite write
    turn (``lock``) like every unit of work."""
    async with contextlib.AsyncExitStack() as stack:
        if lock is not None:
            await stack.enter_async_context(lock)
        session = await stack.enter_async_context(writes())
        await stack.enter_async_context(session.begin())
        yield session


class ShortTransactions:
    """A store whose every method is one short transaction of its own, outside a unit of
    work; writes take the process's SQLite write turn like every unit of work."""

    def __init__(
        self,
        writes: async_sessionmaker[AsyncSession],
        reads: async_sessionmaker[AsyncSession],
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self._writes = writes
        self._reads = reads
        self._lock = write_lock

    def _writing(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        return write_transaction(self._writes, self._lock)


class SqlOutboxStore(ShortTransactions):
    """The dispatcher's and the admins' view of the outbox."""

    async def claim(
        self,
        *,
        channels: Sequence[str],
        owner: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
    ) -> list[OutboxItem]:
        free = (_O.c.lease_until.is_(None)) | (_O.c.lease_until < now)
        due = [
            _O.c.state == OutboxState.PENDING.value,
            _O.c.next_attempt_at <= now,
            _O.c.channel.in_(list(channels)),
            free,
        ]
        # Look first without writing: a dispatcher that polls an empty outbox must not take
        # the write lock each time (on SQLite that queues every request behind it, and
        # waits out another process's write on the event loop).
        async with self._reads() as session:
            anything_due = await session.scalar(select(_O.c.id).where(*due).limit(1))
        if anything_due is None:
            return []
        # One statement: UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
        # RETURNING. The outer WHERE repeats the conditions: on PostgreSQL a row another
        # dispatcher leased between the subquery's snapshot and our lock is re-checked and
        # left alone.
        picked = (
            select(_O.c.id)
            .where(*due)
            .order_by(_O.c.next_attempt_at, _O.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._writing() as session:
            leased = list(
                await session.execute(
                    update(_O)
                    .where(_O.c.id.in_(picked), *due)
                    .values(lease_owner=owner, lease_until=lease_until)
                    .returning(
                        _O.c.id,
                        _O.c.channel,
                        _O.c.target,
                        _O.c.attempts,
                        _O.c.progress,
                        _O.c.event_id,
                        _O.c.next_attempt_at,
                    )
                )
            )
        if not leased:
            return []
        # The events are read after the write transaction ended: they never change, and
        # on SQLite every statement less inside it is time the write lock is free.
        async with self._reads() as session:
            events = {
                row._mapping[_E.c.id]: _event(row)
                for row in await session.execute(
                    select(_E).where(_E.c.id.in_([row.event_id for row in leased]))
                )
            }
        # RETURNING gives rows in no promised order: the longest due first, as claimed.
        leased.sort(key=lambda row: (_aware(row.next_attempt_at), row.id))
        return [
            OutboxItem(
                id=row.id,
                channel=row.channel,
                target=row.target,
                attempts=row.attempts,
                progress=dict(row.progress or {}),
                event=events[row.event_id],
            )
            for row in leased
        ]

    async def record(self, outcomes: Sequence[Outcome], *, owner: str, now: datetime) -> set[int]:
        """One transaction for a whole batch: one UPDATE for the delivered rows, one for
        the untried, one per failed try (each has its own error and schedule; failures are
        the rare case). Each touches only rows this owner still holds."""
        delivered = [o.item_id for o in outcomes if isinstance(o, Delivered)]
        untried = [o.item_id for o in outcomes if isinstance(o, Untried)]
        failed = [o for o in outcomes if isinstance(o, FailedTry)]
        if not outcomes:
            return set()
        held = [_O.c.lease_owner == owner, _O.c.state == OutboxState.PENDING.value]
        recorded: set[int] = set()
        async with self._writing() as session:
            if delivered:
                recorded.update(
                    await session.scalars(
                        update(_O)
                        .where(_O.c.id.in_(delivered), *held)
                        .values(
                            state=OutboxState.DELIVERED.value,
                            delivered_at=now,
                            attempts=_O.c.attempts + 1,
                            lease_owner=None,
                            lease_until=None,
                        )
                        .returning(_O.c.id)
                    )
                )
            if untried:
                recorded.update(
                    await session.scalars(
                        update(_O)
                        .where(_O.c.id.in_(untried), *held)
                        .values(lease_owner=None, lease_until=None)
                        .returning(_O.c.id)
                    )
                )
            for outcome in failed:
                recorded.update(
                    await session.scalars(
                        update(_O)
                        .where(_O.c.id == outcome.item_id, *held)
                        .values(_failed_values(outcome))
                        .returning(_O.c.id)
                    )
                )
        return recorded

    async def delivered(self, item_id: int, *, owner: str, now: datetime) -> bool:
        return item_id in await self.record([Delivered(item_id)], owner=owner, now=now)

    async def failed(
        self,
        item_id: int,
        *,
        owner: str,
        attempts: int,
        retry_at: datetime | None,
        error: str,
        progress: dict[str, Any] | None,
    ) -> bool:
        outcome = FailedTry(item_id, attempts, retry_at, error, progress)
        return item_id in await self.record([outcome], owner=owner, now=datetime.now(UTC))

    async def get(self, item_id: int) -> OutboxEntry | None:
        async with self._reads() as session:
            row = (await session.execute(_entries().where(_O.c.id == item_id))).first()
        return _entry(row) if row else None

    async def requeue(self, item_id: int, *, now: datetime) -> OutboxEntry | None:
        async with self._writing() as session:
            result = await session.execute(
                update(_O)
                .where(_O.c.id == item_id, _O.c.state == OutboxState.DEAD.value)
                .values(
                    state=OutboxState.PENDING.value,
                    attempts=0,
                    next_attempt_at=now,
                    lease_owner=None,
                    lease_until=None,
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = (await session.execute(_entries().where(_O.c.id == item_id))).first()
        return _entry(row) if row else None

    async def page(
        self,
        *,
        state: OutboxState | None,
        channel: str | None,
        limit: int,
        cursor: str | None,
    ) -> PageOf[OutboxEntry]:
        """Newest first (by id: rows are numbered as they are written)."""
        query = _entries()
        if state is not None:
            query = query.where(_O.c.state == state.value)
        if channel is not None:
            query = query.where(_O.c.channel == channel)
        if cursor:
            _, after = decode_cursor(cursor, _SORT)
            if not after.isdigit() or len(after) > 18:
                raise InvalidCursor("the cursor is not one this service gave out", field="cursor")
            query = query.where(_O.c.id < int(after))
        async with self._reads() as session:
            rows = list(await session.execute(query.order_by(_O.c.id.desc()).limit(limit + 1)))
        entries = [_entry(row) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = entries[-1]
            next_cursor = encode_cursor(_SORT, last.created_at, str(last.id))
        return PageOf(items=entries, next_cursor=next_cursor)

    async def health(self, *, now: datetime) -> OutboxHealth:
        pending = _O.c.state == OutboxState.PENDING.value
        async with self._reads() as session:
            depth = {
                channel: count
                for channel, count in await session.execute(
                    select(_O.c.channel, func.count()).where(pending).group_by(_O.c.channel)
                )
            }
            oldest_pending = await session.scalar(select(func.min(_O.c.created_at)).where(pending))
            oldest_untaken = await session.scalar(
                select(func.min(_O.c.next_attempt_at)).where(
                    pending,
                    _O.c.next_attempt_at <= now,
                    (_O.c.lease_until.is_(None)) | (_O.c.lease_until < now),
                )
            )
        return OutboxHealth(
            depth=depth,
            oldest_pending_at=_aware(oldest_pending),
            oldest_untaken_due_at=_aware(oldest_untaken),
        )


def _failed_values(outcome: FailedTry) -> dict[str, Any]:
    values: dict[str, Any] = {
        "attempts": outcome.attempts,
        # An error text may quote a URL with its password or a token: masked as logs are.
        "last_error": mask_text(outcome.error),
        "lease_owner": None,
        "lease_until": None,
    }
    if outcome.retry_at is None:
        values["state"] = OutboxState.DEAD.value
    else:
        values["next_attempt_at"] = outcome.retry_at
    if outcome.progress is not None:
        values["progress"] = outcome.progress
    return values


def _aware(value: Any) -> datetime | None:
    """Aggregates bypass the column type: SQLite hands back text or a naive time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    moment: datetime = value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entries() -> Any:
    return select(
        _O.c.id,
        _O.c.event_id,
        _E.c.type.label("event_type"),
        _O.c.case_id,
        _O.c.channel,
        _O.c.state,
        _O.c.attempts,
        _O.c.last_error,
        _O.c.next_attempt_at,
        _O.c.created_at,
        _O.c.delivered_at,
    ).join(_E, _E.c.id == _O.c.event_id)


def _entry(row: Row[Any]) -> OutboxEntry:
    return OutboxEntry(**row._mapping)


def _event(row: Row[Any]) -> Event:
    x = row._mapping
    return Event(
        id=x[_E.c.id],
        at=x[_E.c.at],
        actor_id=x[_E.c.actor_id],
        actor_role=x[_E.c.actor_role],
        entity=EntityKind(x[_E.c.entity]),
        entity_id=x[_E.c.entity_id],
        case_id=x[_E.c.case_id],
        type=x[_E.c.type],
        from_status=x[_E.c.from_status],
        to_status=x[_E.c.to_status],
        note=x[_E.c.note],
        note_public=x[_E.c.note_public],
    )
