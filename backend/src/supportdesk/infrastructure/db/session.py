"""Engines and sessions. SQLite is a single writer: write transactions BEGIN IMMEDIATE on
the one connection of the writer engine; reads BEGIN (deferred) on the reader engine's
connections and, in WAL mode, never wait for the writer."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import uuid4

import aiosqlite
import orjson
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty, Full

from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.db.direct import DirectReader
from supportdesk.infrastructure.json_text import json_text

SQLITE_BUSY_TIMEOUT_MS = 15_000
# SQLite has one write lock per database. One writer connection per process makes writers
# queue in the pool (woken in order when the connection comes back) instead of N
# connections polling the lock with busy_timeout's sleeps, which is what made p99 seconds
# long. busy_timeout still covers other processes (a second replica, `supportdesk
# reconcile`).
SQLITE_WRITER_POOL = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 15}
SQLITE_READER_POOL = {"pool_size": 4, "max_overflow": 4, "pool_timeout": 2}
# One process on one event loop: a request holds a connection only for its statements (its
# transaction, for a write), so a few serve 32 requests in flight. Measured under the mixed
# run (bench/README.md): with 15 a PostgreSQL connection each, two workers kept 30 backends
# busy, and PostgreSQL spent 0.48 ms of CPU a request, against 0.35 with 8 each; the
# requests waiting for a connection here, in order, also gave the writes their turn (a
# write's p99 under one worker 280-310 ms with 15, 110-120 with 8). Two workers served
# 741-751 req/s of that mix with 15, 894-918 with 8 (5: 844-910, 3: 743-852). All are kept,
# none opened for a moment past the pool: overflow connections were opened and closed three
# or four times a second under load, each connecting, setting up its codecs and preparing
# every statement again.
POSTGRES_POOL = {"pool_size": 8, "max_overflow": 0}
# A pooled PostgreSQL connection used this recently is taken as alive; one idle longer is
# pinged at checkout, and replaced if the ping fails (HikariCP's ``aliveBypassWindowMs``,
# also 500 ms). SQLAlchemy's ``pool_pre_ping`` pings at every checkout, in a transaction of
# its own: BEGIN, an empty statement and ROLLBACK, three round trips a request that cost
# the server as much CPU as the reads themselves (bench/README.md).
PING_AFTER_IDLE_SECONDS = 0.5
# A reader in WAL mode waits for nothing but a crash recovery or a truncating checkpoint,
# neither of which we run; it is not left to block the event loop for long if it does.
SQLITE_READER_BUSY_TIMEOUT_MS = 2_000


class _FairQueue(AsyncAdaptedQueue[Any]):
    """The pool's connections, handed to those waiting for one in the order they came.

    SQLAlchemy's queue wakes the first waiter when a connection comes back, but a request
    arriving before that waiter runs takes the connection, and the waiter queues again at
    the back: with more requests in flight than connections, a few waited seconds while
    the mean was tens of milliseconds (PostgreSQL, one worker: p99 1.1 s at 417 req/s).
    Here a connection that comes back goes straight to the first waiter, and nobody takes
    one from the shelf while anyone waits."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._shelf: deque[Any] = deque()
        self._waiters: deque[asyncio.Future[Any]] = deque()

    def empty(self) -> bool:
        return not self._shelf

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._shelf)

    def qsize(self) -> int:
        return len(self._shelf)

    def put_nowait(self, item: Any) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._shelf.append(item)

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # the pool returns connections without blocking

    def get_nowait(self) -> Any:
        if not self._shelf:
            raise Empty()
        return self._shelf.pop() if self.use_lifo else self._shelf.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self._shelf or not block:
            return self.get_nowait()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await_(_handed(waiter, timeout))
        except TimeoutError as exc:
            if waiter.done() and not waiter.cancelled():
                return waiter.result()  # handed over as the time ran out: it is ours
            waiter.cancel()
            raise Empty() from exc
        except BaseException:
            # Cancelled (or failed) while waiting: a connection handed over just before
            # goes to the next waiter, and none is handed to this one later.
            if waiter.done() and not waiter.cancelled():
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
            raise


async def _handed(waiter: asyncio.Future[Any], seconds: float | None) -> Any:
    """``asyncio.timeout``, not ``wait_for``: on Python 3.11 ``wait_for`` returns a result
    that arrived with a cancellation and drops the cancellation (CPython gh-86296), so a
    task cancelled as it got its connection would go on running."""
    async with asyncio.timeout(seconds):
        return await waiter


class _Pool(AsyncAdaptedQueuePool):
    """Waiting longer than ``pool_timeout`` for a free connection is the database not
    keeping up: the same 503 as a database that does not answer."""

    _queue_class = _FairQueue

    def _do_get(self) -> Any:
        try:
            return super()._do_get()
        except sa_exc.TimeoutError as exc:
            raise DependencyUnavailable("database", "every database connection is busy") from exc


# SQLAlchemy names a pool's logger after its class's module; under "sqlalchemy" it keeps the
# level SQLAlchemy sets (WARN) instead of printing every pool event at our INFO.
_Pool.__module__ = "sqlalchemy.pool.impl"


