"""The schema migrations run both ways on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from supportdesk.domain.refunds import Refund
from supportdesk.domain.window import RefundWindowPolicy, WindowBasis
from supportdesk.infrastructure.db.mapping import refund_from_record
from supportdesk.infrastructure.db.migrate import downgrade, upgrade
from supportdesk.infrastructure.db.models import Base, RefundRecord
from supportdesk.infrastructure.db.session import make_engine, pgbouncer_options

pytestmark = pytest.mark.integration


def table_names(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def on_postgres_server(statement: str) -> None:
    url, pooling = pgbouncer_options(os.environ["TEST_DATABASE_URL"])

    async def run() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT", connect_args=pooling)
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture
def database_urls(tmp_path: Path) -> Iterator[list[str]]:
    """A SQLite file, and a database of its own on the PostgreSQL server of
    TEST_DATABASE_URL when there is one."""
    urls = [f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"]
    base = os.environ.get("TEST_DATABASE_URL")
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    if base:
        on_postgres_server(f"CREATE DATABASE {name}")
        server, _, options = base.partition("?")
        urls.append(server.rsplit("/", 1)[0] + f"/{name}" + (f"?{options}" if options else ""))
    yield urls
    if base:
        # FORCE: a pooler in between (PgBouncer) may still hold a connection to it.
        on_postgres_server(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_upgrade_to_head_and_down_to_base_and_up_again(database_urls: list[str]) -> None:
    expected = {table.name for table in Base.metadata.sorted_tables}
    for url in database_urls:
        upgrade(url)
        assert expected <= table_names(url), url
        downgrade(url, "base")
        assert table_names(url) - {"alembic_version"} <= {"sqlite_sequence"}, url
        upgrade(url)
        assert expected <= table_names(url), url


def run_sql(url: str, *statements: str) -> list[tuple[object, ...]]:
    """Runs the statements in one transaction; answers the last one's rows."""

    async def run() -> list[tuple[object, ...]]:
        engine = make_engine(url)
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.exec_driver_sql(statement)
        await engine.dispose()
        return [tuple(row) for row in result.all()] if result.returns_rows else []

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _event(seq: int, type: str, source: str | None, target: str | None) -> str:
    def text(value: str | None) -> str:
        return "NULL" if value is None else f"'{value}'"

    return (
        "INSERT INTO events (seq, id, at, actor_id, actor_role, entity, entity_id, case_id, "
        f"type, from_status, to_status, note) VALUES ({seq}, 'evt_{seq}', "
        f"'2026-01-01 10:00:0{seq}', 'usr_bob', 'agent', 'support_case', 'case_1', 'case_1', "
        f"'{type}', {text(source)}, {text(target)}, NULL)"
    )


def test_events_that_moved_no_status_lose_their_statuses_and_get_them_back_on_downgrade(
    database_urls: list[str],
) -> None:
    written_before = [
        (1, "case_opened", None, "open"),
        (2, "assigned", "open", "open"),
        (3, "status_changed", "open", "in_progress"),
        (4, "message_added", "in_progress", "in_progress"),
        (5, "priority_changed", "in_progress", "in_progress"),
        (6, "note", "in_progress", "in_progress"),
    ]
    read = "SELECT seq, type, from_status, to_status FROM events ORDER BY seq"
    for url in database_urls:
        upgrade(url, "0003")
        run_sql(url, *(_event(*row) for row in written_before))

        upgrade(url)
        assert run_sql(url, read) == [
            (1, "case_opened", None, "open"),
            (2, "assigned", None, None),
            (3, "status_changed", "open", "in_progress"),
            (4, "message_added", None, None),
            (5, "priority_changed", None, None),
            (6, "note", None, None),
        ], url

        downgrade(url, "0003")
        assert run_sql(url, read) == written_before, url
        upgrade(url)


