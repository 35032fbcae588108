"""Webhook endpoints, their tries, and their deliveries (the outbox rows of channel
``webhooks``, one per endpoint per event: see ``outbox_rows``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.application.reads import PageOf, decode_cursor, encode_cursor
from supportdesk.application.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from supportdesk.domain.access import Role
from supportdesk.domain.errors import InvalidCursor
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.notifications import Person
from supportdesk.domain.outbox import OutboxState
from supportdesk.domain.webhooks import SigningSecrets, announced_type, delivery_state
from supportdesk.infrastructure.db.models import (
    EventRecord,
    OutboxRecord,
    UserRecord,
    WebhookAttemptRecord,
    WebhookEndpointRecord,
)
from supportdesk.infrastructure.db.outbox import WEBHOOKS_CHANNEL, ShortTransactions
from supportdesk.infrastructure.logging import mask_text

_W: Table = WebhookEndpointRecord.__table__  # type: ignore[assignment]
_A: Table = WebhookAttemptRecord.__table__  # type: ignore[assignment]
_O: Table = OutboxRecord.__table__  # type: ignore[assignment]
_E: Table = EventRecord.__table__  # type: ignore[assignment]
_SORT = "-created_at"


async def active_admins(reads: async_sessionmaker[AsyncSession]) -> list[Person]:
    """Whom a notice about the service itself goes to."""
    async with reads() as session:
        rows = await session.execute(
            select(UserRecord.id, UserRecord.email, UserRecord.name)
            .where(UserRecord.role == Role.ADMIN.value, UserRecord.active.is_(True))
            .order_by(UserRecord.id)
        )
        return [Person(row.id, row.email, row.name) for row in rows]


class SqlWebhookStore(ShortTransactions):
    """Endpoints, their tries and their deliveries."""

    async def add(self, endpoint: WebhookEndpoint) -> None:
        async with self._writing() as session:
            await session.execute(insert(_W).values(**_values(endpoint)))

    async def get(self, endpoint_id: str) -> WebhookEndpoint | None:
        async with self._reads() as session:
            row = (await session.execute(select(_W).where(_W.c.id == endpoint_id))).first()
        return _endpoint(row) if row else None

    async def all(self) -> list[WebhookEndpoint]:
        async with self._reads() as session:
            rows = await session.execute(select(_W).order_by(_W.c.created_at, _W.c.id))
            return [_endpoint(row) for row in rows]

    async def save(self, endpoint: WebhookEndpoint) -> None:
        values = _values(endpoint)
        del values["id"], values["created_at"]
        async with self._writing() as session:
            await session.execute(update(_W).where(_W.c.id == endpoint.id).values(**values))

    async def delete(self, endpoint_id: str) -> bool:
        """The endpoint and what is still queued for it go; its log stays until then too
        (a deleted endpoint's log is nobody's to read, so it goes with it)."""
        async with self._writing() as session:
            gone = await session.execute(delete(_W).where(_W.c.id == endpoint_id))
            if gone.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await session.execute(
                delete(_O).where(_O.c.channel == WEBHOOKS_CHANNEL, _O.c.target == endpoint_id)
            )
            await session.execute(delete(_A).where(_A.c.endpoint_id == endpoint_id))
        return True

    async def disable(self, endpoint_id: str, reason: str, now: datetime) -> bool:
        async with self._writing() as session:
            result = await session.execute(
                update(_W)
                .where(_W.c.id == endpoint_id, _W.c.active.is_(True))
                .values(active=False, disabled_reason=reason, updated_at=now)
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def log_attempt(self, attempt: WebhookAttempt) -> None:
        async with self._writing() as session:
            await session.execute(
                insert(_A).values(
                    outbox_id=attempt.outbox_id,
                    endpoint_id=attempt.endpoint_id,
                    attempt=attempt.attempt,
                    delivered=attempt.delivered,
                    status_code=attempt.status_code,
                    latency_ms=attempt.latency_ms,
                    response_excerpt=attempt.response_excerpt,
                    error=mask_text(attempt.error) if attempt.error else None,
                    at=attempt.at,
                )
            )

    async def deliveries(
        self, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> PageOf[WebhookDelivery]:
        """Newest first (by id: rows are numbered as they are written)."""
        query = _deliveries().where(_O.c.target == endpoint_id)
        if cursor:
            _, after = decode_cursor(cursor, _SORT)
            if not after.isdigit() or len(after) > 18:
                raise InvalidCursor("the cursor is not one this service gave out", field="cursor")
            query = query.where(_O.c.id < int(after))
        async with self._reads() as session:
            rows = list(await session.execute(query.order_by(_O.c.id.desc()).limit(limit + 1)))
            last_tries = await _last_tries(session, [row.id for row in rows[:limit]])
        items = [_delivery(row, last_tries.get(row.id)) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor(_SORT, last.created_at, str(last.id))
        return PageOf(items=items, next_cursor=next_cursor)

    async def delivery(self, endpoint_id: str, delivery_id: int) -> WebhookDelivery | None:
        query = _deliveries().where(_O.c.target == endpoint_id, _O.c.id == delivery_id)
        async with self._reads() as session:
            row = (await session.execute(query)).first()
            if row is None:
                return None
            last_tries = await _last_tries(session, [row.id])
        return _delivery(row, last_tries.get(row.id))

    async def send_again(self, delivery_id: int, now: datetime) -> int | None:
        """Queue a delivery again, due now with the whole schedule of tries: a dead or
        failing row moves back to pending; a delivered one stays as it was (final) and a
        new row, with the same event and body, is queued beside it. The new row's id, or
        None when the row is being tried right now or is queued already."""
        free = (_O.c.lease_until.is_(None)) | (_O.c.lease_until < now)
        async with self._writing() as session:
            row = (
                await session.execute(
                    select(_O).where(_O.c.id == delivery_id, _O.c.channel == WEBHOOKS_CHANNEL)
                )
            ).first()
            if row is None:
                return None
            if row.state != OutboxState.DELIVERED.value:
                moved = await session.execute(
                    update(_O)
                    .where(_O.c.id == delivery_id, _O.c.state == row.state, free)
                    .values(
                        state=OutboxState.PENDING.value,
                        attempts=0,
                        next_attempt_at=now,
                        lease_owner=None,
                        lease_until=None,
                    )
                )
                return delivery_id if moved.rowcount == 1 else None  # type: ignore[attr-defined]
            queued = await session.scalar(
                select(_O.c.id).where(
                    _O.c.event_id == row.event_id,
                    _O.c.channel == WEBHOOKS_CHANNEL,
                    _O.c.target == row.target,
                    _O.c.state != OutboxState.DELIVERED.value,
                )
            )
            if queued is not None:
                return None
            queued_again: int | None = await session.scalar(
                insert(_O)
                .values(
                    event_id=row.event_id,
                    channel=WEBHOOKS_CHANNEL,
                    target=row.target,
                    case_id=row.case_id,
                    state=OutboxState.PENDING.value,
                    attempts=0,
                    next_attempt_at=now,
                    # The body already sent: a receiver that dedupes by webhook-id sees
                    # the same message.
                    progress={"body": (row.progress or {}).get("body")}
                    if (row.progress or {}).get("body")
                    else {},
                    created_at=now,
                )
                .returning(_O.c.id)
            )
            return queued_again


def _values(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
        "secret": endpoint.secrets.current,
        "previous_secret": endpoint.secrets.previous,
        "previous_secret_until": endpoint.secrets.previous_until,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def _endpoint(row: Row[Any]) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=tuple(row.event_types or ()),
        active=row.active,
        secrets=SigningSecrets(
            current=row.secret,
            previous=row.previous_secret,
            previous_until=row.previous_secret_until,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        disabled_reason=row.disabled_reason,
    )


def _deliveries() -> Any:
    return (
        select(
            _O.c.id,
            _O.c.target,
            _O.c.event_id,
            _O.c.state,
            _O.c.attempts,
            _O.c.last_error,
            _O.c.next_attempt_at,
            _O.c.created_at,
            _E.c.entity,
            _E.c.type,
            _E.c.from_status,
            _E.c.to_status,
        )
        .join(_E, _E.c.id == _O.c.event_id)
        .where(_O.c.channel == WEBHOOKS_CHANNEL)
    )


async def _last_tries(session: AsyncSession, outbox_ids: Sequence[int]) -> dict[int, Row[Any]]:
    if not outbox_ids:
        return {}
    rows = await session.execute(
        select(_A).where(_A.c.outbox_id.in_(list(outbox_ids))).order_by(_A.c.id)
    )
    return {row.outbox_id: row for row in rows}  # the last of each wins


def _delivery(row: Row[Any], last: Row[Any] | None) -> WebhookDelivery:
    event = Event(
        id=row.event_id,
        at=row.created_at,
        actor_id="",
        actor_role="",
        entity=EntityKind(row.entity),
        entity_id="",
        case_id="",
        type=row.type,
        from_status=row.from_status,
        to_status=row.to_status,
        note=None,
    )
    pending = row.state == OutboxState.PENDING.value
    return WebhookDelivery(
        id=row.id,
        endpoint_id=row.target,
        event_id=row.event_id,
        event_type=announced_type(event) or row.type,
        state=delivery_state(row.state, row.attempts),
        attempt=row.attempts,
        at=last.at if last is not None else row.created_at,
        next_attempt_at=row.next_attempt_at if pending else None,
        status_code=last.status_code if last is not None else None,
        latency_ms=last.latency_ms if last is not None else None,
        response_excerpt=last.response_excerpt if last is not None else None,
        error=(last.error if last is not None else None) or row.last_error,
    )
