"""Rows written in large batches, fast: for bulk data, never for the service's own writes.

PostgreSQL gets COPY; SQLite gets multi-row inserts in large transactions, with durability
traded for speed and the full-text index filled once per transaction instead of per row.
The rows are the ones the repositories write (``mapping.py``); what they hold is decided
elsewhere (``supportdesk.devdata.bulk``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from supportdesk.infrastructure.db.models import (
    CustomerRecord,
    EventRecord,
    MessageRecord,
    RefundRecord,
    SupportCaseRecord,
)
from supportdesk.infrastructure.db.session import make_engine

FTS_INSERT_TRIGGER = "support_cases_fts_insert"
# Columns stored as JSON: COPY takes them as text.
JSON_COLUMNS = frozenset({"order_snapshot", "items", "approval_window", "settlement"})


@dataclass(slots=True)
class RowBatch:
    """Rows of cases, refunds, messages and events, in the order they are to be written,
    and customer directory rows (upserted: the directory may know a customer already)."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Written:
    cases: int
    refunds: int
    events: int


async def write_batches(
    database_url: str,
    batches: Iterable[RowBatch],
    *,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Writes every batch, then refreshes the planner's statistics; returns the counts."""
    engine = make_engine(database_url, write=True)
    totals = [0, 0, 0]
    try:
        async with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            text_index = None
            if not postgres:
                await _sqlite_bulk_pragmas(connection)
                text_index = await _SqliteTextIndex.pause(connection)
            number = 0
            async for rows in _made_ahead(batches):
                if postgres:
                    await _copy(connection, rows)
                else:
                    await _insert(connection, rows)
                await _upsert_customers(connection, rows.customers, postgres=postgres)
                totals = [
                    totals[0] + len(rows.cases),
                    totals[1] + len(rows.refunds),
                    totals[2] + len(rows.events),
                ]
                # Large transactions, but a bounded WAL on SQLite.
                if postgres or number % 10 == 9:
                    if text_index:
                        await text_index.resume(connection)
                    await connection.commit()
                    if text_index:
                        text_index = await _SqliteTextIndex.pause(connection)
                if progress:
                    progress(totals[0])
                number += 1
            if text_index:
                await text_index.resume(connection)
            await connection.commit()
            # Fresh planner statistics, or the first queries over the new rows plan blind.
            # On PostgreSQL VACUUM also merges the GIN indexes' pending lists, which every
            # text search would otherwise read through (3 ms instead of 10-15 ms at 1M).
            if postgres:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql(
                    "VACUUM ANALYZE support_cases, refunds, events, messages, customers"
                )
            else:
                # Likewise, merge the FTS segments the per-transaction fills have left.
                if text_index:
                    await connection.exec_driver_sql(
                        "INSERT INTO support_cases_fts(support_cases_fts) VALUES ('optimize')"
                    )
                if await connection.scalar(
                    text("SELECT 1 FROM sqlite_master WHERE name = 'customers_fts'")
                ):
                    await connection.exec_driver_sql(
                        "INSERT INTO customers_fts(customers_fts) VALUES ('optimize')"
                    )
                await connection.exec_driver_sql("ANALYZE")
                await connection.commit()
    finally:
        await engine.dispose()
    return Written(cases=totals[0], refunds=totals[1], events=totals[2])


async def _made_ahead(batches: Iterable[RowBatch]) -> AsyncIterator[RowBatch]:
    """Makes the next batch in a worker thread while the current one is written: the
    database's work (SQLite's C code, PostgreSQL's server) then overlaps Python's."""
    iterator = iter(batches)
    upcoming = asyncio.create_task(asyncio.to_thread(next, iterator, None))
    try:
        while (rows := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(next, iterator, None))
            yield rows
    finally:
        if not upcoming.done():
            await asyncio.wait([upcoming])


async def _sqlite_bulk_pragmas(connection: AsyncConnection) -> None:
    """A lost bulk load is simply run again, so durability is traded for speed here.
    Run before the first statement: SQLite refuses some of these inside a transaction."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    for pragma in ("synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
        await driver.execute(f"PRAGMA {pragma}")


@dataclass(frozen=True, slots=True)
class _SqliteTextIndex:
    """Fills the full-text table of migration 0002 once per transaction instead of once per
    row from its insert trigger, which is many times slower. The trigger is dropped and made
    again inside the same write transaction, so no other writer ever sees it missing."""

    trigger_sql: str
    rowid_before: int

    @classmethod
    async def pause(cls, connection: AsyncConnection) -> _SqliteTextIndex | None:
        trigger_sql = await connection.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": FTS_INSERT_TRIGGER},
        )
        if trigger_sql is None:
            return None
        rowid_before = await connection.scalar(text("SELECT max(rowid) FROM support_cases"))
        await connection.exec_driver_sql(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        return cls(trigger_sql=trigger_sql, rowid_before=rowid_before or 0)

    async def resume(self, connection: AsyncConnection) -> None:
        await connection.execute(
            text(
                "INSERT INTO support_cases_fts(rowid, subject, description) "
                "SELECT rowid, subject, description FROM support_cases WHERE rowid > :before"
            ),
            {"before": self.rowid_before},
        )
        await connection.exec_driver_sql(self.trigger_sql)


async def _insert(connection: AsyncConnection, rows: RowBatch) -> None:
    for record, records in (
        (SupportCaseRecord, rows.cases),
        (RefundRecord, rows.refunds),
        (MessageRecord, rows.messages),
        (EventRecord, rows.events),
    ):
        if records:
            await connection.execute(insert(record), records)


async def _upsert_customers(
    connection: AsyncConnection, rows: list[dict[str, Any]], *, postgres: bool
) -> None:
    """The directory's rows, the last naming winning as when a case is opened
    (``SqlCaseRepository``): a database with the demo data knows some customers already."""
    if not rows:
        return
    stmt: Any = (pg_insert if postgres else sqlite_insert)(CustomerRecord)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={name: stmt.excluded[name] for name in rows[0] if name != "id"},
    )
    for first in range(0, len(rows), 10_000):
        await connection.execute(stmt, rows[first : first + 10_000])


async def _copy(connection: AsyncConnection, rows: RowBatch) -> None:
    """COPY, the fastest way into PostgreSQL; JSON goes in as text."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    for table, records in (
        ("support_cases", rows.cases),
        ("refunds", rows.refunds),
        ("messages", rows.messages),
        ("events", rows.events),
    ):
        if not records:
            continue
        columns = list(records[0])
        await driver.copy_records_to_table(
            table,
            columns=columns,
            records=[
                tuple(
                    json.dumps(r[c]) if c in JSON_COLUMNS and r[c] is not None else r[c]
                    for c in columns
                )
                for r in records
            ],
        )
