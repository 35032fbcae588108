"""The outbox table: rows written with the events of a change, and the dispatcher's store.

Writing: ``outbox_rows`` is called by ``_append_events`` (repositories.py), so every change
that records history writes its notifications in the same transaction, one row per event
per channel the unit of work was given (none when notifications are off).

Claiming: due rows are leased with ``SELECT … FOR UPDATE SKIP LOCKED`` and a conditional
UPDATE of ``lease_owner``/``lease_until``. On PostgreSQL concurrent dispatchers skip each
other's locked rows; on SQLite the clause is dropped and the write transaction's single
lock (BEGIN IMMEDIATE) serialises claims. The lease is what keeps a row from a second
dispatcher after the claim's transaction ended, for as long as a delivery may take.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.application.outbox import OutboxItem
from supportdesk.application.ports import OutboxEntry, OutboxHealth
from supportdesk.application.reads import PageOf, decode_cursor, encode_cursor
from supportdesk.domain.errors import InvalidCursor
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.outbox import OutboxState
from supportdesk.infrastructure.db.models import EventRecord, OutboxRecord
from supportdesk.infrastructure.logging import mask_text

# Set on a session by the unit of work: the channels to write rows for. Set by
# ``outbox_rows``: that this transaction wrote rows (the unit of work wakes the dispatcher
# after it commits).
CHANNELS = "outbox_channels"
WROTE = "outbox_written"

_O: Table = OutboxRecord.__table__  # type: ignore[assignment]
_E = EventRecord.__table__
# The admin list's cursor names the sort it was given out for, like the other lists'.
_SORT = "-created_at"
_INSERT = insert(_O)


async def outbox_rows(session: AsyncSession, events: Sequence[Event]) -> None:
    """One row per event per channel, in one statement: a Core INSERT of the table, whose
    compiled form is cached, executed with every row's parameters at once. (A multi-row
    ``VALUES`` list, or the ORM's bulk insert, was compiled anew per change: measured on
    SQLite it cost about twice as much per transaction.)"""
    channels: tuple[str, ...] = session.info.get(CHANNELS, ())
    if not channels or not events:
        return
    await session.execute(
        _INSERT,
        [
            {
                "event_id": event.id,
                "channel": channel,
                "case_id": event.case_id,
                "state": OutboxState.PENDING.value,
                "attempts": 0,
                "next_attempt_at": event.at,
                "progress": {},
                "created_at": event.at,
            }
            for event in events
            for channel in channels
        ],
    )
    session.info[WROTE] = True


class SqlOutboxStore:
    """The dispatcher's and the admins' view of the outbox. Each method is one short
    transaction; writes take the process's SQLite write turn like every unit of work."""

    def __init__(
        self,
        writes: async_sessionmaker[AsyncSession],
        reads: async_sessionmaker[AsyncSession],
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self._writes = writes
        self._reads = reads
        self._lock = write_lock

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if self._lock is not None:
                await stack.enter_async_context(self._lock)
            session = await stack.enter_async_context(self._writes())
            await stack.enter_async_context(session.begin())
            yield session

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
        async with self._writing() as session:
            ids = list(
                await session.scalars(
                    select(_O.c.id)
                    .where(*due)
                    .order_by(_O.c.next_attempt_at, _O.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            await session.execute(
                update(_O)
                .where(_O.c.id.in_(ids), *due)
                .values(lease_owner=owner, lease_until=lease_until)
            )
            rows = await session.execute(
                select(_O.c.id, _O.c.channel, _O.c.attempts, _O.c.progress, _E)
                .join(_E, _E.c.id == _O.c.event_id)
                .where(_O.c.id.in_(ids), _O.c.lease_owner == owner)
                .order_by(_O.c.next_attempt_at, _O.c.id)
            )
            items = [
                OutboxItem(
                    id=row[0],
                    channel=row[1],
                    attempts=row[2],
                    progress=dict(row[3] or {}),
                    event=_event(row),
                )
                for row in rows
            ]
        return items

    async def delivered(self, item_id: int, *, owner: str, now: datetime) -> bool:
        async with self._writing() as session:
            result = await session.execute(
                update(_O)
                .where(
                    _O.c.id == item_id,
                    _O.c.lease_owner == owner,
                    _O.c.state == OutboxState.PENDING.value,
                )
                .values(
                    state=OutboxState.DELIVERED.value,
                    delivered_at=now,
                    attempts=_O.c.attempts + 1,
                    lease_owner=None,
                    lease_until=None,
                )
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

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
        values: dict[str, Any] = {
            "attempts": attempts,
            # An error text may quote a URL with its password or a token: masked as logs are.
            "last_error": mask_text(error),
            "lease_owner": None,
            "lease_until": None,
        }
        if retry_at is None:
            values["state"] = OutboxState.DEAD.value
        else:
            values["next_attempt_at"] = retry_at
        if progress is not None:
            values["progress"] = progress
        async with self._writing() as session:
            result = await session.execute(
                update(_O)
                .where(
                    _O.c.id == item_id,
                    _O.c.lease_owner == owner,
                    _O.c.state == OutboxState.PENDING.value,
                )
                .values(values)
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

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
