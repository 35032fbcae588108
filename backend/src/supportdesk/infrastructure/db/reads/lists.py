"""The lists: filtered, keyset-paged cases and refunds, and a case's messages and history,
straight from the tables. Every query holds its resource's readable condition
(``readable.py``), the same one the single reads use."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import fields, replace
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from supportdesk.application.reads import (
    CASE_SORT_KEYS,
    REFUND_SORT_KEYS,
    CaseFilters,
    CaseRead,
    PageOf,
    RefundFilters,
    Stats,
)
from supportdesk.domain.access import Actor
from supportdesk.domain.cases import CaseStatus, SupportCase
from supportdesk.domain.events import Event
from supportdesk.domain.messages import LastMessage, Message
from supportdesk.domain.orders import Customer
from supportdesk.domain.refunds import Refund
from supportdesk.infrastructure.db import repositories
from supportdesk.infrastructure.db.direct import DirectReader, MadeOfRows
from supportdesk.infrastructure.db.mapping import (
    case_from_record,
    event_from_record,
    message_from_record,
    refund_from_record,
)
from supportdesk.infrastructure.db.models import (
    CustomerRecord,
    EventRecord,
    MessageRecord,
    RefundRecord,
    SupportCaseRecord,
    UserRecord,
)
from supportdesk.infrastructure.db.reads.paging import cut, keyset
from supportdesk.infrastructure.db.reads.readable import (
    readable_cases,
    readable_events,
    readable_messages,
    readable_refunds,
)
from supportdesk.infrastructure.db.reads.stats import overview_stats
from supportdesk.infrastructure.db.reads.text_search import TextSearch

T = TypeVar("T")

# Rows of the tables, not ORM instances: see repositories.py.
_CASES = SupportCaseRecord.__table__
_REFUNDS = RefundRecord.__table__
_MESSAGES = MessageRecord.__table__
_EVENTS = EventRecord.__table__
_CUSTOMERS = CustomerRecord.__table__
_USERS = UserRecord.__table__
# The most customers one ``q`` stands for: a search that names more is too vague to be
# about a customer, and its text matches still count (docs/customers.md).
MOST_CUSTOMERS_PER_SEARCH = 200
# Every refund of a customer is read for their figures; past this many, the newest.
MOST_REFUNDS_PER_CUSTOMER = 5000
# What each sort key orders by, most significant column first; the id breaks the last tie.
# One entry per key of ``application.reads.CASE_SORT_KEYS``. ``priority`` is the rank
# (urgent 3 … low 0), then the time opened: ``-priority`` is the most urgent first, and the
# newest first among equals, every column the same way so one index serves it. ``due_at``
# (the earliest SLA due time pending) may be null: those cases come last either way.
CASE_SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "created_at": (_CASES.c.created_at,),
    "updated_at": (_CASES.c.updated_at,),
    "priority": (_CASES.c.priority_rank, _CASES.c.created_at),
    "due_at": (_CASES.c.due_at,),
}
REFUND_SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "created_at": (_REFUNDS.c.created_at,),
    "updated_at": (_REFUNDS.c.updated_at,),
}
assert set(CASE_SORT_COLUMNS) == set(CASE_SORT_KEYS), "a case sort key without its columns"
assert set(REFUND_SORT_COLUMNS) == set(REFUND_SORT_KEYS), "a refund sort key without columns"
# How much of the last message a list shows.
EXCERPT_CHARACTERS = 160
# Built once, like the repositories' lookups: the list's second query is always this one.
_REFUNDS_OF_CASES = (
    select(_REFUNDS)
    .where(_REFUNDS.c.support_case_id.in_(bindparam("case_ids", expanding=True)))
    .order_by(_REFUNDS.c.created_at)
)


def _filtered(
    columns: Any,
    statuses: Sequence[str],
    created_after: datetime | None,
    created_before: datetime | None,
    *,
    equal: list[tuple[Any, str | None]],
) -> list[ColumnElement[bool]]:
    """The list filters as conditions (on top of what the actor may read)."""
    conditions: list[ColumnElement[bool]] = []
    if statuses:
        conditions.append(columns.status.in_(statuses))
    conditions.extend(column == value for column, value in equal if value is not None)
    if created_after:
        conditions.append(columns.created_at >= created_after)
    if created_before:
        conditions.append(columns.created_at < created_before)
    return conditions


class SqlReadQueries:
    """The read port (``application.ports.ReadQueries``) on the reader engine. Built once
    by the container, with the text search it keeps."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        text_search: TextSearch | None = None,
        *,
        direct: DirectReader | None = None,
    ) -> None:
        """``direct``: SQLite's direct reader (``direct.DirectReader``), where the hottest
        reads (a case, a page of cases) run as one synchronous call on the driver."""
        self._sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]
        self._direct = direct
        self._text_search = text_search or TextSearch()

    async def _run(self, read: Callable[..., T], *args: Any) -> T:
        """``read(connection, *args)`` in one transaction: straight on SQLite's driver if
        there is a direct reader, else on a connection of the reader engine."""
        if self._direct is not None:
            return self._direct.run(read, *args)
        # Closed here rather than by ``async with``, which closes in a task of its own
        # (see ``_session``).
        connection = await self._engine.connect()
        try:
            result: T = await connection.run_sync(read, *args)
            return result
        finally:
            await connection.close()

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """A session closed here, as the unit of work closes its own. AsyncSession's own
        ``async with`` closes it in a task of its own (so that a cancellation cannot cut the
        close short), which holds the connection for one more turn of the event loop: with
        32 requests in flight, each list then held a reader connection while others ran,
        and the pool opened and closed overflow connections (an aiosqlite thread each) for
        the rest, up to 503s when they waited 2 s. On SQLite the close never waits; on
        PostgreSQL a cancellation mid-close leaves the connection to the pool's cleanup."""
        session = self._sessions()
        try:
            yield session
        finally:
            await session.close()

    async def case(self, actor: Actor, case_id: str, *, with_events: bool) -> CaseRead | None:
        read = repositories.read_case
        if self._engine.dialect.name == "postgresql":
            read = repositories.read_case_at_once
        return await self._run(read, actor, case_id, with_events)

    async def cases(
        self, actor: Actor, filters: CaseFilters, *, limit: int, cursor: str | None
    ) -> PageOf[tuple[SupportCase, list[Refund]]]:
        sort_keys = [k.key for k in CASE_SORT_COLUMNS[filters.sort.lstrip("-")]]
        first_page = _first_page_key(actor, filters, limit, cursor)
        query = _FIRST_PAGES.get(first_page) if first_page else None
        if query is None:
            query = await self._cases_query(actor, filters, limit, cursor)
            if first_page:
                if len(_FIRST_PAGES) >= _MOST_FIRST_PAGES:
                    _FIRST_PAGES.clear()
                _FIRST_PAGES[first_page] = query
        return await self._run(_page_of_cases, query, limit, filters.sort, sort_keys)

    async def _cases_query(
        self, actor: Actor, filters: CaseFilters, limit: int, cursor: str | None
    ) -> Select[Any]:
        c = _CASES.c
        conditions = [readable_cases(actor)]
        conditions += _filtered(
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
        if filters.sla_status:
            conditions.append(c.sla_status.in_(filters.sla_status))
        if filters.unassigned:
            conditions.append(c.assignee_id.is_(None))
        if filters.needs_attention:
            conditions.append(_needs_attention())
        sort_columns = CASE_SORT_COLUMNS[filters.sort.lstrip("-")]
        if filters.q:
            # The text, or the customer, or the order: each branch has its own index
            # (full-text/trigram, customer_id, order_id), so the union stays narrow.
            async with self._session() as session:
                text_match = await self._text_search.conditions(session, filters.q)
                customers = await _customers_matching(session, filters.q, self._text_search)
            branches = [
                and_(*text_match),
                c.order_id == filters.q,
                c.customer_id.in_([filters.q, *customers]),
            ]
            if self._engine.dialect.name == "postgresql":
                # PostgreSQL plans the OR as one walk of the sort index, checking the
                # text on every row until a page of matches: 20 000 rows, 30 ms at 1M
                # for a surname's 200 customers. Each branch's own page, on its own
                # index, then the page of their union: the same rows, ~3 ms.
                pages = [
                    keyset(
                        select(c.id).where(*conditions, branch),
                        sort_columns,
                        c.id,
                        filters.sort,
                        cursor,
                        limit,
                    ).subquery()
                    for branch in branches
                ]
                conditions = [c.id.in_(union_all(*(select(p.c.id) for p in pages)))]
                cursor = None  # each branch's page starts after it already
            else:
                conditions.append(or_(*branches))
        return keyset(
            select(_CASES).where(*conditions), sort_columns, c.id, filters.sort, cursor, limit
        )

    async def refunds(
        self, actor: Actor, filters: RefundFilters, *, limit: int, cursor: str | None
    ) -> PageOf[Refund]:
        r = _REFUNDS.c
        conditions = [readable_refunds(actor)]
        conditions += _filtered(
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
        sort_columns = REFUND_SORT_COLUMNS[filters.sort.lstrip("-")]
        async with self._session() as session:
            if filters.q:
                customers = await _customers_matching(session, filters.q, self._text_search)
                conditions.append(
                    or_(
                        r.id == filters.q,
                        r.support_case_id == filters.q,
                        r.order_id == filters.q,
                        r.customer_id.in_([filters.q, *customers]),
                    )
                )
            query = keyset(
                select(_REFUNDS).where(*conditions), sort_columns, r.id, filters.sort, cursor, limit
            )
            records = list(await session.execute(query))
        page, next_cursor = cut(records, limit, filters.sort, [k.key for k in sort_columns])
        return PageOf(items=[refund_from_record(row) for row in page], next_cursor=next_cursor)

    async def messages(self, actor: Actor, case_id: str) -> list[Message] | None:
        """The case's messages the actor may read, oldest first; None when the case is not
        one they may read."""
        m = _MESSAGES.c
        async with self._session() as session:
            if not await _exists(session, _CASES.c.id == case_id, readable_cases(actor)):
                return None
            rows = await session.execute(
                select(_MESSAGES)
                .where(m.case_id == case_id, readable_messages(actor))
                .order_by(m.seq)
            )
            return [message_from_record(row) for row in rows]

    async def case_history(self, actor: Actor, case_id: str) -> list[Event] | None:
        """The events of the case and its refunds, in the order they happened, as the actor
        may read them; None when the case is not one they may read."""
        async with self._session() as session:
            if not await _exists(session, _CASES.c.id == case_id, readable_cases(actor)):
                return None
            return await _events(session, actor, _EVENTS.c.case_id == case_id)

    async def refund_history(self, actor: Actor, refund_id: str) -> list[Event] | None:
        """The refund's events as the actor may read them; None when the refund is not one
        they may read."""
        async with self._session() as session:
            if not await _exists(session, _REFUNDS.c.id == refund_id, readable_refunds(actor)):
                return None
            return await _events(session, actor, _EVENTS.c.entity_id == refund_id)

    async def stats(self, now: datetime) -> Stats:
        return await overview_stats(self._sessions, now)

    async def customer(self, customer_id: str) -> Customer | None:
        async with self._session() as session:
            row = (
                await session.execute(select(_CUSTOMERS).where(_CUSTOMERS.c.id == customer_id))
            ).first()
            if row is not None:
                return Customer(id=row.id, name=row.name, email=row.email)
            user = (
                await session.execute(
                    select(_USERS.c.name, _USERS.c.email)
                    .where(_USERS.c.customer_id == customer_id, _USERS.c.role == "customer")
                    .order_by(_USERS.c.created_at)
                    .limit(1)
                )
            ).first()
        if user is None:
            return None
        return Customer(id=customer_id, name=user.name, email=user.email)

    async def has_account(self, customer_id: str) -> bool:
        u = _USERS.c
        async with self._session() as session:
            return await _exists(
                session, u.customer_id == customer_id, u.role == "customer", u.active.is_(True)
            )

    async def refunds_of_customer(self, customer_id: str) -> list[Refund]:
        r = _REFUNDS.c
        async with self._session() as session:
            rows = await session.execute(
                select(_REFUNDS)
                .where(r.customer_id == customer_id)
                .order_by(r.created_at.desc(), r.id.desc())
                .limit(MOST_REFUNDS_PER_CUSTOMER)
            )
            return [refund_from_record(row) for row in rows]


def _last_public_author() -> Any:
    """The role of whoever wrote the case's last public message (an internal note is not
    an answer to the customer), as a correlated subquery on ``ix_messages_case``."""
    m = _MESSAGES.c
    return (
        select(m.author_role)
        .where(m.case_id == _CASES.c.id, m.internal.is_(False))
        .order_by(m.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


def _needs_attention() -> ColumnElement[bool]:
    """A case needs its agent when it is open or in progress, or when, not closed, the
    customer wrote last (a reply on a resolved case leaves it resolved)."""
    c = _CASES.c
    active = (CaseStatus.OPEN.value, CaseStatus.IN_PROGRESS.value)
    return or_(
        c.status.in_(active),
        and_(c.status != CaseStatus.CLOSED.value, _last_public_author() == "customer"),
    )


# The statements of first pages asked for lately, by all they are made of: the reader (as
# ``readable_cases`` reads them), the filters and the page's size. A queue's first page is
# asked for again and again; building its statement and then working out its cache key
# (to find it compiled) were a tenth of a page's CPU. Pages after a cursor, and searches
# (whose statement holds what the search found), are built each time.
_FIRST_PAGES: dict[tuple[Any, ...], Select[Any]] = {}
_MOST_FIRST_PAGES = 256


def _first_page_key(
    actor: Actor, filters: CaseFilters, limit: int, cursor: str | None
) -> tuple[Any, ...] | None:
    if cursor or filters.q:
        return None
    kept = replace(filters, status=tuple(filters.status), sla_status=tuple(filters.sla_status))
    return (actor.is_staff, None if actor.is_staff else actor.customer_id, kept, limit)


# The cases of the pages read lately, by their rows' stored values (``MadeOfRows``): forty
# pages of 25, about 5 MB.
_CASES_MADE = MadeOfRows(case_from_record, most=1000)


# A case's fields but its new events, in the order its constructor takes them.
_CASE_FIELDS = attrgetter(*(f.name for f in fields(SupportCase) if f.name != "new_events"))


def _own_copy(case: SupportCase) -> SupportCase:
    """Each read its own case: the kept one is every read's of the row, and a case is an
    aggregate, its commands change it. (``dataclasses.replace`` took a tenth of a page's
    CPU, this a fiftieth.)"""
    return SupportCase(*_CASE_FIELDS(case))


# The refunds of those pages, kept the same way: a page's refunds are read with it, and
# making them (their lines, windows and decisions of JSON) was a fifth of a page's CPU.
_REFUNDS_MADE = MadeOfRows(refund_from_record, most=500)


_REFUND_FIELDS = attrgetter(*(f.name for f in fields(Refund) if f.name != "new_events"))


def _own_refund(refund: Refund) -> Refund:
    """Each read its own refund, as ``_own_copy``; its map of lines' reasons is its own too
    (the rest of its fields are immutable)."""
    copy = Refund(*_REFUND_FIELDS(refund))
    copy.line_reason_codes = dict(copy.line_reason_codes)
    return copy


def _page_of_cases(
    connection: Connection, query: Select[Any], limit: int, sort: str, sort_keys: list[str]
) -> PageOf[tuple[SupportCase, list[Refund]]]:
    """The page, its cases' refunds and last messages: plain Core on one connection in one
    hop to the driver's greenlet, as ``repositories.read_case`` (through the session, the
    three statements were most of a list's CPU)."""
    made = _CASES_MADE.each(connection.execute(query))
    rows, next_cursor = cut([row for row, _ in made], limit, sort, sort_keys)
    page = made[: len(rows)]
    case_ids = [r.id for r, _ in page]
    refunds = _refunds_of_cases(connection, case_ids)
    return PageOf(
        items=[(_own_copy(case), refunds.get(r.id, [])) for r, case in page],
        next_cursor=next_cursor,
        extra={"last_messages": _last_messages(connection, case_ids)},
    )


def _newest_public_messages() -> Select[Any]:
    m = _MESSAGES.c
    newest = (
        select(func.max(m.seq))
        .where(m.case_id.in_(bindparam("case_ids", expanding=True)), m.internal.is_(False))
        .group_by(m.case_id)
    )
    return select(m.case_id, m.author_role, m.body, m.created_at).where(m.seq.in_(newest))


# Built once: building it and working out its cache key per page was a tenth of a list's
# CPU (bench/README.md); the page's ids are bound as they are for _REFUNDS_OF_CASES.
_LAST_MESSAGES = _newest_public_messages()


def _last_messages(connection: Connection, case_ids: list[str]) -> dict[str, LastMessage]:
    """Each case's last public message, shortened: what the list shows of the conversation.
    One query for the page, served by ``ix_messages_case``."""
    if not case_ids:
        return {}
    rows = connection.execute(_LAST_MESSAGES, {"case_ids": case_ids})
    return {
        row.case_id: LastMessage(
            author_role=row.author_role,
            excerpt=_excerpt(row.body),
            at=row.created_at,
        )
        for row in rows
    }


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    if len(flat) <= EXCERPT_CHARACTERS:
        return flat
    return flat[: EXCERPT_CHARACTERS - 1].rstrip() + "…"


async def _customers_matching(session: AsyncSession, q: str, search: TextSearch) -> list[str]:
    """The ids of the customers whose name or address holds ``q`` (ignoring case): in the
    customer directory, and among the customers' accounts; the cases are then found through
    their customer_id index. The directory has a row per customer (~N/5 at N cases), so it
    is narrowed by its trigram index (migration 0014, ``TextSearch.customer_conditions``).
    The accounts (people who signed up) are scanned."""
    pattern = f"%{_escape_like(q.lower())}%"
    directory = (
        select(_CUSTOMERS.c.id.label("id"))
        .where(*await search.customer_conditions(session, q))
        .limit(MOST_CUSTOMERS_PER_SEARCH)
    )
    accounts = (
        select(_USERS.c.customer_id.label("id"))
        .where(
            _USERS.c.role == "customer",
            _USERS.c.customer_id.is_not(None),
            or_(
                _USERS.c.email.like(pattern, escape="\\"),
                func.lower(_USERS.c.name).like(pattern, escape="\\"),
            ),
        )
        .limit(MOST_CUSTOMERS_PER_SEARCH)
    )
    found = [*await session.scalars(directory), *await session.scalars(accounts)]
    return list(dict.fromkeys(i for i in found if i))[:MOST_CUSTOMERS_PER_SEARCH]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _exists(session: AsyncSession, *conditions: ColumnElement[bool]) -> bool:
    """The sub-resources' guard: one indexed lookup of the parent under its readable
    condition, instead of loading it."""
    return bool(await session.scalar(select(exists().where(*conditions))))


async def _events(session: AsyncSession, actor: Actor, which: ColumnElement[bool]) -> list[Event]:
    rows = await session.execute(
        select(_EVENTS).where(which, readable_events(actor)).order_by(_EVENTS.c.seq)
    )
    events = [event_from_record(row) for row in rows]
    if actor.is_staff:
        return events
    # What a customer reads of each event is the domain's rule.
    return [seen for seen in (event.for_customer() for event in events) if seen is not None]


def _refunds_of_cases(connection: Connection, case_ids: list[str]) -> dict[str, list[Refund]]:
    if not case_ids:
        return {}
    rows = connection.execute(_REFUNDS_OF_CASES, {"case_ids": case_ids})
    by_case: dict[str, list[Refund]] = {}
    for row, refund in _REFUNDS_MADE.each(rows):
        by_case.setdefault(row.support_case_id, []).append(_own_refund(refund))
    return by_case
