"""Keyset pages: ordered by ``(sort column, id)``, resumed after the last row a page showed,
so rows added while a client pages never make one skipped or repeated. The cursor's format
is ``application.reads``'s (the API checks it before any query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, tuple_

from supportdesk.application.reads import decode_cursor, encode_cursor


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
    if cursor:
        value, row_id = decode_cursor(cursor, sort)
        key = tuple_(sort_column, id_column)
        query = query.where(key < (value, row_id) if descending else key > (value, row_id))
    order = (sort_column.desc(), id_column.desc()) if descending else (sort_column, id_column)
    return query.order_by(*order).limit(limit + 1)


def cut(records: list[Any], limit: int, sort: str, sort_key: str) -> tuple[list[Any], str | None]:
    """The page, and the cursor of the next one when the query found one row more."""
    if len(records) <= limit:
        return records, None
    page = records[:limit]
    last = page[-1]
    value: datetime = getattr(last, sort_key)
    return page, encode_cursor(sort, value, last.id)
