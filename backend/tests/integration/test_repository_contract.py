"""The repositories' contract: what the use cases rely on, proved alike for the in-memory
fakes of ``tests/service/fakes.py`` and the SQL repositories on SQLite (and on PostgreSQL
when TEST_DATABASE_URL is set). A fake that drifts from the SQL fails here, not in a
service test that trusted it.

Each test runs against one backend through the ``UnitOfWork`` port only: one block is one
transaction, and what a block did not commit is gone.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.application.ports import UnitOfWork
from supportdesk.application.reads import CaseFilters, RefundFilters
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import Attachment, MediaType
from supportdesk.domain.cases import Category, Channel, OrderReference, Priority, SupportCase
from supportdesk.domain.errors import EmailTaken, VersionConflict
from supportdesk.domain.events import Event
from supportdesk.domain.messages import Message
from supportdesk.domain.orders import Customer
from supportdesk.domain.refunds import Refund, RefundStatus, RequestedItem, calculate_refund
from supportdesk.domain.users import UserAccount
from supportdesk.domain.window import RefundWindow, RefundWindowPolicy, WindowBasis
from supportdesk.infrastructure.db.mapping import event_from_record
from supportdesk.infrastructure.db.migrate import upgrade
from supportdesk.infrastructure.db.models import CustomerRecord, EventRecord
from supportdesk.infrastructure.db.reads import SqlReadQueries
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from tests.service.builders import an_order
from tests.service.fakes import FakeUnitOfWork, Store

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)
ANNA = Actor(id="u-anna", role=Role.CUSTOMER, customer_id="cust-anna")
BEN = Actor(id="u-ben", role=Role.CUSTOMER, customer_id="cust-ben")
NOBODY = Actor(id="u-nobody", role=Role.CUSTOMER, customer_id=None)
AGENT = Actor(id="u-agent", role=Role.AGENT)
ADMIN = Actor(id="u-admin", role=Role.ADMIN)
OPEN_WINDOW = RefundWindow(
    delivered_at=NOW - timedelta(days=2),
    closes_at=NOW + timedelta(days=12),
    open=True,
    basis=WindowBasis.DELIVERED,
)
# The tables these tests write on PostgreSQL, children first.
POSTGRES_TABLES = [
    "attachments",
    "events",
    "messages",
    "refunds",
    "order_ledgers",
    "support_cases",
    "customers",
    "users",
]


@dataclass
class Backend:
    """One store of committed rows, and units of work over it."""

    name: str
    uow: Callable[[], UnitOfWork]
    events_of: Callable[[str], Any]  # async: the stored events of one entity, in order


def _fake() -> Backend:
    store = Store()

    async def events_of(entity_id: str) -> list[Event]:
        return [event for event in store.events if event.entity_id == entity_id]

    return Backend("fake", lambda: FakeUnitOfWork(store), events_of)


def _sql(name: str, database: Database) -> Backend:
    async def events_of(entity_id: str) -> list[Event]:
        async with database.read_sessions()() as session:
            rows = await session.execute(
                select(EventRecord.__table__)
                .where(EventRecord.entity_id == entity_id)
                .order_by(EventRecord.seq)
            )
            return [event_from_record(row) for row in rows]

    return Backend(
        name,
        lambda: SqlUnitOfWork(database.write_sessions(), database.write_lock),
        events_of,
    )


@pytest.fixture(scope="module")
def empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once, without the demo data; each test gets a copy."""
    path = tmp_path_factory.mktemp("contract") / "empty.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["fake", "sqlite", "postgresql"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "fake":
        yield _fake()
        return
    async with _database(request, tmp_path) as database:
        yield _sql(request.param, database)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with _database(request, tmp_path) as database:
        yield database


@asynccontextmanager
async def _database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty migrated database: a copy of a SQLite template, or PostgreSQL emptied."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("empty_sqlite")
        path = tmp_path / "contract.db"
        shutil.copy(template, path)
        database = Database.connect(f"sqlite+aiosqlite:///{path}")
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL is not set")
        request.getfixturevalue("postgres_migrated")
        database = Database.connect(url)
        async with database.writer.begin() as connection:
            await connection.exec_driver_sql(
                f"TRUNCATE {', '.join(POSTGRES_TABLES)} RESTART IDENTITY CASCADE"
            )
    try:
        yield database
    finally:
        await database.dispose()