def test_cases_from_before_0012_get_their_priority_rank(database_urls: list[str]) -> None:
    """Sorting by priority reads the rank: older cases must have it, or they would sort as
    'normal' whatever their priority."""
    for url in database_urls:
        upgrade(url, "0011")
        run_sql(
            url,
            *(
                "INSERT INTO support_cases (id, customer_id, order_id, subject, description, "
                "category, priority, status, assignee_id, order_snapshot, version, created_at, "
                f"updated_at, channel) VALUES ('case_{p}', 'CUST-1', 'ORD-1', 's', 'd', 'other', "
                f"'{p}', 'open', NULL, '{{}}', 1, '2026-01-01 10:00:00', "
                "'2026-01-01 10:00:00', 'web')"
                for p in ("low", "normal", "high", "urgent")
            ),
        )
        upgrade(url)
        assert run_sql(
            url, "SELECT priority, priority_rank FROM support_cases ORDER BY priority_rank"
        ) == [("low", 0), ("normal", 1), ("high", 2), ("urgent", 3)], url
        downgrade(url, "0011")
        upgrade(url)


def test_refunds_approved_before_0019_keep_the_window_of_their_delivery(
    database_urls: list[str],
) -> None:
    """Before 0019 a refund kept neither when its order shipped nor the rule of its window:
    its window, and the one its approval saw, are the delivery's (none when undelivered)."""
    case = (
        "INSERT INTO support_cases (id, customer_id, order_id, subject, description, category, "
        "priority, status, assignee_id, order_snapshot, version, created_at, updated_at, "
        "channel) VALUES ('case_1', 'CUST-1', 'ORD-1', 's', 'd', 'not_delivered', 'normal', "
        "'open', NULL, '{}', 1, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 'web')"
    )

    def refund(id: str, delivered_at: str | None, window: str) -> str:
        delivered = "NULL" if delivered_at is None else f"'{delivered_at}'"
        return (
            "INSERT INTO refunds (id, support_case_id, order_id, customer_id, "
            "payment_reference, delivered_at, status, currency, items, include_shipping, "
            "shipping_amount, total_amount, reason, approval_window, attempt, restock, version, "
            f"created_at, updated_at) VALUES ('{id}', 'case_1', 'ORD-1', 'CUST-1', 'pi_1', "
            f"{delivered}, 'approved', 'EUR', '[]', false, 0, 100, 'r', '{window}', 0, false, "
            "2, '2026-01-02 10:00:00', '2026-01-02 10:00:00')"
        )

    delivered = (
        '{"delivered_at": "2026-01-01T10:00:00+00:00", '
        '"closes_at": "2026-01-15T10:00:00+00:00", "open": true}'
    )
    undelivered = '{"delivered_at": null, "closes_at": null, "open": false}'
    for url in database_urls:
        upgrade(url, "0018")
        run_sql(
            url,
            case,
            refund("rf_delivered", "2026-01-01 10:00:00+00:00", delivered),
            refund("rf_undelivered", None, undelivered),
        )
        upgrade(url)

        kept = read_refunds(url, "rf_delivered", "rf_undelivered")
        now = datetime(2026, 1, 3, tzinfo=UTC)
        policy = RefundWindowPolicy(days=14)
        assert [r.window_basis for r in kept] == [None, None], url
        assert [r.approval_window.basis for r in kept if r.approval_window] == [
            WindowBasis.DELIVERED,
            WindowBasis.NONE,
        ], url
        assert [(w.basis, w.open) for w in (r.window_at(policy, now) for r in kept)] == [
            (WindowBasis.DELIVERED, True),
            (WindowBasis.NONE, False),
        ], url
        downgrade(url, "0018")
        upgrade(url)


def read_refunds(url: str, *ids: str) -> list[Refund]:
    async def read() -> list[Refund]:
        engine = make_engine(url)
        async with AsyncSession(engine) as session:
            records = [await session.get(RefundRecord, id) for id in ids]
        await engine.dispose()
        return [refund_from_record(record) for record in records if record is not None]

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()
