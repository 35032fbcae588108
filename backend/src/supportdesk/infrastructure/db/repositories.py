"""Repositories: map aggregates to rows. They never commit; the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.application.reads import CaseRead
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import Attachment
from supportdesk.domain.cases import SlaStanding, SupportCase
from supportdesk.domain.errors import EmailTaken, VersionConflict
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.messages import Message
from supportdesk.domain.refunds import (
    FINAL_STATUSES,
    RELEASING_STATUSES,
    Refund,
    RefundStatus,
)
from supportdesk.domain.sla import SlaPolicy, sla_state
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.db import direct_writes
from supportdesk.infrastructure.db.mapping import (
    case_from_record,
    case_row,
    customer_row,
    event_from_record,
    event_row,
    message_row,
    new_case_row,
    new_refund_row,
    refund_from_record,
    refund_row,
    sla_columns,
    user_from_record,
)
from supportdesk.infrastructure.db.models import (
    AttachmentRecord,
    CustomerRecord,
    EventRecord,
    MessageRecord,
    OrderLedgerRecord,
    PaymentGatewayEventRecord,
    RefundRecord,
    SupportCaseRecord,
    UserRecord,
)
from supportdesk.infrastructure.db.outbox import outbox_rows
from supportdesk.infrastructure.db.reads.readable import (
    readable_cases,
    readable_refunds,
    reader_kind,
    reader_parameters,
)

# Set in a session's ``info`` when its transaction wrote history events.
HISTORY_GREW = "history_grew"

# Reads select the tables' rows, not ORM instances: nothing is ever changed through the
# session's identity map (saves are conditional UPDATEs), and loading instances was about
# a third of the time of reading a case. The mapping functions read rows and records alike.
_CASES = SupportCaseRecord.__table__
_REFUNDS = RefundRecord.__table__

# The lookups every read of a case or refund makes, built once (per kind of reader for the
# readable ones): building a statement (column comparisons, select, where) cost about a
# tenth of a whole GET of a case, as much as running it; built once, it is also compiled
# once into SQLAlchemy's statement cache.
_REFUNDS_OF_CASE = (
    select(_REFUNDS)
    .where(_REFUNDS.c.support_case_id == bindparam("case_id"))
    .order_by(_REFUNDS.c.created_at, _REFUNDS.c.id)
)
_REFUNDS_OF_ORDER = (
    select(_REFUNDS)
    .where(_REFUNDS.c.order_id == bindparam("order_id"))
    .order_by(_REFUNDS.c.created_at, _REFUNDS.c.id)
)
_CASE_BY_ID = select(_CASES).where(_CASES.c.id == bindparam("case_id"))
_REFUND_BY_ID = select(_REFUNDS).where(_REFUNDS.c.id == bindparam("refund_id"))
_READABLE_CASE: dict[str, Select[Any]] = {}
_READABLE_REFUND: dict[str, Select[Any]] = {}


def _readable(
    built: dict[str, Select[Any]],
    by_id: Select[Any],
    rule: Callable[..., ColumnElement[bool]],
    actor: Actor,
) -> Select[Any]:
    """``by_id`` narrowed by the readable ``rule`` for ``actor``: built once per kind of
    reader, with the reader's own ids as bound parameters (``reader_parameters``)."""
    kind = reader_kind(actor)
    query = built.get(kind)
    if query is None:
        query = built[kind] = by_id.where(rule(actor, bound=True))
    return query


def _readable_case(actor: Actor) -> Select[Any]:
    return _readable(_READABLE_CASE, _CASE_BY_ID, readable_cases, actor)


def _readable_refund(actor: Actor) -> Select[Any]:
    return _readable(_READABLE_REFUND, _REFUND_BY_ID, readable_refunds, actor)


_CUSTOMERS: Table = CustomerRecord.__table__  # type: ignore[assignment]