# Builders: aggregates as the domain makes them, with ids unique per test.


def a_case(
    *,
    id: str = "case_c1",
    customer_id: str = "cust-anna",
    at: datetime = NOW,
    customer: Customer | None = None,
) -> SupportCase:
    """``customer``: who the order system names as the order's customer (its id is the
    case's customer's)."""
    order = an_order(customer_id=customer_id)
    if customer is not None:
        order = replace(order, customer=customer)
    return SupportCase.open(
        id=id,
        customer_id=customer_id,
        order=OrderReference.snapshot_of(order),
        subject="Mugs arrived broken",
        description="Two of the three mugs were in pieces",
        category=Category.DAMAGED_ITEM,
        priority=Priority.NORMAL,
        by=ANNA if customer_id == "cust-anna" else BEN,
        now=at,
    )


def a_refund(
    case: SupportCase,
    *,
    id: str = "rf_r1",
    items: tuple[tuple[str, int], ...] = (("L2", 2),),
    include_shipping: bool = False,
    at: datetime = NOW,
    order_id: str = "ORD-1001",
) -> Refund:
    order = an_order(id=order_id, customer_id=case.customer_id)
    calculation = calculate_refund(
        order,
        [RequestedItem(line_id=line, quantity=q) for line, q in items],
        units_taken={},
        shipping_taken=False,
        include_shipping=include_shipping,
    )
    return Refund.request(
        id=id,
        support_case_id=case.id,
        order=order,
        calculation=calculation,
        reason="broken in transit",
        by=ANNA,
        now=at,
    )


def a_user(
    *, id: str = "usr_x", email: str = "x@example.com", role: Role = Role.AGENT
) -> UserAccount:
    return UserAccount(
        id=id,
        email=email,
        name="X",
        role=role,
        customer_id=None,
        password_hash="not-a-hash",
        active=True,
        created_at=NOW,
    )


async def stored(backend: Backend, *aggregates: SupportCase | Refund | UserAccount) -> None:
    uow = backend.uow()
    async with uow:
        for aggregate in aggregates:
            if isinstance(aggregate, SupportCase):
                await uow.cases.add(aggregate)
            elif isinstance(aggregate, Refund):
                await uow.refunds.add(aggregate)
            else:
                await uow.users.add(aggregate)
        await uow.commit()


async def refund_in(backend: Backend, refund_id: str) -> Refund:
    uow = backend.uow()
    async with uow:
        found = await uow.refunds.get(refund_id)
    assert found is not None
    return found


async def case_in(backend: Backend, case_id: str) -> SupportCase:
    uow = backend.uow()
    async with uow:
        found = await uow.cases.get(case_id)
    assert found is not None
    return found


async def saved(backend: Backend, refund: Refund, **kwargs: Any) -> None:
    uow = backend.uow()
    async with uow:
        await uow.refunds.save(refund, **kwargs)
        await uow.commit()


