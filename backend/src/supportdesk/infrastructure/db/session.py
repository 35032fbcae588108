"""Engines and sessions. SQLite is a single writer: write transactions BEGIN IMMEDIATE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool

from supportdesk.domain.errors import DependencyUnavailable

SQLITE_BUSY_TIMEOUT_MS = 15_000


class _Pool(AsyncAdaptedQueuePool):
    """Waiting longer than ``pool_timeout`` for a free connection is the database not
    keeping up: the same 503 as a database that does not answer."""

    def _do_get(self) -> Any:
        try:
            return super()._do_get()
        except sa_exc.TimeoutError as exc:
            raise DependencyUnavailable("database", "every database connection is busy") from exc


# SQLAlchemy names a pool's logger after its class's module; under "sqlalchemy" it keeps the
# level SQLAlchemy sets (WARN) instead of printing every pool event at our INFO.
_Pool.__module__ = "sqlalchemy.pool.impl"


def _translate_outages(engine: AsyncEngine) -> None:
    """A database that cannot be reached raises ``DependencyUnavailable`` at this one depth,
    for every unit of work and query alike: the API answers 503 with Retry-After."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as exc:  # refused, unreachable, connect timeout
            raise DependencyUnavailable("database") from exc

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return  # the pool's ping of a stale connection: the pool reconnects itself
        # No connection yet: it could not be made (a file that cannot be opened, a server
        # that refuses us). A disconnect: the server went away under a statement, or the
        # statement outran asyncpg's command_timeout (SQLAlchemy drops that connection).
        if context.connection is None or context.is_disconnect:
            raise DependencyUnavailable("database") from context.original_exception


def _configure_sqlite(engine: AsyncEngine, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves instead of the driver's implicit deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


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
        "pool_timeout": connect_timeout,
        "hide_parameters": True,
    }
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, pool_size=8, max_overflow=16, **bounded)
        _configure_sqlite(engine, "BEGIN IMMEDIATE" if write else "BEGIN")
    else:
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=True,
            connect_args={"timeout": connect_timeout, "command_timeout": command_timeout},
            **bounded,
        )
    _translate_outages(engine)
    return engine


@dataclass
class Database:
    """The writer and the reader; one and the same engine on PostgreSQL."""

    writer: AsyncEngine
    reader: AsyncEngine

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
        reader = (
            make_engine(url, write=False, echo=echo, **bounds)
            if url.startswith("sqlite")
            else writer
        )
        return cls(writer=writer, reader=reader)

    def write_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.writer, expire_on_commit=False, autoflush=False)

    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.reader, expire_on_commit=False, autoflush=False)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
