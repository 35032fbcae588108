"""SQLite's hot reads on the driver itself, by SQLAlchemy statements compiled once.

A GET of a case runs three statements (the case, its refunds, its history), a page of
cases three more (the page, its refunds, its last messages). On the inline reader
(``session.make_inline_reader``) each ``Connection.execute`` still went through
SQLAlchemy's execution context: the parameters' construction, the events, the cursor
result and its row proxies. That was 4 µs of SQLite against ~110 µs of SQLAlchemy per
statement, and with the connection's checkout, BEGIN and return, two fifths of the CPU of
a GET of a case (bench/README.md).

Here each statement is compiled once for SQLite and kept: a statement built once (a module
constant of the repositories) by itself, one built per request (a page's filters) by its
SQLAlchemy cache key, whose extracted values then fill in that request's literals, as
SQLAlchemy's own statement cache does. Each run is the driver's ``execute`` with the
parameters in the compiled order (lists of ids expanded as SQLAlchemy expands them), and
each row goes through the columns' own result processors (the same ones SQLAlchemy
applies: text to datetime and then ``UTCDateTime``'s UTC, JSON, booleans) into a named
tuple. The statements stay SQLAlchemy's, written once for both databases; PostgreSQL runs
them as before. A test compares the reads' results with SQLAlchemy's
(``tests/integration/test_direct_reads.py``).
"""

from __future__ import annotations

import sqlite3
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

from supportdesk.domain.errors import DependencyUnavailable

T = TypeVar("T")

# Statements of different shapes kept compiled: every combination of the lists' filters
# is one, and each is a few kB.
_MOST_SHAPES = 500


# A statement's parameters in its compiled order, each with its bind processor.
Binds = list[tuple[str, Callable[[Any], Any] | None]]

# A statement's SQL with its lists expanded for some sizes, and each placeholder's
# parameter, item of a list (or None) and bind processor.
Expansion = tuple[str, list[tuple[str, int | None, Callable[[Any], Any] | None]]]

# Lists' sizes kept expanded, per statement: a page's ids are at most a page.
_MOST_EXPANSIONS = 200


def binds_of(compiled: SQLCompiler, dialect: Dialect) -> Binds:
    if compiled.positiontup is None:  # pragma: no cover - SQLite's style is positional
        raise ValueError("only positional statements")
    return [
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in compiled.positiontup
    ]


def positional(
    compiled: SQLCompiler,
    binds: Binds,
    given: Mapping[str, Any],
    extracted: Sequence[BindParameter[Any]] | None = None,
) -> list[Any]:
    """The values of ``given`` (and of the statement's own literals) in the compiled
    order, each through its type's bind processor, as SQLAlchemy's execution makes them."""
    values = compiled.construct_params(given, extracted_parameters=extracted)
    return [processor(values[name]) if processor else values[name] for name, processor in binds]


class CompiledRead:
    """One SELECT, compiled for SQLite: its SQL, its parameters' order and processors, and
    how its rows are made."""

    __slots__ = (
        "_bind_processors",
        "_binds",
        "_compiled",
        "_expanded",
        "_expanding",
        "_processors",
        "_row",
        "sql",
    )

    def __init__(self, statement: Select[Any], dialect: Dialect, cache_key: Any = None) -> None:
        # With its cache key, as SQLAlchemy compiles it: what lets another statement of
        # the same shape run with its own literal values (``extracted``).
        compiled = statement.compile(dialect=dialect, cache_key=cache_key)
        self.sql = compiled.string
        self._compiled = compiled
        self._expanding = [
            compiled.bind_names[bind] for bind in compiled.binds.values() if bind.expanding
        ]
        self._expanded: dict[tuple[int, ...], Expansion] = {}
        self._binds = binds_of(compiled, dialect)
        self._bind_processors = {name: p for name, p in self._binds if p is not None}
        columns = list(statement.selected_columns)
        self._processors = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
        ]
        self._row: Any = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]

    def execute(
        self,
        cursor: sqlite3.Cursor,
        given: Mapping[str, Any],
        extracted: Sequence[BindParameter[Any]] | None,
    ) -> None:
        """Runs it with ``given`` and the statement's own literals (``extracted``: those of
        the statement this one was compiled for by its cache key)."""
        compiled = self._compiled
        if not self._expanding:
            cursor.execute(self.sql, positional(compiled, self._binds, given, extracted))
            return
        values = compiled.construct_params(
            given, extracted_parameters=extracted, _no_postcompile=True
        )
        sizes = tuple(len(values[name]) for name in self._expanding)
        expansion = self._expanded.get(sizes)
        if expansion is None:
            if len(self._expanded) >= _MOST_EXPANSIONS:
                self._expanded.clear()
            expansion = self._expanded[sizes] = self._expansion(values)
        sql, order = expansion
        parameters = []
        for name, item, processor in order:
            value = values[name] if item is None else values[name][item]
            parameters.append(processor(value) if processor else value)
        cursor.execute(sql, parameters)

    def _expansion(self, values: Mapping[str, Any]) -> Expansion:
        """The SQL with each list bound as one parameter (``IN``) made one placeholder per
        item, as ``SQLCompiler.construct_expanded_state`` makes it (which takes no extracted
        values), and where each placeholder's value comes from. It depends only on the
        lists' sizes, so it is worked out once per size: with stand-ins for the items,
        followed through SQLAlchemy's own expansion (a tenth of a page's CPU, made each
        time)."""
        probe = dict(values)
        stand_ins: dict[int, tuple[str, int]] = {}
        for name in self._expanding:
            items = [object() for _ in values[name]]
            stand_ins.update((id(item), (name, i)) for i, item in enumerate(items))
            probe[name] = items
        state = self._compiled._process_parameters_for_postcompile(probe)
        # The expanded items' processors are the state's; the other parameters' are the
        # compiled statement's own.
        processors = {**self._bind_processors, **state.processors}
        assert state.positiontup is not None
        order: list[tuple[str, int | None, Callable[[Any], Any] | None]] = []
        for placeholder in state.positiontup:
            name, item = stand_ins.get(id(state.parameters[placeholder]), (placeholder, None))
            order.append((name, item, processors.get(placeholder)))
        return state.statement, order

    def row(self, raw: tuple[Any, ...]) -> Any:
        values = list(raw)
        for index, processor in self._processors:
            values[index] = processor(values[index])
        return self._row._make(values)