class TestCases:
    async def test_a_stored_case_reads_back_equal_with_its_opening_event(
        self, backend: Backend
    ) -> None:
        case = a_case()
        await stored(backend, case)

        read = await case_in(backend, case.id)

        assert read == case
        assert [e.type for e in await backend.events_of(case.id)] == ["case_opened"]

    async def test_a_case_staff_opened_keeps_its_channel_and_the_orders_customer(
        self, backend: Backend
    ) -> None:
        anna = Customer(id="cust-anna", name="Anna Berg", email="anna@example.com")
        case = SupportCase.open(
            id="case_phone",
            customer_id="cust-anna",
            order=OrderReference.snapshot_of(replace(an_order(), customer=anna)),
            subject="Phoned about her mugs",
            description="Two chipped",
            category=Category.DAMAGED_ITEM,
            priority=Priority.HIGH,
            by=AGENT,
            now=NOW,
            channel=Channel.PHONE,
        )
        await stored(backend, case)

        read = await case_in(backend, case.id)

        assert read == case
        assert (read.channel, read.order.customer) == (Channel.PHONE, anna)

    async def test_an_unknown_case_is_none(self, backend: Backend) -> None:
        uow = backend.uow()
        async with uow:
            assert await uow.cases.get("case_nope") is None
            assert await uow.cases.get_for(AGENT, "case_nope") is None

    @pytest.mark.parametrize(
        ("actor", "reads_it"),
        [(AGENT, True), (ADMIN, True), (ANNA, True), (BEN, False), (NOBODY, False)],
    )
    async def test_staff_read_any_case_and_a_customer_only_their_own(
        self, backend: Backend, actor: Actor, reads_it: bool
    ) -> None:
        case = a_case()
        await stored(backend, case)

        uow = backend.uow()
        async with uow:
            found = await uow.cases.get_for(actor, case.id)

        assert (found == case) if reads_it else (found is None)

    async def test_a_save_moves_the_version_and_appends_the_events(self, backend: Backend) -> None:
        case = a_case()
        await stored(backend, case)
        case = await case_in(backend, case.id)
        case.add_note("call back on Monday", by=AGENT, now=NOW + timedelta(minutes=1))

        uow = backend.uow()
        async with uow:
            await uow.cases.save(case)
            await uow.commit()

        assert case.version == 2
        assert (await case_in(backend, case.id)).version == 2
        assert [e.type for e in await backend.events_of(case.id)] == ["case_opened", "note"]

    async def test_a_save_of_a_stale_case_is_a_conflict_and_writes_nothing(
        self, backend: Backend
    ) -> None:
        case = a_case()
        await stored(backend, case)
        first, second = await case_in(backend, case.id), await case_in(backend, case.id)
        first.add_note("one", by=AGENT, now=NOW)
        second.add_note("two", by=AGENT, now=NOW)
        uow = backend.uow()
        async with uow:
            await uow.cases.save(first)
            await uow.commit()

        uow = backend.uow()
        async with uow:
            with pytest.raises(VersionConflict):
                await uow.cases.save(second)

        assert [e.note for e in await backend.events_of(case.id)] == [case.subject, "one"]

    async def test_a_save_without_a_change_writes_nothing(self, backend: Backend) -> None:
        case = a_case()
        await stored(backend, case)
        read = await case_in(backend, case.id)

        uow = backend.uow()
        async with uow:
            await uow.cases.save(read)
            await uow.commit()

        assert (await case_in(backend, case.id)).version == 1

    async def test_touch_moves_the_version_and_time_without_an_event(
        self, backend: Backend
    ) -> None:
        case = a_case()
        await stored(backend, case)
        later = NOW + timedelta(hours=1)
        read = await case_in(backend, case.id)

        uow = backend.uow()
        async with uow:
            await uow.cases.touch(read, later)
            await uow.commit()

        stored_case = await case_in(backend, case.id)
        assert (stored_case.version, stored_case.updated_at) == (2, later)
        assert len(await backend.events_of(case.id)) == 1

    async def test_touching_a_stale_case_is_a_conflict(self, backend: Backend) -> None:
        case = a_case()
        await stored(backend, case)
        stale = await case_in(backend, case.id)
        uow = backend.uow()
        async with uow:
            await uow.cases.touch(await uow.cases.get(case.id), NOW)  # type: ignore[arg-type]
            await uow.commit()

        uow = backend.uow()
        async with uow:
            with pytest.raises(VersionConflict):
                await uow.cases.touch(stale, NOW)

    async def test_a_case_has_open_refunds_until_every_refund_is_final(
        self, backend: Backend
    ) -> None:
        case = a_case()
        refund = a_refund(case)
        await stored(backend, case)

        async def open_refunds() -> bool:
            uow = backend.uow()
            async with uow:
                return await uow.cases.has_open_refunds(case.id)

        assert not await open_refunds()
        await stored(backend, refund)
        assert await open_refunds()
        refund = await refund_in(backend, refund.id)
        refund.reject(by=AGENT, now=NOW, reason="not covered")
        await saved(backend, refund)
        assert not await open_refunds()

    async def test_what_a_block_did_not_commit_is_gone(self, backend: Backend) -> None:
        case = a_case()
        uow = backend.uow()
        async with uow:
            await uow.cases.add(case)

        uow = backend.uow()
        async with uow:
            assert await uow.cases.get(case.id) is None
        assert await backend.events_of(case.id) == []


