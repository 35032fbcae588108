"""Keyset pages: ordered by ``(sort column, id)``, resumed after the last row a page showed,
so rows added while a client pages never make one skipped or repeated. The cursor's format
is ``application.reads``'s (the API checks it before any query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, tuple_

from supportdesk.application.reads import decode_cursor, encode_cursor

# Sort keys whose column may be null: those rows come last.
NULLABLE_KEYS = frozenset({"due_at"})


def keyset(
    query: Select[Any],
    sort_column: Any,
    id_column: Any,
    sort: str,
    cursor: str | None,
    limit: int,
) -> Select[Any]:
    """The page's query: after the cursor's row, in the sort's order, one row more than the
    page holds (whether there is a next page)."""
    descending = sort.startswith("-")
    if sort.lstrip("-") in NULLABLE_KEYS:
        return _keyset_nulls_last(query, sort_column, id_column, descending, cursor, sort, limit)
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        key = tuple_(sort_column, id_column)
        query = query.where(key < (value, row_id) if descending else key > (value, row_id))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    return query.order_by(*order).limit(limit + 1)


def _keyset_nulls_last(
    query: Select[Any],
    sort_column: Any,
    id_column: Any,
    descending: bool,
    cursor: str | None,
    sort: str,
    limit: int,
) -> Select[Any]:
    """A sort on a column that may be null, rows without a value last in either direction
    (among themselves by id, in the sort's direction). The cursor's null value means the
    page ended among those."""
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        after_id = id_column < row_id if descending else id_column > row_id
        if value is None:
            query = query.where(sort_column.is_(None), after_id)
        else:
            key = tuple_(sort_column, id_column)
            query = query.where(
                or_(
                    and_(
                        sort_column.is_not(None),
                        key < (value, row_id) if descending else key > (value, row_id),
                    ),
                    sort_column.is_(None),
                )
            )
    if descending:
        order = (sort_column.desc().nulls_last(), id_column.desc())
    else:
        order = (sort_column.asc().nulls_last(), id_column.asc())
    return query.order_by(*order).limit(limit + 1)


def cut(records: list[Any], limit: int, sort: str, sort_key: str) -> tuple[list[Any], str | None]:
    """The page, and the cursor of the next one when the query found one row more."""
    if len(records) <= limit:
        return records, None
    page = records[:limit]
    last = page[-1]
    value: datetime | None = getattr(last, sort_key)
    return page, encode_cursor(sort, value, last.id)
