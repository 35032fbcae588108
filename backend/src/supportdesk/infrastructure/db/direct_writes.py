"""A unit of work's INSERTs (and its one hot read) on SQLite, straight on the driver, in
the unit of work's own transaction.

A new case is four INSERTs (the case, the customer directory's row, the case's event, the
event's outbox rows) and a read of the webhook endpoints. Through the session, each was a
hop to the driver's greenlet and a pass through SQLAlchemy's execution context (the
parameters, the events, the cursor's result) around tens of microseconds of SQLite: a third
of a new case's CPU (bench/README.md). Here each statement is compiled once for the
session's dialect, as ``direct.py`` compiles the reads, and run with the driver's
``execute`` on the connection the session's transaction holds: the BEGIN IMMEDIATE before
them and the COMMIT after them are the session's, as before. The inline connection
(``session.inline_sqlite``) runs SQLite on the loop's thread, so a call here is the call
aiosqlite would have made. On PostgreSQL, or on any other connection, the session executes
them as before.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from supportdesk.infrastructure.db.direct import Binds, CompiledRead, Rows, binds_of, positional
from supportdesk.infrastructure.db.session import inline_sqlite, writer_busy

# session.info: the transaction the driver's connection below was found for, and it.
_DRIVER = "supportdesk.sqlite_driver"


class _CompiledInsert:
    __slots__ = ("binds", "compiled", "sql")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        self.compiled = compiled
        self.sql = compiled.string
        self.binds: Binds = binds_of(compiled, dialect)


# By statement (the repositories' module constants), then by the columns given: an INSERT
# of all its rows' keys compiles to the columns named, as SQLAlchemy compiles it. None: a
# statement whose columns SQLAlchemy fills in itself (a Python-side default), left to it.
_INSERTS: weakref.WeakKeyDictionary[Insert, dict[tuple[str, ...], _CompiledInsert | None]] = (
    weakref.WeakKeyDictionary()
)
_SELECTS: weakref.WeakKeyDictionary[Select[Any], CompiledRead] = weakref.WeakKeyDictionary()


async def insert(
    session: AsyncSession, statement: Insert, rows: Mapping[str, Any] | Sequence[Mapping[str, Any]]
) -> None:
    """``session.execute(statement, rows)``: one row, or many with the same keys."""
    each: Sequence[Mapping[str, Any]] = [rows] if isinstance(rows, Mapping) else rows
    driver = await _driver(session)
    if driver is None:
        await session.execute(statement, rows)
        return
    keys = tuple(each[0])
    by_keys = _INSERTS.setdefault(statement, {})
    if keys not in by_keys:
        by_keys[keys] = _compiled_insert(statement, keys, driver[1])
    compiled = by_keys[keys]
    if compiled is None:
        await session.execute(statement, rows)
        return
    values = [positional(compiled.compiled, compiled.binds, row) for row in each]
    cursor = driver[0].cursor()
    try:
        if len(values) == 1:
            cursor.execute(compiled.sql, values[0])
        else:
            cursor.executemany(compiled.sql, values)
    except sqlite3.Error as exc:
        raise _as_sqlalchemy(exc, compiled.sql) from exc
    finally:
        cursor.close()


async def select_rows(
    session: AsyncSession, statement: Select[Any], parameters: Mapping[str, Any] | None = None
) -> list[Any]:
    """``list(await session.execute(statement, parameters))``."""
    driver = await _driver(session)
    if driver is None:
        return list(await session.execute(statement, parameters))
    read = _SELECTS.get(statement)
    if read is None:
        read = _SELECTS[statement] = CompiledRead(statement, driver[1])
    cursor = driver[0].cursor()
    try:
        read.execute(cursor, parameters or {}, None)
        return list(Rows(read, cursor))
    except sqlite3.Error as exc:
        raise _as_sqlalchemy(exc, read.sql) from exc
    finally:
        cursor.close()


def _compiled_insert(
    statement: Insert, keys: tuple[str, ...], dialect: Dialect
) -> _CompiledInsert | None:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    assert isinstance(compiled, SQLCompiler)
    if compiled.insert_prefetch or compiled.postfetch or compiled.returning:
        return None
    return _CompiledInsert(compiled, dialect)


async def _driver(session: AsyncSession) -> tuple[sqlite3.Connection, Dialect] | None:
    """The SQLite connection of the session's transaction, begun, with the dialect; None
    when the session's connection is not an inline SQLite one."""
    if session.get_bind().dialect.name != "sqlite":
        return None  # PostgreSQL: the session's own execution, with no look for a driver
    kept = session.info.get(_DRIVER)
    transaction = session.sync_session.get_transaction()
    if kept is not None and transaction is not None and kept[0] is transaction:
        found: tuple[sqlite3.Connection, Dialect] | None = kept[1]
        return found
    connection = await session.connection()  # the transaction's: BEGIN IMMEDIATE, if not yet
    pooled = await connection.get_raw_connection()
    driver = inline_sqlite(pooled.driver_connection)
    found = None if driver is None else (driver, connection.dialect)
    session.info[_DRIVER] = (session.sync_session.get_transaction(), found)
    return found


def _as_sqlalchemy(exc: sqlite3.Error, sql: str) -> Exception:
    """The exception the session would have raised (``session._translate_outages``), so a
    caller catching SQLAlchemy's ``IntegrityError`` still catches it."""
    return writer_busy(exc) or sa_exc.DBAPIError.instance(
        sql, None, exc, sqlite3.Error, hide_parameters=True
    )