def _customer_upsert(stmt: Any) -> Any:
    """The directory's row, inserted or, for a customer it has, replaced by what was sent
    if that differs. A customer's every case named them again: rewriting the same row
    rewrote its text search entry too (a trigger on ``search_text``), pages written and
    checkpointed for nothing on each case opened."""
    return stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={c.name: stmt.excluded[c.name] for c in _CUSTOMERS.c if c.name != "id"},
        where=or_(
            _CUSTOMERS.c.name != stmt.excluded.name,
            _CUSTOMERS.c.email != stmt.excluded.email,
        ),
    )


def _unless_named(stmt: Any) -> Any:
    """PostgreSQL's upsert, only for a customer the directory lacks or names otherwise. ON
    CONFLICT DO UPDATE locks the row it conflicts with until the transaction ends, even
    when its WHERE then skips the update: every case a customer opened took their row's
    lock (a WAL record and a dirtied page each), and their cases opened at once waited for
    each other's commits (7 connections opening one customer's cases: 57-68 a second, p99s
    of 130-185 ms, bench/README.md). A plain read compares the row first and locks
    nothing. SQLite has one writer and no row locks."""
    already_named = (
        select(_CUSTOMERS.c.id)
        .where(
            _CUSTOMERS.c.id == bindparam("id"),
            _CUSTOMERS.c.name == bindparam("name"),
            _CUSTOMERS.c.email == bindparam("email"),
        )
        .exists()
    )
    sent = select(*(bindparam(c.name, type_=c.type) for c in _CUSTOMERS.c))
    return stmt.from_select([c.name for c in _CUSTOMERS.c], sent.where(~already_named))


_NAME_CUSTOMER = {
    "postgresql": _customer_upsert(_unless_named(pg_insert(_CUSTOMERS))),
    "sqlite": _customer_upsert(sqlite_insert(_CUSTOMERS)),
}
_CASE_TABLE: Table = SupportCaseRecord.__table__  # type: ignore[assignment]
_EVENT_TABLE: Table = EventRecord.__table__  # type: ignore[assignment]
_INSERT_CASE = insert(_CASE_TABLE)
_INSERT_EVENTS = insert(_EVENT_TABLE)


async def _append_events(session: AsyncSession, events: list[Event]) -> None:
    if not events:
        return
    await direct_writes.insert(session, _INSERT_EVENTS, [event_row(e) for e in events])
    # The notifications these events imply, in the same transaction (docs/outbox.md).
    await outbox_rows(session, events)
    events.clear()
    # The unit of work wakes live-update streams after the commit, not before: a stream
    # woken now would find nothing yet.
    session.info[HISTORY_GREW] = True


_CASE_HISTORY = (
    select(EventRecord.__table__)
    .where(
        EventRecord.entity_id == bindparam("case_id"),
        EventRecord.entity == EntityKind.SUPPORT_CASE.value,
    )
    .order_by(EventRecord.seq)
)


def read_case(
    connection: Connection, actor: Actor, case_id: str, with_events: bool
) -> CaseRead | None:
    """The read port's ``case`` (``SqlReadQueries.case``): the case if ``actor`` may read
    it, its refunds and its own events, by the statements the repositories use, on one
    connection (PostgreSQL reads them in one statement: ``read_case_at_once``). Plain Core
    on a sync connection, run in one hop to the driver's greenlet: through the session,
    each statement was a hop and a pass through the ORM's execution, half of the CPU of a
    GET of a case."""
    row = connection.execute(
        _readable_case(actor), {"case_id": case_id, **reader_parameters(actor)}
    ).first()
    if row is None:
        return None
    parameters = {"case_id": case_id}
    refunds = [refund_from_record(r) for r in connection.execute(_REFUNDS_OF_CASE, parameters)]
    events = None
    if with_events:
        events = [event_from_record(r) for r in connection.execute(_CASE_HISTORY, parameters)]
    return CaseRead(case=case_from_record(row), refunds=refunds, events=events)


