"""Keyset pages: ordered by the sort's columns and then the id, resumed after the last row a
page showed, so rows added while a client pages never make one skipped or repeated. The
cursor's format is ``application.reads``'s (the API checks it before any query)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, or_, tuple_

from supportdesk.application.reads import NULLABLE_SORT_KEYS, decode_position, encode_position
from supportdesk.domain.errors import InvalidCursor


def keyset(
    query: Select[Any],
    sort_columns: Sequence[Any],
    id_column: Any,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """The page's query: after the cursor's row, in the sort's order (every column the same
    way, so one row-value comparison says "after" and one index serves it), one row more
    than the page holds (whether there is a next page)."""
    descending = sort.startswith("-")
    if sort.lstrip("-") in NULLABLE_SORT_KEYS:
        (column,) = sort_columns
        return _keyset_nulls_last(query, column, id_column, descending, sort, cursor, limit)
    columns = [*sort_columns, id_column]
    if cursor:
        values, row_id = decode_position(cursor, sort)
        _check_kinds(values, sort_columns)
        key = tuple_(*columns)
        after = (*values, row_id)
        query = query.where(key < after if descending else key > after)
    order = [column.desc() for column in columns] if descending else columns
    return query.order_by(*order).limit(limit + 1)


def _keyset_nulls_last(
    query: Select[Any],
    sort_column: Any,
    id_column: Any,
    descending: bool,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """A sort on one column that may be null, the rows without a value last in either
    direction (among themselves by id, in the sort's direction). A cursor holding null
    stopped among those."""
    if cursor:
        values, row_id = decode_position(cursor, sort)
        if len(values) != 1 or not (values[0] is None or isinstance(values[0], datetime)):
            raise InvalidCursor("the cursor is not one this service gave out", field="cursor")
        (value,) = values
        after_id = id_column < row_id if descending else id_column > row_id
        if value is None:
            query = query.where(sort_column.is_(None), after_id)
        else:
            key = tuple_(sort_column, id_column)
            after = key < (value, row_id) if descending else key > (value, row_id)
            query = query.where(or_(and_(sort_column.is_not(None), after), sort_column.is_(None)))
    if descending:
        order = (sort_column.desc().nulls_last(), id_column.desc())
    else:
        order = (sort_column.asc().nulls_last(), id_column.asc())
    return query.order_by(*order).limit(limit + 1)


def cut(
    records: list[Any], limit: int, sort: str, sort_keys: Sequence[str]
) -> tuple[list[Any], str | None]:
    """The page, and the cursor of the next one when the query found one row more."""
    if len(records) <= limit:
        return records, None
    page = records[:limit]
    last = page[-1]
    return page, encode_position(sort, [getattr(last, key) for key in sort_keys], last.id)


def _check_kinds(values: Sequence[object], sort_columns: Sequence[Any]) -> None:
    """A cursor of ours holds, for each column of its sort, a value of that column's kind; a
    forged one that does not never reaches the query."""
    kinds_match = len(values) == len(sort_columns) and all(
        isinstance(value, int) and not isinstance(value, datetime)
        if isinstance(column.type, Integer)
        else isinstance(value, datetime)
        for value, column in zip(values, sort_columns, strict=True)
    )
    if not kinds_match:
        raise InvalidCursor("the cursor is not one this service gave out", field="cursor")