def _translate_outages(engine: Engine) -> None:
    """A database that cannot be reached raises ``DependencyUnavailable`` at this one depth,
    for every unit of work and query alike: the API answers 503 with Retry-After."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as exc:  # refused, unreachable, connect timeout
            raise DependencyUnavailable("database") from exc

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return  # the pool's ping of a stale connection: the pool reconnects itself
        # No connection yet: it could not be made (a file that cannot be opened, a server
        # that refuses us). A disconnect: the server went away under a statement, or the
        # statement outran asyncpg's command_timeout (SQLAlchemy drops that connection).
        if context.connection is None or context.is_disconnect:
            raise DependencyUnavailable("database") from context.original_exception
        # SQLite's busy_timeout ran out: another process (a second worker, a CLI command)
        # held the write lock all that time. Nothing was written; the request may be sent
        # again.
        busy = writer_busy(context.original_exception)
        if busy is not None:
            raise busy from context.original_exception


def writer_busy(original: BaseException) -> DependencyUnavailable | None:
    """What SQLite's busy_timeout running out is to a request (``_translate_outages``, and
    ``direct_writes`` for the statements it runs on the driver); None for any other error."""
    if isinstance(original, sqlite3.OperationalError) and "locked" in str(original):
        return DependencyUnavailable(
            "database", "the database is busy with another writer; try again shortly"
        )
    return None


class _InlineSqliteConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the calling (event loop) thread.

    A read of a few indexed rows from the page cache, or the insert of a case, takes tens
    of microseconds; handing each call to aiosqlite's thread and back (a queue, a GIL
    switch and a loop wake-up per BEGIN, execute, fetch and COMMIT) cost several times that
    and was most of a request's time, and far more on a busy machine, where each wake-up
    waits for a time slice. The thread is still started, for connecting and closing.

    What this costs: while SQLite works, the loop waits. Within one process nothing waits
    for the write lock (one writer connection, queued in the pool); a writer of another
    process (a second worker, ``supportdesk reconcile``) holds it only for a short write
    transaction, as no write transaction waits on I/O, and that is how long a BEGIN
    IMMEDIATE here may block this process."""

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_sqlite(driver_connection: Any) -> sqlite3.Connection | None:
    """SQLite's own connection under an inline aiosqlite connection, on which a call runs
    as the inline connection would run it; None under any other."""
    if isinstance(driver_connection, _InlineSqliteConnection):
        return driver_connection._conn
    return None


def _inline_connector(url: str) -> Any:
    """What ``async_creator`` calls: a connection opened as SQLAlchemy would open it."""
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)

    def connect() -> aiosqlite.Connection:
        connection = _InlineSqliteConnection(
            partial(sqlite3.connect, *args, **kwargs), iter_chunk_size=64
        )
        connection._thread.daemon = True  # as SQLAlchemy does with aiosqlite's own
        return connection

    return connect


def _configure_sqlite(engine: Engine | AsyncEngine, begin: str, busy_timeout_ms: int) -> None:
    if isinstance(engine, AsyncEngine):
        engine = engine.sync_engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves instead of the driver's implicit deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


# PgBouncer in transaction pooling mode hands each transaction whichever server connection
# is free, so a statement prepared in one transaction is unknown (or, by asyncpg's counter
# name, a different statement) in the next. With ``?pgbouncer=true`` on the URL (the
# convention other PostgreSQL clients use) nothing is cached across transactions and every
# prepared statement gets a name no other client can have. PgBouncer before 1.21 cannot
# track prepared statements itself; this works with every version (docs/deploying.md).
TRANSACTION_POOLING_CONNECT_ARGS: dict[str, Any] = {
    "statement_cache_size": 0,  # asyncpg's own cache
    "prepared_statement_cache_size": 0,  # SQLAlchemy's, in its asyncpg dialect
    "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4().hex}__",
}


def pgbouncer_options(url: str) -> tuple[str, dict[str, Any]]:
    """The URL without its ``pgbouncer`` option, and the connect arguments it asks for."""
    parsed = make_url(url)
    flag = parsed.query.get("pgbouncer")
    if flag is None:
        return url, {}
    on = str(flag).lower() in {"true", "1", "yes"}
    rest = parsed.difference_update_query(["pgbouncer"]).render_as_string(hide_password=False)
    return rest, dict(TRANSACTION_POOLING_CONNECT_ARGS) if on else {}


# JSON columns (a case's order snapshot, events' details) read with orjson: the standard
# library's parser was 6 % of the CPU of a page of cases, one snapshot a row; written with
# orjson too (``json_text``).
read_json = orjson.loads