def _rows_of_case(table: Table, case_id_column: str, *order: str, **equal: str) -> Any:
    """PostgreSQL: the case's rows of ``table`` as one value of the case's row, an array of
    rows in ``order`` (NULL when there are none), each an anonymous record of the table's
    columns as SQLAlchemy lists them (``_nested_rows`` reads them by position). Not the
    table's own row type: asyncpg keeps a composite type's layout per connection, and a
    migration that added a column would fail each pooled connection's next read of it."""
    rows = table.alias(f"{table.name}_of_case")
    conditions = [rows.c[case_id_column] == _CASES.c.id]
    conditions += [rows.c[name] == value for name, value in equal.items()]
    ordered = aggregate_order_by(func.row(*rows.c), *(rows.c[name] for name in order))
    return select(func.array_agg(ordered)).where(*conditions).scalar_subquery()


_REFUND_TABLE = cast(Table, _REFUNDS)
_REFUND_ROWS = _rows_of_case(_REFUND_TABLE, "support_case_id", "created_at", "id").label(
    "refund_rows"
)
_EVENT_ROWS = _rows_of_case(
    _EVENT_TABLE, "entity_id", "seq", entity=EntityKind.SUPPORT_CASE.value
).label("event_rows")
_READABLE_CASE_AT_ONCE: dict[tuple[str, bool], Select[Any]] = {}


# Per table and dialect: its columns' names, in the records' order, and their processors.
_LAYOUTS: dict[tuple[str, str], tuple[list[str], dict[str, Callable[[Any], Any]]]] = {}


def _nested_rows(table: Table, dialect: Dialect, records: Sequence[Any] | None) -> list[Any]:
    layout = _LAYOUTS.get((table.name, dialect.name))
    if layout is None:
        processors: dict[str, Callable[[Any], Any]] = {}
        for column in table.columns:
            found = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if found is not None:
                processors[column.name] = found
        layout = _LAYOUTS[table.name, dialect.name] = ([c.name for c in table.columns], processors)
    names, processors = layout
    # Read by attribute as a result row is, by the mapping functions.
    nested = []
    for record in records or ():
        values = dict(zip(names, record, strict=True))
        for name, process in processors.items():
            values[name] = process(values[name])
        nested.append(SimpleNamespace(**values))
    return nested


def read_case_at_once(
    connection: Connection, actor: Actor, case_id: str, with_events: bool
) -> CaseRead | None:
    """``read_case`` on PostgreSQL: the case, its refunds and its events in one statement,
    one round trip instead of three (each a wake-up of a PostgreSQL backend: ~30 µs of its
    CPU before any work, bench/README.md)."""
    kind = (reader_kind(actor), with_events)
    query = _READABLE_CASE_AT_ONCE.get(kind)
    if query is None:
        extra = [_REFUND_ROWS, _EVENT_ROWS] if with_events else [_REFUND_ROWS]
        query = _READABLE_CASE_AT_ONCE[kind] = _readable_case(actor).add_columns(*extra)
    row = connection.execute(query, {"case_id": case_id, **reader_parameters(actor)}).first()
    if row is None:
        return None
    dialect = connection.dialect
    refunds = [refund_from_record(r) for r in _nested_rows(_REFUND_TABLE, dialect, row.refund_rows)]
    events = None
    if with_events:
        events = [event_from_record(e) for e in _nested_rows(_EVENT_TABLE, dialect, row.event_rows)]
    return CaseRead(case=case_from_record(row), refunds=refunds, events=events)