class MadeOfRows(Generic[T]):
    """What ``make`` made of each stored row (a case of a case's row), kept by the row's
    stored values as SQLite gave them and the statement that read them: the same values
    read again make the same thing, so it is not made again. Nothing kept can be stale: a
    row changed in any column is other values, made afresh. What is kept is every read's
    of the row: a reader that may change it takes a copy (the list's cases do).

    A page of cases read again (an agent's queue, the list refreshed after each change)
    spent a third of its CPU turning the same rows into the same cases: the columns'
    processors (the times, the JSON snapshot) and the domain's objects
    (bench/README.md)."""

    __slots__ = ("_made", "_make", "_most")

    def __init__(self, make: Callable[[Any], T], *, most: int) -> None:
        self._make = make
        self._most = most
        self._made: dict[tuple[CompiledRead, tuple[Any, ...]], tuple[Any, T]] = {}

    def each(self, rows: Iterable[Any]) -> list[tuple[Any, T]]:
        """Each row with what ``make`` made of it: on the direct reader, kept; on
        SQLAlchemy's connection (PostgreSQL), made each time."""
        if isinstance(rows, Rows):
            return rows.made_by(self)
        return [(row, self._make(row)) for row in rows]

    def of_raw(self, read: CompiledRead, raws: list[tuple[Any, ...]]) -> list[tuple[Any, T]]:
        made = self._made
        out = []
        for raw in raws:
            found = made.get((read, raw))
            if found is None:
                if len(made) >= self._most:
                    # The oldest goes: a page read often is soon kept again.
                    made.pop(next(iter(made)), None)
                row = read.row(raw)
                found = made[read, raw] = (row, self._make(row))
            out.append(found)
        return out


class Rows:
    """What ``Connection.execute`` returns, as far as the reads use it: iteration and
    ``first()``, and what ``MadeOfRows`` makes of them."""

    __slots__ = ("_cursor", "_read")

    def __init__(self, read: CompiledRead, cursor: sqlite3.Cursor) -> None:
        self._read = read
        self._cursor = cursor

    def __iter__(self) -> Iterator[Any]:
        return (self._read.row(raw) for raw in self._cursor.fetchall())

    def made_by(self, kept: MadeOfRows[T]) -> list[tuple[Any, T]]:
        return kept.of_raw(self._read, self._cursor.fetchall())

    def first(self) -> Any:
        raw = self._cursor.fetchone()
        return None if raw is None else self._read.row(raw)


class DirectConnection:
    """The ``connection`` a read function is given: ``execute(statement, parameters)`` as
    SQLAlchemy's."""

    __slots__ = ("_cursor", "_reader")

    def __init__(self, reader: DirectReader, cursor: sqlite3.Cursor) -> None:
        self._reader = reader
        self._cursor = cursor

    def execute(self, statement: Select[Any], parameters: Mapping[str, Any] | None = None) -> Rows:
        read, extracted = self._reader.compiled(statement)
        read.execute(self._cursor, parameters or {}, extracted)
        return Rows(read, self._cursor)


class DirectReader:
    """Runs ``read(connection, *args)`` in one read transaction straight on the driver, on
    a connection of its own made by the inline reader (``session.make_inline_reader``: its
    pragmas, its outage translation).

    A read here is one synchronous call, so one connection serves them all; taking it from
    the pool and giving it back (the pool's events, its reset) cost as much as the three
    statements of a GET of a case. It is kept here instead, out of the pool; a read run from
    a second thread at the same moment (a test's client) gets another."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect
        # By the statement itself: a module constant is found without working out its
        # cache key; a statement built per request leaves with its request.
        self._by_statement: weakref.WeakKeyDictionary[
            Select[Any], tuple[CompiledRead, Sequence[BindParameter[Any]] | None]
        ] = weakref.WeakKeyDictionary()
        self._by_shape: dict[Any, CompiledRead] = {}
        self._idle: list[sqlite3.Connection] = []

    def compiled(
        self, statement: Select[Any]
    ) -> tuple[CompiledRead, Sequence[BindParameter[Any]] | None]:
        """The statement compiled, and the literal values to run it with."""
        found = self._by_statement.get(statement)
        if found is not None:
            return found
        key = statement._generate_cache_key()
        if key is None:  # pragma: no cover - nothing uncacheable is read here
            return CompiledRead(statement, self._dialect), None
        read = self._by_shape.get(key.key)
        if read is None:
            if len(self._by_shape) >= _MOST_SHAPES:
                self._by_shape.clear()
            read = self._by_shape[key.key] = CompiledRead(statement, self._dialect, key)
        found = self._by_statement[statement] = (read, key.bindparams)
        return found

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
