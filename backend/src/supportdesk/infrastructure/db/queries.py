"""Read side: filtered, keyset-paged lists and history, straight from the tables."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import TextClause

from supportdesk.domain.access import Actor
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.errors import InvalidCursor
from supportdesk.domain.events import INTERNAL_EVENT_TYPES, EntityKind, Event
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


def encode_cursor(sort: str, value: datetime, row_id: str) -> str:
    """Where the next page starts: the sort it was given out for, and the last row's sort
    value and id."""
    raw = json.dumps([sort, value.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None = None) -> tuple[datetime, str]:
    """The position a cursor of ours names. Anything else, or a cursor given out for another
    sort than ``sort``, is refused with ``InvalidCursor``: whatever garbage it holds, it never
    reaches a query."""
    refused = InvalidCursor("the cursor is not one this service gave out", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        given_for, value, row_id = json.loads(raw)
        at = datetime.fromisoformat(value)
        at.astimezone(UTC)  # an offset that takes it out of range
    except (ValueError, TypeError, OverflowError, binascii.Error, RecursionError):
        raise refused from None
    valid = (
        given_for in SORTS
        and at.tzinfo is not None
        and isinstance(row_id, str)
        and 0 < len(row_id) <= 64
        and row_id.isascii()
        and row_id.isprintable()
    )
    if not valid:
        raise refused
    if sort is not None and given_for != sort:
        raise InvalidCursor(
            f"the cursor was given out for sort={given_for}, not sort={sort}", field="cursor"
        )
    return at, row_id


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
        value, row_id = decode_cursor(cursor, sort)
        key = tuple_(sort_column, id_column)
        query = query.where(key < (value, row_id) if descending else key > (value, row_id))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    return query.order_by(*order).limit(limit + 1)


def _filtered(
    actor: Actor,
    record: type[SupportCaseRecord] | type[RefundRecord],
    statuses: Sequence[str],
    created_after: datetime | None,
    created_before: datetime | None,
    *,
    equal: list[tuple[Any, str | None]],
) -> list[ColumnElement[bool]]:
    """The list filters as conditions. A customer's lists hold only their own rows,
    whatever filters they send."""
    conditions: list[ColumnElement[bool]] = []
    if not actor.is_staff:
        conditions.append(record.customer_id == actor.customer_id)
    if statuses:
        conditions.append(record.status.in_(statuses))
    conditions.extend(column == value for column, value in equal if value is not None)
    if created_after:
        conditions.append(record.created_at >= created_after)
    if created_before:
        conditions.append(record.created_at < created_before)
    return conditions


class ReadQueries:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def cases(
        self, actor: Actor, filters: CaseFilters, *, limit: int, cursor: str | None
    ) -> PageOf[tuple[SupportCase, list[Refund]]]:
        c = SupportCaseRecord
        conditions = _filtered(
            actor,
            c,
            filters.status,
            filters.created_after,
            filters.created_before,
            equal=[
                (c.priority, filters.priority),
                (c.category, filters.category),
                (c.assignee_id, filters.assignee_id),
                (c.customer_id, filters.customer_id),
                (c.order_id, filters.order_id),
            ],
        )
        sort_column = c.updated_at if filters.sort.endswith("updated_at") else c.created_at
        async with self._sessions() as session:
            if filters.q:
                conditions.extend(await _text_search(session, filters.q))
            # Rows of the table, not ORM instances: see repositories.py.
            query = _keyset(
                select(c.__table__).where(*conditions),
                sort_column,
                c.id,
                filters.sort,
                cursor,
                limit,
            )
            records = list(await session.execute(query))
            page, next_cursor = _cut(records, limit, filters.sort, sort_column.key)
            refunds = await self._refunds_of_cases(session, [r.id for r in page])
        return PageOf(
            items=[(case_from_record(r), refunds.get(r.id, [])) for r in page],
            next_cursor=next_cursor,
        )

    async def refunds(
        self, actor: Actor, filters: RefundFilters, *, limit: int, cursor: str | None
    ) -> PageOf[Refund]:
        r = RefundRecord
        conditions = _filtered(
            actor,
            r,
            filters.status,
            filters.created_after,
            filters.created_before,
            equal=[
                (r.order_id, filters.order_id),
                (r.customer_id, filters.customer_id),
                (r.support_case_id, filters.support_case_id),
            ],
        )
        sort_column = r.updated_at if filters.sort.endswith("updated_at") else r.created_at
        query = _keyset(
            select(r).where(*conditions), sort_column, r.id, filters.sort, cursor, limit
        )
        async with self._sessions() as session:
            records = list(await session.scalars(query))
        page, next_cursor = _cut(records, limit, filters.sort, sort_column.key)
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
        """A case's history holds its refunds' events too, in the order they happened.
        Without ``include_internal`` it is a customer's view: what each event shows them is
        the domain's rule (``Event.for_customer``)."""
        e = EventRecord
        query = select(e).order_by(e.seq)
        query = (
            query.where(e.case_id == case_id) if case_id else query.where(e.entity_id == refund_id)
        )
        if not include_internal:
            query = query.where(e.type.not_in(INTERNAL_EVENT_TYPES))
        async with self._sessions() as session:
            records = await session.scalars(query)
            events = [
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
                    note_public=x.note_public,
                )
                for x in records
            ]
        if include_internal:
            return events
        return [seen for seen in (event.for_customer() for event in events) if seen is not None]

    async def stats(self, now: datetime) -> Stats:
        """The overview's figures as of ``now`` (see ``overview_stats``)."""
        return await overview_stats(self._sessions, now)

    @staticmethod
    async def _refunds_of_cases(
        session: AsyncSession, case_ids: list[str]
    ) -> dict[str, list[Refund]]:
        if not case_ids:
            return {}
        refunds = RefundRecord.__table__  # rows, not ORM instances: see repositories.py
        records = await session.execute(
            select(refunds)
            .where(refunds.c.support_case_id.in_(case_ids))
            .order_by(refunds.c.created_at)
        )
        by_case: dict[str, list[Refund]] = {}
        for record in records:
            by_case.setdefault(record.support_case_id, []).append(refund_from_record(record))
        return by_case