class TestRefunds:
    async def test_a_stored_refund_reads_back_equal_with_its_event(self, backend: Backend) -> None:
        case = a_case()
        refund = a_refund(case, include_shipping=True)
        await stored(backend, case, refund)

        assert await refund_in(backend, refund.id) == refund
        assert [e.type for e in await backend.events_of(refund.id)] == ["refund_requested"]

    async def test_a_refund_keeps_the_orders_customer(self, backend: Backend) -> None:
        case = a_case()
        anna = Customer(id="cust-anna", name="Anna Berg", email="anna@example.com")
        order = replace(an_order(customer_id=case.customer_id), customer=anna)
        refund = Refund.request(
            id="rf_named",
            support_case_id=case.id,
            order=order,
            calculation=calculate_refund(
                order,
                [RequestedItem(line_id="L2", quantity=1)],
                units_taken={},
                shipping_taken=False,
                include_shipping=False,
            ),
            reason="broken",
            by=AGENT,
            now=NOW,
        )
        await stored(backend, case, refund)

        read = await refund_in(backend, refund.id)

        assert read == refund
        assert read.customer == anna

    @pytest.mark.parametrize(
        ("actor", "reads_it"),
        [(AGENT, True), (ADMIN, True), (ANNA, True), (BEN, False), (NOBODY, False)],
    )
    async def test_staff_read_any_refund_and_a_customer_only_their_own(
        self, backend: Backend, actor: Actor, reads_it: bool
    ) -> None:
        case = a_case()
        refund = a_refund(case)
        await stored(backend, case, refund)

        uow = backend.uow()
        async with uow:
            found = await uow.refunds.get_for(actor, refund.id)
            unknown = await uow.refunds.get_for(actor, "rf_nope")

        assert (found == refund) if reads_it else (found is None)
        assert unknown is None

    async def test_the_refunds_of_a_case_come_oldest_first_then_by_id(
        self, backend: Backend
    ) -> None:
        case, other = a_case(), a_case(id="case_c2")
        refunds = [
            a_refund(case, id="rf_b", at=NOW),
            a_refund(case, id="rf_a", at=NOW),
            a_refund(case, id="rf_0", at=NOW + timedelta(seconds=1)),
            a_refund(other, id="rf_other"),
        ]
        await stored(backend, case, other, *refunds)

        uow = backend.uow()
        async with uow:
            ids = [r.id for r in await uow.refunds.of_case(case.id)]

        assert ids == ["rf_a", "rf_b", "rf_0"]

    async def test_a_save_moves_the_version_and_a_stale_one_is_a_conflict(
        self, backend: Backend
    ) -> None:
        case = a_case()
        refund = a_refund(case)
        await stored(backend, case, refund)
        first, second = await refund_in(backend, refund.id), await refund_in(backend, refund.id)
        first.reject(by=AGENT, now=NOW, reason="not covered")
        second.approve(by=AGENT, now=NOW, window=OPEN_WINDOW, supervisor_threshold=10**6)

        await saved(backend, first)
        with pytest.raises(VersionConflict):
            await saved(backend, second)

        kept = await refund_in(backend, refund.id)
        assert (kept.status, kept.version) == (RefundStatus.REJECTED, 2)
        assert [e.type for e in await backend.events_of(refund.id)] == [
            "refund_requested",
            "refund_rejected",
        ]

    async def test_a_refund_keeps_the_rule_of_its_window_and_the_window_its_approval_saw(
        self, backend: Backend
    ) -> None:
        case = a_case()
        refund = a_refund(case)
        await stored(backend, case, refund)
        read = await refund_in(backend, refund.id)
        shipped_at = NOW - timedelta(days=11)
        lost = RefundWindowPolicy(days=14).window_on(
            WindowBasis.LOST_IN_TRANSIT, shipped_at, None, NOW
        )
        read.approve(by=AGENT, now=NOW, window=lost, supervisor_threshold=10**6)

        await saved(backend, read)

        kept = await refund_in(backend, refund.id)
        assert kept.approval_window == lost
        assert (kept.window_basis, kept.shipped_at, kept.delivered_at) == (
            WindowBasis.LOST_IN_TRANSIT,
            shipped_at,
            None,
        )

    async def test_a_save_expecting_another_status_is_a_conflict(self, backend: Backend) -> None:
        case = a_case()
        refund = a_refund(case)
        await stored(backend, case, refund)
        read = await refund_in(backend, refund.id)
        read.approve(by=AGENT, now=NOW, window=OPEN_WINDOW, supervisor_threshold=10**6)

        with pytest.raises(VersionConflict):
            await saved(backend, read, expected_status=RefundStatus.FAILED)
        await saved(backend, read, expected_status=RefundStatus.REQUESTED)

        assert (await refund_in(backend, refund.id)).status is RefundStatus.APPROVED

    async def test_units_are_taken_by_every_refund_but_rejected_and_cancelled_ones(
        self, backend: Backend
    ) -> None:
        case = a_case()
        held = a_refund(case, id="rf_held", items=(("L2", 2),), include_shipping=True)
        rejected = a_refund(case, id="rf_rejected", items=(("L1", 1),))
        cancelled = a_refund(case, id="rf_cancelled", items=(("L2", 1),), include_shipping=True)
        elsewhere = a_refund(case, id="rf_elsewhere", items=(("L1", 1),), order_id="ORD-2")
        await stored(backend, case, held, rejected, cancelled, elsewhere)
        rejected = await refund_in(backend, rejected.id)
        rejected.reject(by=AGENT, now=NOW, reason="no")
        await saved(backend, rejected)
        cancelled = await refund_in(backend, cancelled.id)
        cancelled.cancel(by=ANNA, now=NOW)
        await saved(backend, cancelled)

        uow = backend.uow()
        async with uow:
            taken = await uow.refunds.units_taken("ORD-1001")
            nothing = await uow.refunds.units_taken("ORD-none")

        assert taken == ({"L2": 2}, True)
        assert nothing == ({}, False)

    async def test_reconciliation_claims_stale_processing_refunds_once_per_lease(
        self, backend: Backend
    ) -> None:
        case = a_case()
        old = NOW - timedelta(minutes=10)
        refunds = {
            name: a_refund(case, id=f"rf_{name}", at=old)
            for name in ("older", "old", "fresh", "approved")
        }
        await stored(backend, case, *refunds.values())
        for name, started in (
            ("older", old - timedelta(minutes=1)),
            ("old", old),
            ("fresh", NOW),
        ):
            refund = await refund_in(backend, refunds[name].id)
            refund.approve(by=AGENT, now=started, window=OPEN_WINDOW, supervisor_threshold=10**6)
            await saved(backend, refund)
            refund.start_attempt(by=AGENT, now=started)
            await saved(backend, refund)

        async def claim(now: datetime, limit: int = 10) -> list[str]:
            uow = backend.uow()
            async with uow:
                claimed = await uow.refunds.claim_for_reconciliation(
                    now=now,
                    stale_before=now - timedelta(minutes=5),
                    lease_until=now + timedelta(minutes=2),
                    limit=limit,
                )
                await uow.commit()
            return claimed

        assert await claim(NOW, limit=1) == ["rf_older"]
        assert await claim(NOW) == ["rf_old"]  # rf_older's lease holds
        assert await claim(NOW + timedelta(minutes=1)) == []
        after_lease = NOW + timedelta(minutes=3)
        assert await claim(after_lease) == ["rf_older", "rf_old"]

    async def test_an_uncommitted_claim_leaves_the_refund_free(self, backend: Backend) -> None:
        case = a_case()
        refund = a_refund(case, at=NOW - timedelta(hours=1))
        await stored(backend, case, refund)
        refund = await refund_in(backend, refund.id)
        refund.approve(
            by=AGENT, now=NOW - timedelta(hours=1), window=OPEN_WINDOW, supervisor_threshold=10**6
        )
        await saved(backend, refund)
        refund.start_attempt(by=AGENT, now=NOW - timedelta(hours=1))
        await saved(backend, refund)
        kwargs = {
            "now": NOW,
            "stale_before": NOW - timedelta(minutes=5),
            "lease_until": NOW + timedelta(minutes=2),
            "limit": 10,
        }
        uow = backend.uow()
        async with uow:
            assert await uow.refunds.claim_for_reconciliation(**kwargs) == [refund.id]

        uow = backend.uow()
        async with uow:
            assert await uow.refunds.claim_for_reconciliation(**kwargs) == [refund.id]