def make_engine(
    url: str,
    *,
    write: bool = True,
    echo: bool = False,
    connect_timeout: float = 2.0,
    command_timeout: float | None = None,
) -> AsyncEngine:
    """``connect_timeout`` bounds making a connection and waiting for a pooled one;
    ``command_timeout`` (PostgreSQL) bounds each statement. SQL parameters are kept out of
    error messages and logs: they carry e-mail addresses and token ids."""
    bounded: dict[str, Any] = {
        "poolclass": _Pool,
        "hide_parameters": True,
        "json_deserializer": read_json,
        "json_serializer": json_text,
    }
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=_inline_connector(url),
            **(SQLITE_WRITER_POOL if write else SQLITE_READER_POOL),
            **bounded,
        )
        if write:
            _configure_sqlite(engine, "BEGIN IMMEDIATE", SQLITE_BUSY_TIMEOUT_MS)
        else:
            _configure_sqlite(engine, "BEGIN", SQLITE_READER_BUSY_TIMEOUT_MS)
    else:
        url, pooling = pgbouncer_options(url)
        connect_args = {"timeout": connect_timeout, "command_timeout": command_timeout, **pooling}
        engine = create_async_engine(
            url,
            echo=echo,
            **POSTGRES_POOL,
            pool_timeout=connect_timeout,
            connect_args=connect_args,
            **bounded,
        )
        _ping_after_idle(engine.sync_engine)
    _translate_outages(engine.sync_engine)
    return engine


_IDLE_SINCE = "idle_since"


def _ping_after_idle(engine: Engine) -> None:
    """A connection idle for longer than ``PING_AFTER_IDLE_SECONDS`` is pinged before use.

    A server restarted while the connection was in use recently is still noticed: the
    statement fails as a disconnect, SQLAlchemy then replaces every connection of the pool,
    and that request answers 503 with Retry-After (``_translate_outages``)."""

    @event.listens_for(engine.pool, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # The pool reconnects this pooled connection and tries the checkout again.
            raise sa_exc.DisconnectionError("a pooled connection did not answer") from exc


def make_inline_reader(url: str, *, echo: bool = False) -> Engine:
    """SQLite: a plain (not async) engine for the hot reads, called straight from the event
    loop with ``with engine.connect() as c: read(c)``.

    The calls of an async connection already run on the loop's thread here
    (``_InlineSqliteConnection``), but each still passes through SQLAlchemy's greenlet
    bridge and the aiosqlite adapter, per BEGIN, statement, fetch and ROLLBACK: a third of
    the CPU of a GET of one case (bench/README.md). A read run here is one synchronous call
    from checkout to return, so this process never has two of them at once: one pooled
    connection serves them all and a second would only be opened by a read run from another
    thread."""
    parsed = make_url(url).set(drivername="sqlite")
    engine = create_engine(
        parsed,
        echo=echo,
        pool_size=1,
        max_overflow=4,
        pool_timeout=2,
        hide_parameters=True,
        json_deserializer=read_json,
        json_serializer=json_text,
        # Always one caller at a time; which thread that is can differ (a test's client).
        connect_args={"check_same_thread": False},
    )
    _configure_sqlite(engine, "BEGIN", SQLITE_READER_BUSY_TIMEOUT_MS)
    _translate_outages(engine)
    return engine


@dataclass
class Database:
    """The writer and the reader. On PostgreSQL the reader is the writer's pool with each
    statement in its own transaction (autocommit): at READ COMMITTED, PostgreSQL's level,
    every statement of a transaction sees its own snapshot all the same, so a read's BEGIN
    and ROLLBACK were two round trips that bought nothing. Not behind PgBouncer's
    transaction pooling (``?pgbouncer=true``), where the reader is the writer."""

    writer: AsyncEngine
    reader: AsyncEngine
    # SQLite: the engine whose connections (its pragmas, its outage translation) the direct
    # reader keeps for the hot reads, a case and a page of cases (``direct.DirectReader``).
    inline_reader: Engine | None = field(default=None)
    direct_reader: DirectReader | None = field(default=None)
    # SQLite: write units of work take turns here, first come first served. The pool's
    # queue alone is not fair (a newcomer can take the connection a woken waiter was
    # about to get), which gave writes a p99 ten times their mean under load.
    write_lock: asyncio.Lock | None = field(default=None)

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        echo: bool = False,
        connect_timeout: float = 2.0,
        command_timeout: float | None = None,
    ) -> Database:
        bounds: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "command_timeout": command_timeout,
        }
        writer = make_engine(url, write=True, echo=echo, **bounds)
        if url.startswith("sqlite"):
            reader = make_engine(url, write=False, echo=echo, **bounds)
            inline_reader = make_inline_reader(url, echo=echo)
            return cls(
                writer=writer,
                reader=reader,
                inline_reader=inline_reader,
                direct_reader=DirectReader(inline_reader),
                write_lock=asyncio.Lock(),
            )
        if pgbouncer_options(url)[1]:
            # Behind PgBouncer in transaction pooling mode, a statement outside a
            # transaction is prepared on one server connection and may run on another:
            # reads keep their transaction there.
            return cls(writer=writer, reader=writer)
        return cls(writer=writer, reader=writer.execution_options(isolation_level="AUTOCOMMIT"))

    def write_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.writer, expire_on_commit=False, autoflush=False)

    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.reader, expire_on_commit=False, autoflush=False)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader.sync_engine.pool is not self.writer.sync_engine.pool:
            await self.reader.dispose()
        if self.direct_reader is not None:
            self.direct_reader.close()
        if self.inline_reader is not None:
            self.inline_reader.dispose()
