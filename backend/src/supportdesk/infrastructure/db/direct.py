"""SQLite's hottest reads on the driver itself, by SQLAlchemy statements compiled once.

A GET of a case runs three statements (the case, its refunds, its history). On the inline
reader (``session.make_inline_reader``) each ``Connection.execute`` still went through
SQLAlchemy's execution context: the statement cache's key, the parameters' construction,
the events, the cursor result and its row proxies. That was 4 µs of SQLite against ~110 µs
of SQLAlchemy per statement, and with the connection's checkout, BEGIN and return, two
fifths of the request's CPU (bench/README.md).

Here a statement built once (a module constant of the repositories) is compiled once for
SQLite; each run is the driver's ``execute`` with the parameters in the compiled order,
and each row goes through the columns' own result processors (the same ones SQLAlchemy
applies: text to datetime and then ``UTCDateTime``'s UTC, JSON, booleans) into a named
tuple. The statements stay SQLAlchemy's, written once for both databases; PostgreSQL runs
them as before. A test compares every statement's rows with SQLAlchemy's
(``tests/integration/test_direct_reads.py``).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect

from supportdesk.domain.errors import DependencyUnavailable

T = TypeVar("T")

# Statements are compiled once each and kept: they must be built once, not per request.
# A read that passes a statement built per call would grow this without end; past this many
# it is refused, which a test run finds at once.
_MOST_STATEMENTS = 64


class CompiledRead:
    """One SELECT, compiled for SQLite: its SQL, its parameters' order and processors, and
    how its rows are made."""

    __slots__ = ("_binds", "_compiled", "_processors", "_row", "sql")

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.positiontup is None or any(
            b.expanding for b in compiled.binds.values()
        ):  # pragma: no cover - a statement this module was not written for
            raise ValueError("only positional statements without expanding parameters")
        self.sql = compiled.string
        self._compiled = compiled
        self._binds = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]
        columns = list(statement.selected_columns)
        self._processors = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
        ]
        self._row: Any = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]

    def parameters(self, given: Mapping[str, Any]) -> list[Any]:
        """The values in the order the SQL takes them: ``given`` and the statement's own
        literals, through the types' bind processors."""
        values = self._compiled.construct_params(given)
        return [
            processor(values[name]) if processor else values[name]
            for name, processor in self._binds
        ]

    def row(self, raw: tuple[Any, ...]) -> Any:
        values = list(raw)
        for index, processor in self._processors:
            values[index] = processor(values[index])
        return self._row._make(values)


class Rows:
    """What ``Connection.execute`` returns, as far as the reads use it: iteration and
    ``first()``."""

    __slots__ = ("_cursor", "_read")

    def __init__(self, read: CompiledRead, cursor: sqlite3.Cursor) -> None:
        self._read = read
        self._cursor = cursor

    def __iter__(self) -> Iterator[Any]:
        return (self._read.row(raw) for raw in self._cursor.fetchall())

    def first(self) -> Any:
        raw = self._cursor.fetchone()
        return None if raw is None else self._read.row(raw)


class DirectConnection:
    """The ``connection`` a read function is given: ``execute(statement, parameters)`` as
    SQLAlchemy's, for statements built once."""

    __slots__ = ("_cursor", "_reader")

    def __init__(self, reader: DirectReader, cursor: sqlite3.Cursor) -> None:
        self._reader = reader
        self._cursor = cursor

    def execute(self, statement: Select[Any], parameters: Mapping[str, Any]) -> Rows:
        read = self._reader.compiled(statement)
        self._cursor.execute(read.sql, read.parameters(parameters))
        return Rows(read, self._cursor)


class DirectReader:
    """Runs ``read(connection, *args)`` in one read transaction straight on the driver, on
    a connection of its own made by the inline reader (``session.make_inline_reader``: its
    pragmas, its outage translation).

    A read here is one synchronous call, so one connection serves them all; taking it from
    the pool and giving it back (the pool's events, its reset) cost as much as the three
    statements. It is kept here instead, out of the pool; a read run from a second thread at
    the same moment (a test's client) gets another."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect
        self._compiled: dict[Select[Any], CompiledRead] = {}
        self._idle: list[sqlite3.Connection] = []

    def compiled(self, statement: Select[Any]) -> CompiledRead:
        read = self._compiled.get(statement)
        if read is None:
            if len(self._compiled) >= _MOST_STATEMENTS:
                raise RuntimeError("direct reads take statements built once, not per call")
            read = self._compiled[statement] = CompiledRead(statement, self._dialect)
        return read

    def _connection(self) -> sqlite3.Connection:
        try:
            return self._idle.pop()
        except IndexError:
            pooled = self.engine.raw_connection()
            connection: sqlite3.Connection = pooled.driver_connection  # type: ignore[assignment]
            pooled.detach()  # ours from now on, closed by ``close``
            return connection

    def run(self, read: Callable[..., T], *args: Any) -> T:
        connection = self._connection()
        try:
            cursor = connection.cursor()
            # A deferred BEGIN: one snapshot for all the statements, taking no lock that a
            # writer waits for (WAL).
            cursor.execute("BEGIN")
            return read(DirectConnection(self, cursor), *args)
        except sqlite3.OperationalError as exc:
            # As ``session._translate_outages``: locked past the reader's busy timeout is
            # the database not answering, not a fault of the request.
            if "locked" in str(exc):
                raise DependencyUnavailable("database") from exc
            raise
        finally:
            try:
                connection.rollback()
            except sqlite3.Error:  # pragma: no cover - a connection SQLite gave up on
                connection.close()
            else:
                self._idle.append(connection)

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