class TestUsers:
    async def test_an_email_is_found_whatever_its_case_and_spaces(self, backend: Backend) -> None:
        user = a_user(email="dana@example.com")
        await stored(backend, user)

        uow = backend.uow()
        async with uow:
            found = await uow.users.by_email("  Dana@Example.COM ")
            by_id = await uow.users.get(user.id)

        assert found == user
        assert by_id == user

    async def test_an_email_is_taken_once(self, backend: Backend) -> None:
        await stored(backend, a_user(id="usr_1", email="dana@example.com"))

        uow = backend.uow()
        async with uow:
            with pytest.raises(EmailTaken):
                await uow.users.add(a_user(id="usr_2", email="dana@example.com"))

    async def test_active_admins_and_the_list_follow_activation(self, backend: Backend) -> None:
        await stored(
            backend,
            a_user(id="usr_b", email="b@example.com", role=Role.ADMIN),
            a_user(id="usr_a", email="a@example.com", role=Role.ADMIN),
            a_user(id="usr_c", email="c@example.com"),
        )
        uow = backend.uow()
        async with uow:
            await uow.users.set_active("usr_b", False)
            await uow.commit()

        uow = backend.uow()
        async with uow:
            admins = await uow.users.active_admin_ids()
            listed = [(u.email, u.active) for u in await uow.users.list()]

        assert admins == {"usr_a"}
        assert listed == [
            ("a@example.com", True),
            ("b@example.com", False),
            ("c@example.com", True),
        ]