class SqlCaseRepository:
    """``sla``: the SLA policy by which every write of a case works out its clocks again
    from its history, in the same transaction (docs/sla.md); None keeps them as they are."""

    def __init__(self, session: AsyncSession, sla: SlaPolicy | None = None) -> None:
        self.session = session
        self.sla = sla

    async def add(self, case: SupportCase) -> None:
        # Core INSERTs of statements built once: through the ORM (an instance, a flush)
        # and with the customer's upsert built per case, these were a third of a new case's
        # CPU (bench/README.md).
        columns = self._sla_columns(case, list(case.new_events), case.created_at)
        await direct_writes.insert(self.session, _INSERT_CASE, {**new_case_row(case), **columns})
        if case.order.customer is not None:
            await self._name_customer(case)
        await _append_events(self.session, case.new_events)

    async def _name_customer(self, case: SupportCase) -> None:
        """The customer directory learns (or relearns) the name and address the order
        system gave with the case's order: the last one given wins."""
        assert case.order.customer is not None
        row = customer_row(case.order.customer, case.created_at)
        dialect = self.session.get_bind().dialect.name
        await direct_writes.insert(self.session, _NAME_CUSTOMER[dialect], row)

    async def get(self, case_id: str) -> SupportCase | None:
        result = await self.session.execute(_CASE_BY_ID, {"case_id": case_id})
        row = result.first()
        return case_from_record(row) if row else None

    async def get_for(self, actor: Actor, case_id: str) -> SupportCase | None:
        """The case if the actor may read it: the lists' readable condition, in the query."""
        result = await self.session.execute(
            _readable_case(actor), {"case_id": case_id, **reader_parameters(actor)}
        )
        row = result.first()
        return case_from_record(row) if row else None

    async def lock(self, case_id: str) -> None:
        # FOR UPDATE on PostgreSQL; SQLAlchemy leaves it out on SQLite.
        await self.session.execute(
            select(SupportCaseRecord.id).where(SupportCaseRecord.id == case_id).with_for_update()
        )

    async def history(self, case_id: str) -> list[Event]:
        """The case's own events (not its refunds'), oldest first."""
        rows = await self.session.execute(_CASE_HISTORY, {"case_id": case_id})
        return [event_from_record(row) for row in rows]

    def _sla_columns(self, case: SupportCase, events: list[Event], now: datetime) -> dict[str, Any]:
        """The SLA columns after ``events`` (the whole history, with what this write adds),
        at ``now``; a breach not recorded yet is recorded on the case (an event of this
        write). Without a policy: nothing to write."""
        if self.sla is None:
            return {}
        state = sla_state(
            self.sla, opened_at=case.created_at, priority=case.priority, events=events, now=now
        )
        for clock in state.breaches_to_record:
            case.record_sla_breach(clock.words, now=now)
        case.sla = SlaStanding(
            status=state.status.value if state.status else None,
            first_response_due_at=state.first_response_due_at,
            resolution_due_at=state.resolution_due_at,
            first_responded_at=state.first_responded_at,
        )
        return sla_columns(state)

    async def save(self, case: SupportCase) -> None:
        """Write the case if nobody changed it since it was read (optimistic concurrency),
        with its SLA clocks worked out again as of the change."""
        if not case.new_events:
            return
        columns: dict[str, Any] = {}
        if self.sla is not None:
            now = max(event.at for event in case.new_events)
            columns = self._sla_columns(case, [*await self.history(case.id), *case.new_events], now)
        result = await self.session.execute(
            update(SupportCaseRecord)
            .where(SupportCaseRecord.id == case.id, SupportCaseRecord.version == case.version)
            .values({**case_row(case), **columns, "version": case.version + 1})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("the case was changed by someone else; reload it")
        case.version += 1
        await _append_events(self.session, case.new_events)

    async def touch(self, case: SupportCase, now: datetime) -> None:
        result = await self.session.execute(
            update(SupportCaseRecord)
            .where(SupportCaseRecord.id == case.id, SupportCaseRecord.version == case.version)
            .values(version=case.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("the case was changed by someone else; reload it")
        case.version += 1
        case.updated_at = now

    async def sla_checks_due(self, now: datetime, limit: int) -> list[str]:
        """Cases whose SLA status time alone has changed by ``now`` (at risk, breached),
        the longest waiting first."""
        rows = await self.session.scalars(
            select(SupportCaseRecord.id)
            .where(SupportCaseRecord.sla_check_at <= now)
            .order_by(SupportCaseRecord.sla_check_at)
            .limit(limit)
        )
        return list(rows)

    async def refresh_sla(self, case: SupportCase, now: datetime) -> bool:
        """Work the case's clocks out again at ``now``. A breach is a change of the case
        (an event, a new version: ``save``); a status that moved with time alone is
        written without one, only if the case is still the version read. False when the
        case changed meanwhile (its own write worked the clocks out already)."""
        if self.sla is None:
            return True
        columns = self._sla_columns(case, await self.history(case.id), now)
        if case.new_events:
            try:
                await self.save(case)
            except VersionConflict:
                return False
            return True
        result = await self.session.execute(
            update(SupportCaseRecord)
            .where(SupportCaseRecord.id == case.id, SupportCaseRecord.version == case.version)
            .values(columns)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def has_open_refunds(self, case_id: str) -> bool:
        query = select(
            exists().where(
                RefundRecord.support_case_id == case_id,
                RefundRecord.status.not_in([s.value for s in FINAL_STATUSES]),
            )
        )
        return bool(await self.session.scalar(query))


class SqlMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: Message) -> None:
        self.session.add(MessageRecord(**message_row(message)))
        await self.session.flush()


_FILES: Table = AttachmentRecord.__table__  # type: ignore[assignment]


def _attachment(row: Any) -> Attachment:
    return Attachment(
        id=row.id,
        case_id=row.case_id,
        uploader_id=row.uploader_id,
        uploader_role=row.uploader_role,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        internal=row.internal,
        storage_key=row.storage_key,
        created_at=row.created_at,
        message_id=row.message_id,
        refund_id=row.refund_id,
        redacted_at=row.redacted_at,
        redacted_by=row.redacted_by,
    )


class SqlAttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, attachment: Attachment) -> None:
        await self.session.execute(
            insert(_FILES).values(
                id=attachment.id,
                case_id=attachment.case_id,
                uploader_id=attachment.uploader_id,
                uploader_role=attachment.uploader_role,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                internal=attachment.internal,
                storage_key=attachment.storage_key,
                created_at=attachment.created_at,
            )
        )

    async def get(self, attachment_id: str) -> Attachment | None:
        row = (
            await self.session.execute(select(_FILES).where(_FILES.c.id == attachment_id))
        ).first()
        return _attachment(row) if row else None

    async def of_case(self, case_id: str) -> list[Attachment]:
        rows = await self.session.execute(
            select(_FILES)
            .where(_FILES.c.case_id == case_id)
            .order_by(_FILES.c.created_at, _FILES.c.id)
        )
        return [_attachment(row) for row in rows]

    async def totals(self, case_id: str) -> tuple[int, int]:
        row = (
            await self.session.execute(
                select(func.count(), func.coalesce(func.sum(_FILES.c.size), 0)).where(
                    _FILES.c.case_id == case_id, _FILES.c.redacted_at.is_(None)
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def link(
        self, attachment_ids: Sequence[str], *, message_id: str | None, refund_id: str | None
    ) -> int:
        done = await self.session.execute(
            update(_FILES)
            .where(
                _FILES.c.id.in_(list(attachment_ids)),
                _FILES.c.message_id.is_(None),
                _FILES.c.refund_id.is_(None),
                _FILES.c.redacted_at.is_(None),
            )
            .values(message_id=message_id, refund_id=refund_id)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]

    async def redact(self, attachment: Attachment) -> None:
        await self.session.execute(
            update(_FILES)
            .where(_FILES.c.id == attachment.id)
            .values(redacted_at=attachment.redacted_at, redacted_by=attachment.redacted_by)
        )

    async def remove(self, attachment_id: str) -> bool:
        gone = await self.session.execute(
            delete(_FILES).where(
                _FILES.c.id == attachment_id,
                _FILES.c.message_id.is_(None),
                _FILES.c.refund_id.is_(None),
            )
        )
        return bool(gone.rowcount == 1)  # type: ignore[attr-defined]


class SqlRefundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, refund: Refund) -> None:
        self.session.add(RefundRecord(**new_refund_row(refund)))
        await self.session.flush()
        await _append_events(self.session, refund.new_events)

    async def get(self, refund_id: str) -> Refund | None:
        result = await self.session.execute(_REFUND_BY_ID, {"refund_id": refund_id})
        row = result.first()
        return refund_from_record(row) if row else None

    async def get_for(self, actor: Actor, refund_id: str) -> Refund | None:
        """The refund if the actor may read it: the lists' readable condition, in the query."""
        result = await self.session.execute(
            _readable_refund(actor), {"refund_id": refund_id, **reader_parameters(actor)}
        )
        row = result.first()
        return refund_from_record(row) if row else None

    async def of_case(self, case_id: str) -> list[Refund]:
        rows = await self.session.execute(_REFUNDS_OF_CASE, {"case_id": case_id})
        return [refund_from_record(row) for row in rows]

    async def of_order(self, order_id: str) -> list[Refund]:
        rows = await self.session.execute(_REFUNDS_OF_ORDER, {"order_id": order_id})
        return [refund_from_record(row) for row in rows]

    async def save(self, refund: Refund, *, expected_status: RefundStatus | None = None) -> None:
        """Write the refund only if its version (and status) are still the ones read.

        This conditional UPDATE is what makes a state change happen once, on SQLite and
        PostgreSQL alike: a racing writer finds zero rows and gets a conflict.
        """
        conditions = [RefundRecord.id == refund.id, RefundRecord.version == refund.version]
        if expected_status is not None:
            conditions.append(RefundRecord.status == expected_status.value)
        result = await self.session.execute(
            update(RefundRecord)
            .where(*conditions)
            .values({**refund_row(refund), "version": refund.version + 1})
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("the refund was changed by someone else; reload it")
        refund.version += 1
        await _append_events(self.session, refund.new_events)

    async def lock_order(self, order_id: str) -> None:
        """Serialise refund requests on one order until this transaction ends.

        The UPDATE takes a row lock on PostgreSQL; on SQLite the write transaction already
        holds the database's single write lock (BEGIN IMMEDIATE).
        """
        dialect = self.session.get_bind().dialect.name
        stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(OrderLedgerRecord)
        await self.session.execute(
            stmt.values(order_id=order_id, version=0).on_conflict_do_nothing(
                index_elements=["order_id"]
            )
        )
        await self.session.execute(
            update(OrderLedgerRecord)
            .where(OrderLedgerRecord.order_id == order_id)
            .values(version=OrderLedgerRecord.version + 1)
        )

    async def units_taken(self, order_id: str) -> tuple[dict[str, int], bool]:
        """Units per line held by refunds that are not rejected or cancelled, and whether
        the order's shipping is taken."""
        rows = await self.session.execute(
            select(RefundRecord.items, RefundRecord.include_shipping).where(
                RefundRecord.order_id == order_id,
                RefundRecord.status.not_in([s.value for s in RELEASING_STATUSES]),
            )
        )
        taken: Counter[str] = Counter()
        shipping_taken = False
        for items, include_shipping in rows:
            for item in items:
                taken[item["line_id"]] += int(item["quantity"])
            shipping_taken = shipping_taken or include_shipping
        return dict(taken), shipping_taken

    async def claim_for_reconciliation(
        self, *, now: datetime, stale_before: datetime, lease_until: datetime, limit: int
    ) -> list[str]:
        """Take a lease on refunds stuck in processing, so that one replica works on each.

        A conditional UPDATE per candidate claims it; another replica finds the lease held.
        """
        candidates = await self.session.scalars(
            select(RefundRecord.id)
            .where(
                RefundRecord.status == RefundStatus.PROCESSING.value,
                RefundRecord.updated_at <= stale_before,
                (RefundRecord.reconcile_lease_until.is_(None))
                | (RefundRecord.reconcile_lease_until < now),
            )
            .order_by(RefundRecord.updated_at)
            .limit(limit)
        )
        claimed: list[str] = []
        for refund_id in list(candidates):
            result = await self.session.execute(
                update(RefundRecord)
                .where(
                    RefundRecord.id == refund_id,
                    RefundRecord.status == RefundStatus.PROCESSING.value,
                    (RefundRecord.reconcile_lease_until.is_(None))
                    | (RefundRecord.reconcile_lease_until < now),
                )
                .values(reconcile_lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(refund_id)
        return claimed


class SqlPaymentEventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, event_id: str, *, type: str, now: datetime) -> bool:
        """An insert that does nothing on a known id: on PostgreSQL a concurrent claim of the
        same id waits for the first transaction and then finds the row, so exactly one of
        them goes on; on SQLite the write transactions take turns anyway."""
        dialect = self.session.get_bind().dialect.name
        stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(
            PaymentGatewayEventRecord
        )
        result = await self.session.execute(
            stmt.values(
                id=event_id, type=type, outcome="received", received_at=now
            ).on_conflict_do_nothing(index_elements=["id"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def record_outcome(self, event_id: str, *, refund_id: str | None, outcome: str) -> None:
        await self.session.execute(
            update(PaymentGatewayEventRecord)
            .where(PaymentGatewayEventRecord.id == event_id)
            .values(refund_id=refund_id, outcome=outcome)
        )


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str) -> UserAccount | None:
        record = await self.session.get(UserRecord, user_id)
        return user_from_record(record) if record else None

    async def by_email(self, email: str) -> UserAccount | None:
        record = await self.session.scalar(
            select(UserRecord).where(UserRecord.email == email.strip().lower())
        )
        return user_from_record(record) if record else None

    async def add(self, user: UserAccount) -> None:
        """Two admins creating one email at once: the unique index refuses the second,
        which the caller's check could not see yet."""
        self.session.add(
            UserRecord(
                id=user.id,
                email=user.email.strip().lower(),
                name=user.name,
                role=user.role.value,
                customer_id=user.customer_id,
                password_hash=user.password_hash,
                active=user.active,
                created_at=user.created_at,
            )
        )
        try:
            await self.session.flush()
        except IntegrityError:
            raise EmailTaken("a user with this email exists") from None

    async def set_active(self, user_id: str, active: bool) -> None:
        await self.session.execute(
            update(UserRecord).where(UserRecord.id == user_id).values(active=active)
        )

    async def set_role(self, user_id: str, role: Role) -> None:
        await self.session.execute(
            update(UserRecord).where(UserRecord.id == user_id).values(role=role.value)
        )

    async def set_password(
        self, user_id: str, password_hash: str, *, sessions_since: datetime
    ) -> None:
        await self.session.execute(
            update(UserRecord)
            .where(UserRecord.id == user_id)
            .values(password_hash=password_hash, sessions_since=sessions_since)
        )

    async def by_customer_id(self, customer_id: str) -> UserAccount | None:
        record = await self.session.scalar(
            select(UserRecord)
            .where(UserRecord.customer_id == customer_id, UserRecord.role == Role.CUSTOMER.value)
            .order_by(UserRecord.created_at)
            .limit(1)
        )
        return user_from_record(record) if record else None

    async def active_admin_ids(self) -> set[str]:
        query = (
            select(UserRecord.id)
            .where(UserRecord.role == Role.ADMIN.value, UserRecord.active.is_(True))
            .with_for_update()
        )
        return set(await self.session.scalars(query))

    async def list(self) -> Sequence[UserAccount]:
        records = await self.session.scalars(select(UserRecord).order_by(UserRecord.email))
        return [user_from_record(record) for record in records]
