"""The database connection pool: connections go to waiters in the order they came, a
connection idle past a short window is pinged before use, and PostgreSQL reads run each
statement in its own transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.util import greenlet_spawn
from sqlalchemy.util.queue import Empty

from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.db import session as db_session
from supportdesk.infrastructure.db.session import Database, _FairQueue, make_engine
from tests.conftest import TEST_DATABASE_URL

# Behind PgBouncer each transaction may get another server connection: a server-side
# connection ended by hand says nothing about the one this client holds.
direct_postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL
    or not TEST_DATABASE_URL.startswith("postgresql")
    or "pgbouncer" in TEST_DATABASE_URL,
    reason="needs TEST_DATABASE_URL (PostgreSQL, not through PgBouncer)",
)


@pytest.fixture
async def one_connection(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine whose pool holds one connection and makes no more (SQLite's writer)."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", write=True)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_connection_coming_back_goes_to_the_first_waiter_not_to_a_newcomer(
    one_connection: AsyncEngine,
) -> None:
    order: list[str] = []

    async def use(name: str) -> None:
        async with one_connection.connect():
            order.append(name)

    holder = await one_connection.connect()
    waiting = [asyncio.create_task(use(name)) for name in ("first", "second")]
    await asyncio.sleep(0.05)  # both wait for the one connection now
    await holder.close()
    # Asks at once, before the woken waiter has run: it must queue behind both.
    await use("newcomer")
    await asyncio.gather(*waiting)

    assert order == ["first", "second", "newcomer"]


@pytest.mark.parametrize("wait_seconds", [None, 2.0])
async def test_a_waiter_cancelled_as_it_is_handed_a_connection_stops_and_passes_it_on(
    wait_seconds: float | None,
) -> None:
    """The cancellation wins over the connection (``asyncio.wait_for`` on Python 3.11
    would return the connection and drop the cancellation), and the connection goes to
    the next waiter."""
    shelf = _FairQueue(1)

    async def take() -> str:
        return str(await greenlet_spawn(shelf.get, True, wait_seconds))

    first = asyncio.create_task(take())
    await asyncio.sleep(0.01)
    second = asyncio.create_task(take())
    await asyncio.sleep(0.01)
    shelf.put_nowait("the connection")  # handed to the first waiter …
    first.cancel()  # … which is cancelled before it runs

    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.wait_for(second, timeout=2) == "the connection"
    assert shelf.empty()


async def test_a_waiter_whose_time_ran_out_is_handed_nothing_later() -> None:
    shelf = _FairQueue(1)

    with pytest.raises(Empty):
        await greenlet_spawn(shelf.get, True, 0.01)
    shelf.put_nowait("the connection")

    assert shelf.qsize() == 1  # on the shelf, not handed to the waiter that left
    assert await greenlet_spawn(shelf.get, True, 0.01) == "the connection"


async def _server_pid(connection: AsyncConnection) -> int:
    return int(await connection.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _end_server_side(pid: int) -> None:
    assert TEST_DATABASE_URL
    other = make_engine(TEST_DATABASE_URL)
    try:
        async with other.connect() as connection:
            await connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()
    await asyncio.sleep(0.1)  # the server has closed that connection's socket


@asynccontextmanager
async def _pooled_connection_ended(
    monkeypatch: pytest.MonkeyPatch, ping_after_idle_seconds: float
) -> AsyncIterator[tuple[AsyncEngine, int]]:
    """A PostgreSQL engine whose one pooled connection's server side has ended, and the
    ended connection's server process id."""
    assert TEST_DATABASE_URL
    monkeypatch.setattr(db_session, "PING_AFTER_IDLE_SECONDS", ping_after_idle_seconds)
    engine = make_engine(TEST_DATABASE_URL)
    try:
        async with engine.connect() as connection:
            ended = await _server_pid(connection)
        await _end_server_side(ended)
        yield engine, ended
    finally:
        await engine.dispose()


@direct_postgres_only
async def test_a_connection_idle_past_the_window_whose_server_side_ended_is_replaced_unseen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with (
        _pooled_connection_ended(monkeypatch, 0.0) as (engine, ended),
        engine.connect() as connection,
    ):
        assert await _server_pid(connection) != ended


@direct_postgres_only
async def test_a_connection_used_within_the_window_whose_server_side_ended_fails_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with _pooled_connection_ended(monkeypatch, 3600.0) as (engine, ended):
        # Not pinged: the statement finds the connection gone, a 503 with Retry-After …
        with pytest.raises(DependencyUnavailable):
            async with engine.connect() as connection:
                await _server_pid(connection)
        # … and the pool has replaced its connections for the next request.
        async with engine.connect() as connection:
            assert await _server_pid(connection) != ended


@direct_postgres_only
async def test_postgresql_reads_run_each_statement_in_a_transaction_of_its_own() -> None:
    """now() is the start of the statement's transaction: it moves between two statements
    of a read, and stands still within a write's transaction."""
    assert TEST_DATABASE_URL
    database = Database.connect(TEST_DATABASE_URL)
    now = text("SELECT now()")

    async def two_moments(session: AsyncSession) -> tuple[datetime, datetime]:
        first = await session.scalar(now)
        await asyncio.sleep(0.02)
        second = await session.scalar(now)
        assert first is not None and second is not None
        return first, second

    try:
        async with database.read_sessions()() as session, session.begin():
            first, second = await two_moments(session)
            assert second > first
        async with database.write_sessions()() as session, session.begin():
            first, second = await two_moments(session)
            assert second == first
    finally:
        await database.dispose()


async def test_behind_pgbouncers_transaction_pooling_reads_keep_their_transaction() -> None:
    """There a statement outside a transaction may be prepared on one server connection
    and run on another."""
    url = "postgresql+asyncpg://postgres@127.0.0.1:6432/supportdesk"
    pooled, direct = Database.connect(f"{url}?pgbouncer=true"), Database.connect(url)
    try:
        assert pooled.reader is pooled.writer
        assert direct.reader is not direct.writer
    finally:
        await pooled.dispose()
        await direct.dispose()