class TestReadSideUsesTheSameRule:
    """The read side (SQL only: lists have no fake) holds the same readable rule as
    ``get_for``: what a list shows is exactly what single reads answer, and a sub-resource
    of something unreadable is None (404), while an empty one is an empty list."""

    @pytest.fixture
    async def desk(self, database: Database) -> SqlReadQueries:
        backend = _sql("sql", database)
        anna_case, ben_case, quiet = (
            a_case(),
            a_case(id="case_c2", customer_id="cust-ben"),
            a_case(id="case_c3"),
        )
        await stored(
            backend,
            anna_case,
            ben_case,
            quiet,
            a_refund(anna_case, id="rf_anna"),
            a_refund(ben_case, id="rf_ben"),
        )
        uow = backend.uow()
        async with uow:
            for internal in (False, True):
                message = Message.write(
                    case_id=anna_case.id, by=AGENT, body="hello", internal=internal, now=NOW
                )
                await uow.messages.add(message)
                case = await uow.cases.get(anna_case.id)
                assert case is not None
                case.add_event(
                    "internal_note_added" if internal else "message_added", by=AGENT, now=NOW
                )
                await uow.cases.save(case)
            await uow.commit()
        return SqlReadQueries(database.read_sessions())

    @pytest.mark.parametrize("actor", [AGENT, ANNA, BEN, NOBODY])
    async def test_a_list_holds_exactly_what_single_reads_answer(
        self, database: Database, desk: SqlReadQueries, actor: Actor
    ) -> None:
        cases = await desk.cases(actor, CaseFilters(), limit=100, cursor=None)
        refunds = await desk.refunds(actor, RefundFilters(), limit=100, cursor=None)

        uow = _sql("sql", database).uow()
        async with uow:
            readable_cases = {
                i for i in ("case_c1", "case_c2", "case_c3") if await uow.cases.get_for(actor, i)
            }
            readable_refunds = {
                i for i in ("rf_anna", "rf_ben") if await uow.refunds.get_for(actor, i)
            }
        assert {case.id for case, _ in cases.items} == readable_cases
        assert {refund.id for refund in refunds.items} == readable_refunds

    async def test_a_customer_filtering_by_another_customer_gets_nothing(
        self, desk: SqlReadQueries
    ) -> None:
        page = await desk.cases(ANNA, CaseFilters(customer_id="cust-ben"), limit=10, cursor=None)

        assert page.items == []

    async def test_messages_and_history_of_an_unreadable_case_are_none(
        self, desk: SqlReadQueries
    ) -> None:
        assert await desk.messages(BEN, "case_c1") is None
        assert await desk.case_history(BEN, "case_c1") is None
        assert await desk.refund_history(BEN, "rf_anna") is None
        assert await desk.messages(AGENT, "case_nope") is None
        assert await desk.refund_history(AGENT, "rf_nope") is None

    async def test_a_readable_case_without_messages_has_an_empty_list(
        self, desk: SqlReadQueries
    ) -> None:
        assert await desk.messages(ANNA, "case_c3") == []

    async def test_the_owner_reads_no_internal_note_nor_its_event(
        self, desk: SqlReadQueries
    ) -> None:
        anna_messages = await desk.messages(ANNA, "case_c1")
        staff_messages = await desk.messages(AGENT, "case_c1")
        anna_history = await desk.case_history(ANNA, "case_c1")
        staff_history = await desk.case_history(AGENT, "case_c1")

        assert anna_messages is not None and staff_messages is not None
        assert [m.internal for m in anna_messages] == [False]
        assert [m.internal for m in staff_messages] == [False, True]
        assert anna_history is not None and staff_history is not None
        assert "internal_note_added" not in [e.type for e in anna_history]
        assert "internal_note_added" in [e.type for e in staff_history]
        # The case's history holds its refund's events too.
        assert "refund_requested" in [e.type for e in anna_history]


