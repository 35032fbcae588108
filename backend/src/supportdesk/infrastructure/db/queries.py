"""Read side: filtered, keyset-paged lists and history, straight from the tables."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.domain.access import Actor
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.errors import ValidationFailed
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.messages import Message
from supportdesk.domain.refunds import Refund
from supportdesk.infrastructure.db.mapping import case_from_record, refund_from_record
from supportdesk.infrastructure.db.models import (
    EventRecord,
    MessageRecord,
    RefundRecord,
    SupportCaseRecord,
)

T = TypeVar("T")
SORTS = ("created_at", "-created_at", "updated_at", "-updated_at")
INTERNAL_EVENT_TYPES = ("internal_note_added",)


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: Sequence[str] = ()
    priority: str | None = None
    category: str | None = None
    assignee_id: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    q: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: str = "-created_at"


@dataclass(frozen=True, slots=True)
class RefundFilters:
    status: Sequence[str] = ()
    order_id: str | None = None
    customer_id: str | None = None
    support_case_id: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: str = "-created_at"


@dataclass(slots=True)
class PageOf(Generic[T]):
    items: list[T]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(value: datetime, row_id: str) -> str:
    raw = json.dumps([value.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, row_id = json.loads(raw)
        return datetime.fromisoformat(value), str(row_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed(
            "the cursor is not one this service gave out", field="cursor"
        ) from None


def _keyset(
    query: Select[Any],
    sort_column: Any,
    id_column: Any,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    descending = sort.startswith("-")
    if cursor:
        value, row_id = decode_cursor(cursor)
        key = tuple_(sort_column, id_column)
        query = query.where(key < (value, row_id) if descending else key > (value, row_id))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    return query.order_by(*order).limit(limit + 1)


def _scope(actor: Actor, customer_column: Any) -> list[ColumnElement[bool]]:
    """A customer's lists hold only their own rows, whatever filters they send."""
    return [] if actor.is_staff else [customer_column == actor.customer_id]


