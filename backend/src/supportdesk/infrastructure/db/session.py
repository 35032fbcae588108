"""Engines and sessions. SQLite is a single writer: write transactions BEGIN IMMEDIATE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000


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


def make_engine(url: str, *, write: bool = True, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, pool_size=8, max_overflow=16)
        _configure_sqlite(engine, "BEGIN IMMEDIATE" if write else "BEGIN")
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


@dataclass
class Database:
    """The writer and the reader; one and the same engine on PostgreSQL."""

    writer: AsyncEngine
    reader: AsyncEngine

    @classmethod
    def connect(cls, url: str, *, echo: bool = False) -> Database:
        writer = make_engine(url, write=True, echo=echo)
        reader = make_engine(url, write=False, echo=echo) if url.startswith("sqlite") else writer
        return cls(writer=writer, reader=reader)

    def write_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.writer, expire_on_commit=False, autoflush=False)

    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(self.reader, expire_on_commit=False, autoflush=False)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