class TestPaymentEvents:
    async def test_an_event_is_claimed_once_and_a_claim_not_committed_is_forgotten(
        self, backend: Backend
    ) -> None:
        now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
        uncommitted = backend.uow()
        async with uncommitted:
            assert await uncommitted.payment_events.claim("evt_1", type="refund.updated", now=now)
        first = backend.uow()
        async with first:
            assert await first.payment_events.claim("evt_1", type="refund.updated", now=now)
            await first.payment_events.record_outcome("evt_1", refund_id="rf_1", outcome="refunded")
            await first.commit()
        again = backend.uow()
        async with again:
            assert not await again.payment_events.claim("evt_1", type="refund.updated", now=now)


def an_attachment(case: SupportCase, *, id: str, size: int = 100, by: Actor = ANNA) -> Attachment:
    return Attachment.upload(
        id=id,
        case_id=case.id,
        by=by,
        filename=f"{id}.png",
        media_type=MediaType.PNG,
        size=size,
        internal=False,
        storage_key=f"{case.id}/{id}",
        now=NOW,
    )


class TestAttachments:
    async def _case_with_files(self, backend: Backend, *sizes: int) -> SupportCase:
        case = a_case()
        async with backend.uow() as uow:
            await uow.cases.add(case)
            for n, size in enumerate(sizes):
                await uow.attachments.add(an_attachment(case, id=f"att_{n}", size=size))
            await uow.commit()
        return case

    async def test_a_file_reads_back_as_it_was_added(self, backend: Backend) -> None:
        case = await self._case_with_files(backend, 100)
        async with backend.uow() as uow:
            got = await uow.attachments.get("att_0")
            listed = await uow.attachments.of_case(case.id)
        assert got == an_attachment(case, id="att_0")
        assert listed == [got]

    async def test_totals_count_the_files_of_the_case_and_not_the_redacted(
        self, backend: Backend
    ) -> None:
        case = await self._case_with_files(backend, 100, 250)
        async with backend.uow() as uow:
            assert await uow.attachments.totals(case.id) == (2, 350)
            redacted = await uow.attachments.get("att_1")
            assert redacted is not None
            redacted.redact(by=Actor("usr_admin", Role.ADMIN), now=NOW)
            await uow.attachments.redact(redacted)
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.attachments.totals(case.id) == (1, 100)
            assert await uow.attachments.totals("case_other") == (0, 0)

    async def test_a_file_is_named_once_whoever_names_it_first(self, backend: Backend) -> None:
        await self._case_with_files(backend, 100, 100)
        async with backend.uow() as uow:
            assert await uow.attachments.link(["att_0"], message_id="msg_1", refund_id=None) == 1
            await uow.commit()
        async with backend.uow() as uow:
            named = await uow.attachments.link(
                ["att_0", "att_1"], message_id=None, refund_id="rf_1"
            )
            assert named == 1
            first = await uow.attachments.get("att_0")
            second = await uow.attachments.get("att_1")
        assert first is not None and first.message_id == "msg_1" and first.refund_id is None
        assert second is not None and second.refund_id == "rf_1"

    async def test_only_an_unnamed_file_is_removed(self, backend: Backend) -> None:
        await self._case_with_files(backend, 100, 100)
        async with backend.uow() as uow:
            await uow.attachments.link(["att_0"], message_id="msg_1", refund_id=None)
            assert not await uow.attachments.remove("att_0")
            assert await uow.attachments.remove("att_1")
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.attachments.get("att_1") is None
            assert await uow.attachments.get("att_0") is not None

    async def test_leaving_without_commit_keeps_nothing(self, backend: Backend) -> None:
        case = await self._case_with_files(backend)
        async with backend.uow() as uow:
            await uow.attachments.add(an_attachment(case, id="att_x"))
        async with backend.uow() as uow:
            assert await uow.attachments.of_case(case.id) == []