def _cut(records: list[Any], limit: int, sort: str, sort_key: str) -> tuple[list[Any], str | None]:
    if len(records) <= limit:
        return records, None
    page = records[:limit]
    last = page[-1]
    return page, encode_cursor(sort, getattr(last, sort_key), last.id)


# SQLite: a text found in few cases is fetched by rowid from the full-text candidates; one
# found in many is left to the sort index, where a match comes every few rows. Fetching m
# candidates costs ~m, walking ~N/m, so the crossover grows as sqrt(N), up to this cap.
FTS_CANDIDATE_LIMIT = 3000
# How many of ``q``'s trigrams are counted (spread over ``q``), and how many of the rarest
# make up the candidate query / the index condition.
PROBED_TRIGRAMS = 8
RARE_TRIGRAMS = 3
# SQLite: a trigram is rare when it is in at most this many rows (and few ones, below). Each
# trigram is counted no further, so a common one costs this many entries, not its list.
RARE_TRIGRAM_ROWS = 300
# PostgreSQL's list of common trigrams (migration 0003's statistics), re-read this often.
TRIGRAM_STATS_SECONDS = 300.0
_common_trigrams_of: dict[str, tuple[float, frozenset[str] | None]] = {}
# SQLite: the last size of support_cases seen per database (see _sqlite_candidates).
_sqlite_rows_of: dict[str, int] = {}