class ReadQueries:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def cases(
        self, actor: Actor, filters: CaseFilters, *, limit: int, cursor: str | None
    ) -> PageOf[tuple[SupportCase, list[Refund]]]:
        c = SupportCaseRecord
        conditions = _scope(actor, c.customer_id)
        if filters.status:
            conditions.append(c.status.in_(filters.status))
        for column, value in (
            (c.priority, filters.priority),
            (c.category, filters.category),
            (c.assignee_id, filters.assignee_id),
            (c.customer_id, filters.customer_id),
            (c.order_id, filters.order_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if filters.created_after:
            conditions.append(c.created_at >= filters.created_after)
        if filters.created_before:
            conditions.append(c.created_at < filters.created_before)
        sort_column = c.updated_at if filters.sort.endswith("updated_at") else c.created_at
        async with self._sessions() as session:
            if filters.q:
                conditions.extend(await _text_search(session, filters.q))
            query = _keyset(
                select(c).where(*conditions), sort_column, c.id, filters.sort, cursor, limit
            )
            records = list(await session.scalars(query))
            page, next_cursor = _cut(records, limit, sort_column.key)
            refunds = await self._refunds_of_cases(session, [r.id for r in page])
        return PageOf(
            items=[(case_from_record(r), refunds.get(r.id, [])) for r in page],
            next_cursor=next_cursor,
        )

    async def refunds(
        self, actor: Actor, filters: RefundFilters, *, limit: int, cursor: str | None
    ) -> PageOf[Refund]:
        r = RefundRecord
        conditions = _scope(actor, r.customer_id)
        if filters.status:
            conditions.append(r.status.in_(filters.status))
        for column, value in (
            (r.order_id, filters.order_id),
            (r.customer_id, filters.customer_id),
            (r.support_case_id, filters.support_case_id),
        ):
            if value is not None:
                conditions.append(column == value)
        if filters.created_after:
            conditions.append(r.created_at >= filters.created_after)
        if filters.created_before:
            conditions.append(r.created_at < filters.created_before)
        sort_column = r.updated_at if filters.sort.endswith("updated_at") else r.created_at
        query = _keyset(
            select(r).where(*conditions), sort_column, r.id, filters.sort, cursor, limit
        )
        async with self._sessions() as session:
            records = list(await session.scalars(query))
        page, next_cursor = _cut(records, limit, sort_column.key)
        return PageOf(
            items=[refund_from_record(record) for record in page], next_cursor=next_cursor
        )

    async def messages(self, case_id: str, *, include_internal: bool) -> list[Message]:
        m = MessageRecord
        query = select(m).where(m.case_id == case_id).order_by(m.seq)
        if not include_internal:
            query = query.where(m.internal.is_(False))
        async with self._sessions() as session:
            records = await session.scalars(query)
            return [
                Message(
                    id=x.id,
                    case_id=x.case_id,
                    author_id=x.author_id,
                    author_role=x.author_role,
                    body=x.body,
                    internal=x.internal,
                    created_at=x.created_at,
                )
                for x in records
            ]

    async def history(
        self,
        *,
        case_id: str | None = None,
        refund_id: str | None = None,
        include_internal: bool,
    ) -> list[Event]:
        """A case's history holds its refunds' events too, in the order they happened."""
        e = EventRecord
        query = select(e).order_by(e.seq)
        query = (
            query.where(e.case_id == case_id) if case_id else query.where(e.entity_id == refund_id)
        )
        if not include_internal:
            query = query.where(e.type.not_in(INTERNAL_EVENT_TYPES))
        async with self._sessions() as session:
            records = await session.scalars(query)
            return [
                Event(
                    id=x.id,
                    at=x.at,
                    actor_id=x.actor_id,
                    actor_role=x.actor_role,
                    entity=EntityKind(x.entity),
                    entity_id=x.entity_id,
                    case_id=x.case_id,
                    type=x.type,
                    from_status=x.from_status,
                    to_status=x.to_status,
                    note=x.note,
                )
                for x in records
            ]

    @staticmethod
    async def _refunds_of_cases(
        session: AsyncSession, case_ids: list[str]
    ) -> dict[str, list[Refund]]:
        if not case_ids:
            return {}
        records = await session.scalars(
            select(RefundRecord)
            .where(RefundRecord.support_case_id.in_(case_ids))
            .order_by(RefundRecord.created_at)
        )
        by_case: dict[str, list[Refund]] = {}
        for record in records:
            by_case.setdefault(record.support_case_id, []).append(refund_from_record(record))
        return by_case


def _cut(records: list[Any], limit: int, sort_key: str) -> tuple[list[Any], str | None]:
    if len(records) <= limit:
        return records, None
    page = records[:limit]
    last = page[-1]
    return page, encode_cursor(getattr(last, sort_key), last.id)


# SQLite: a text found in few cases is fetched by rowid from the full-text candidates; one
# found in many is left to the sort index, where a match comes every few rows. Fetching m
# candidates costs ~m, walking ~N/m, so the crossover grows as sqrt(N), up to this cap.
FTS_CANDIDATE_LIMIT = 3000


async def _text_search(session: AsyncSession, q: str) -> list[ColumnElement[bool]]:
    """``q`` matches cases whose subject or description contains it, ignoring case.

    The ILIKE below is the rule on both databases. PostgreSQL answers it from the pg_trgm
    indexes (migration 0002). SQLite asks its trigram FTS5 table (3+ characters, a trigram's
    length) how many candidates there are, counting no further than the cap; the ILIKE
    still decides, so both ways give exactly what a plain scan would.
    """
    c = SupportCaseRecord
    pattern = f"%{_escape_like(q)}%"
    conditions: list[ColumnElement[bool]] = [
        or_(c.subject.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\"))
    ]
    if session.get_bind().dialect.name == "sqlite" and len(q) >= 3:
        phrase = _trigrams(q)
        matching = "FROM support_cases_fts WHERE support_cases_fts MATCH :phrase"
        # A bounded probe of the candidates, not a count of the result.
        found, rows = (
            await session.execute(
                text(
                    f"SELECT (SELECT count(*) FROM (SELECT 1 {matching} LIMIT :cap)), "
                    "(SELECT max(rowid) FROM support_cases)"
                ),
                {"phrase": phrase, "cap": FTS_CANDIDATE_LIMIT + 1},
            )
        ).one()
        few = min(FTS_CANDIDATE_LIMIT, max(100, int(3 * math.sqrt(rows or 0))))
        if found <= few:
            conditions.append(
                literal_column("support_cases.rowid").in_(
                    select(literal_column("rowid"))
                    .select_from(table("support_cases_fts"))
                    .where(text("support_cases_fts MATCH :phrase").bindparams(phrase=phrase))
                )
            )
    return conditions


def _trigrams(q: str) -> str:
    """An FTS5 query for rows holding every trigram of ``q``: the rows holding ``q`` and a few
    more, which the ILIKE drops. Cheaper than the phrase, which also matches positions."""
    grams = sorted({q[i : i + 3].lower() for i in range(len(q) - 2)})
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True, slots=True)
class Stats:
    cases_by_status: dict[str, int]
    refunds_by_status: dict[str, int]
    refunded_totals: dict[str, int]
    settled_totals: dict[str, int]
    median_seconds_to_final_30d: float | None
    refunds_per_day: list[tuple[str, int]]


async def overview_stats(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Stats:
    """Counts by status, money refunded and settled per currency, and how long refunds take
    from request to a final state over the last 30 days."""
    from datetime import timedelta
    from statistics import median

    from sqlalchemy import func

    c, r = SupportCaseRecord, RefundRecord
    since = now - timedelta(days=30)
    async with sessions() as session:
        cases = dict(
            (await session.execute(select(c.status, func.count()).group_by(c.status))).all()
        )
        refunds = dict(
            (await session.execute(select(r.status, func.count()).group_by(r.status))).all()
        )
        refunded = dict(
            (
                await session.execute(
                    select(r.currency, func.sum(r.total_amount))
                    .where(r.status == "refunded")
                    .group_by(r.currency)
                )
            ).all()
        )
        settled_rows = await session.execute(
            select(r.currency, r.settlement).where(r.status == "settled")
        )
        settled: dict[str, int] = {}
        for currency, settlement in settled_rows:
            settled[currency] = settled.get(currency, 0) + int((settlement or {}).get("amount", 0))
        durations = [
            (final_at - created_at).total_seconds()
            for created_at, final_at in await session.execute(
                select(r.created_at, r.final_at).where(r.final_at.is_not(None), r.final_at >= since)
            )
            if final_at is not None
        ]
        created = await session.scalars(select(r.created_at).where(r.created_at >= since))
        per_day: dict[str, int] = {}
        for at in created:
            day = at.date().isoformat()
            per_day[day] = per_day.get(day, 0) + 1
    return Stats(
        cases_by_status={k: int(v) for k, v in cases.items()},
        refunds_by_status={k: int(v) for k, v in refunds.items()},
        refunded_totals={k: int(v or 0) for k, v in refunded.items()},
        settled_totals=settled,
        median_seconds_to_final_30d=median(durations) if durations else None,
        refunds_per_day=sorted(per_day.items()),
    )