async def test_the_customer_directory_keeps_the_last_name_given_and_rewrites_no_same_row(
    database: Database,
) -> None:
    backend = _sql("directory", database)
    anna = Customer(id="cust-anna", name="Anna Berg", email="Anna@example.com")
    renamed = Customer(id="cust-anna", name="Anna Lind", email="anna.lind@example.com")

    async def opened(number: int, customer: Customer, at: datetime) -> None:
        await stored(backend, a_case(id=f"case_dir{number}", at=at, customer=customer))

    async def directory() -> list[tuple[Any, ...]]:
        async with database.read_sessions()() as session:
            rows = await session.execute(
                select(
                    CustomerRecord.name,
                    CustomerRecord.email,
                    CustomerRecord.search_text,
                    CustomerRecord.updated_at,
                )
            )
            return [tuple(row) for row in rows]

    await opened(1, anna, NOW)
    await opened(2, anna, NOW + timedelta(hours=1))
    assert await directory() == [
        ("Anna Berg", "anna@example.com", "anna berg\nanna@example.com", NOW)
    ]

    await opened(3, renamed, NOW + timedelta(hours=2))
    assert await directory() == [
        (
            "Anna Lind",
            "anna.lind@example.com",
            "anna lind\nanna.lind@example.com",
            NOW + timedelta(hours=2),
        )
    ]


async def test_a_customers_cases_opened_at_once_do_not_wait_for_each_others_commit(
    database: Database,
) -> None:
    # PostgreSQL's row locks: the directory's row of a customer it already names is read,
    # not locked, by each case opened (SQLite's writers take turns by design).
    if database.write_lock is not None:
        pytest.skip("SQLite has one writer at a time")
    backend = _sql("directory", database)
    anna = Customer(id="cust-anna", name="Anna Berg", email="anna@example.com")
    await stored(backend, a_case(id="case_first", customer=anna))

    held = backend.uow()
    async with held:
        await held.cases.add(a_case(id="case_held", customer=anna))
        # Within the held transaction: another case of hers commits meanwhile.
        await asyncio.wait_for(stored(backend, a_case(id="case_beside", customer=anna)), 5)
        await held.commit()

    async with backend.uow() as uow:
        assert await uow.cases.get("case_held") is not None
        assert await uow.cases.get("case_beside") is not None