async def _text_search(session: AsyncSession, q: str) -> list[ColumnElement[bool]]:
    """``q`` matches cases whose subject or description contains it, ignoring case.

    That rule (a case-insensitive LIKE) is checked on every row returned, on both
    databases, so whatever narrows the rows first only has to keep every match: the answer
    is exactly what a plain scan gives. What narrows them is a trigram index (migration
    0002), asked about the *rare* trigrams of ``q`` only: a trigram found in most cases
    (``the``) costs a read through its long list and filters nothing.

    - SQLite: one statement counts the rows of its FTS5 table holding each trigram of
      ``q`` (3+ characters; PROBED_TRIGRAMS of them at most), each no further than
      RARE_TRIGRAM_ROWS. If some are that rare, the query is restricted to the rows holding
      the rarest (RARE_TRIGRAMS at most): a few rowid lookups, whatever the table's size.
      Otherwise the same statement counts, up to a cap, the rows holding all of them, and
      the query is restricted to those if they are few (fewer than ~3*sqrt(N), at most
      FTS_CANDIDATE_LIMIT); a common text is left to the sort index.
    - PostgreSQL: the pg_trgm indexes are driven by a LIKE pattern made of ``q``'s trigrams
      that are not among the table's most common ones (migration 0003's statistics); the
      rule is then checked as ``lower(column) LIKE lower(pattern)``, which is what ILIKE
      computes in a UTF-8 database, in a form the trigram indexes do not take up. Without
      statistics, or when no trigram is common or every one is, it is the plain ILIKE.
    """
    c = SupportCaseRecord
    pattern = f"%{_escape_like(q)}%"
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return await _postgres_text_search(session, q, pattern)
    conditions: list[ColumnElement[bool]] = [
        or_(c.subject.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\"))
    ]
    if dialect == "sqlite" and len(q) >= 3:
        candidates = await _sqlite_candidates(session, q)
        if candidates is not None:
            conditions.append(
                literal_column("support_cases.rowid").in_(
                    select(literal_column("rowid"))
                    .select_from(table("support_cases_fts"))
                    .where(text("support_cases_fts MATCH :phrase").bindparams(phrase=candidates))
                )
            )
    return conditions


async def _sqlite_candidates(session: AsyncSession, q: str) -> str | None:
    """The FTS5 query for the candidate rows of ``q``, or None when they are too many."""
    key = str(session.get_bind().engine.url)
    # "Few" depends on the table's size, which this statement reads too: the last size seen
    # bounds this probe (the cap changes how much is read, never the answer).
    few = _few(_sqlite_rows_of.get(key))
    grams = _grams(q)
    probed = _spread(grams, PROBED_TRIGRAMS)
    params: dict[str, Any] = {f"g{i}": _phrase([gram]) for i, gram in enumerate(probed)}
    rare_rows = min(few, RARE_TRIGRAM_ROWS)
    params |= {
        "rare_cap": rare_rows + 1,
        "rare": rare_rows,
        "cap": few + 1,
        "every": _phrase(grams),
    }
    result = (await session.execute(_sqlite_probe(len(probed)), params)).all()
    _sqlite_rows_of[key] = result[0][2]
    rare = sorted((n, i) for i, n, _, _ in result if n <= rare_rows)[:RARE_TRIGRAMS]
    if rare:
        return _phrase([probed[i] for _, i in sorted(rare, key=lambda pair: pair[1])])
    every = result[0][3]
    if every is not None and every <= few:
        return _phrase(grams)
    return None


@functools.cache
def _sqlite_probe(trigrams: int) -> TextClause:
    """Counts, up to :rare_cap, the rows holding each of :g0 … :g<trigrams-1>; with the size
    of the table; and, only when none is in :rare rows or fewer, the rows holding all of
    them (:every), up to :cap."""
    matching = "SELECT 1 FROM support_cases_fts WHERE support_cases_fts MATCH"
    counts = " UNION ALL ".join(
        f"SELECT {i}, (SELECT count(*) FROM ({matching} :g{i} LIMIT :rare_cap))"
        for i in range(trigrams)
    )
    return text(f"""
        WITH counts(i, n) AS MATERIALIZED ({counts})
        SELECT i, n, (SELECT coalesce(max(rowid), 0) FROM support_cases),
            CASE WHEN (SELECT min(n) FROM counts) <= :rare THEN NULL
            ELSE (SELECT count(*) FROM ({matching} :every LIMIT :cap)) END
        FROM counts
    """)


def _few(rows: int | None) -> int:
    """How many candidates are fetched by rowid rather than found walking the sort index:
    ~3*sqrt(N), at least 100, at most FTS_CANDIDATE_LIMIT (which an unknown N gets)."""
    if rows is None:
        return FTS_CANDIDATE_LIMIT
    return min(FTS_CANDIDATE_LIMIT, max(100, math.isqrt(9 * rows)))


async def _postgres_text_search(
    session: AsyncSession, q: str, pattern: str
) -> list[ColumnElement[bool]]:
    c = SupportCaseRecord
    common = await _common_trigrams(session)
    starts = [
        i for i in range(len(q) - 2) if q[i : i + 3].isalnum()
    ]  # what pg_trgm takes from a LIKE pattern: trigrams of words
    rare = [i for i in starts if common is not None and q[i : i + 3].lower() not in common]
    if not rare or len(rare) == len(starts):
        return [
            or_(c.subject.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\"))
        ]
    # The chosen trigrams, merged where they overlap, in q's order: every text holding q
    # holds these pieces in this order.
    pieces: list[list[int]] = []
    for i in _spread(rare, RARE_TRIGRAMS):
        if pieces and i <= pieces[-1][1]:
            pieces[-1][1] = i + 3
        else:
            pieces.append([i, i + 3])
    narrow = "%" + "%".join(_escape_like(q[a:b]) for a, b in pieces) + "%"
    lowered = func.lower(pattern)
    return [
        or_(c.subject.ilike(narrow, escape="\\"), c.description.ilike(narrow, escape="\\")),
        or_(
            func.lower(c.subject).like(lowered, escape="\\"),
            func.lower(c.description).like(lowered, escape="\\"),
        ),
    ]


async def _common_trigrams(session: AsyncSession) -> frozenset[str] | None:
    """The trigrams ANALYZE found most common in cases' texts (None: no statistics yet).
    Kept per database for TRIGRAM_STATS_SECONDS: they change with ANALYZE, not per write."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _common_trigrams_of.get(key)
    if cached and cached[0] > now:
        return cached[1]
    elements = await session.scalar(
        text(
            "SELECT most_common_elems::text::text[] FROM pg_stats_ext_exprs "
            "WHERE statistics_name = 'support_cases_text_trgm' "
            "AND statistics_schemaname = current_schema() LIMIT 1"
        )
    )
    common = frozenset(elements) if elements else None
    _common_trigrams_of[key] = (now + TRIGRAM_STATS_SECONDS, common)
    return common


def _grams(q: str) -> list[str]:
    """``q``'s distinct trigrams, lower-cased, in the order they first appear."""
    return list(dict.fromkeys(q[i : i + 3].lower() for i in range(len(q) - 2)))


def _spread(items: list[T], most: int) -> list[T]:
    """At most ``most`` of ``items``, spread evenly from the first to the last."""
    if len(items) <= most:
        return items
    return [items[round(k * (len(items) - 1) / (most - 1))] for k in range(most)]


def _phrase(grams: list[str]) -> str:
    """An FTS5 query for rows holding every one of ``grams``: the rows holding ``q`` and a
    few more, which the LIKE drops. Cheaper than the phrase, which also matches positions."""
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
        settled: dict[str, int | None] = dict(
            (
                await session.execute(
                    select(r.currency, func.sum(r.settlement["amount"].as_integer()))
                    .where(r.status == "settled")
                    .group_by(r.currency)
                )
            ).all()
        )
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
        settled_totals={k: int(v or 0) for k, v in settled.items()},
        median_seconds_to_final_30d=median(durations) if durations else None,
        refunds_per_day=sorted(per_day.items()),
    )
