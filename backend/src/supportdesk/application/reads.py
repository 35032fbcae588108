"""What the read side answers, whatever stores it: list filters, pages and their cursors,
and the overview's figures. The read port itself is ``ReadQueries`` in ``ports.py``."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from supportdesk.domain.errors import InvalidCursor

T = TypeVar("T")
# The sort keys of the case list, each also descending with a "-": ``due_at`` is the
# earliest pending SLA due time, with the cases that have none last either way.
CASE_SORT_KEYS = ("created_at", "updated_at", "due_at")
SORTS = tuple(sort for key in CASE_SORT_KEYS for sort in (key, f"-{key}"))
# Sorts whose key may be null (a cursor then carries null).
NULLABLE_SORTS = frozenset({"due_at", "-due_at"})


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: Sequence[str] = ()
    priority: str | None = None
    category: str | None = None
    assignee_id: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    q: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    # SLA statuses (ok, at_risk, breached, paused), any of them.
    sla_status: Sequence[str] = ()
    sort: str = "-created_at"


@dataclass(frozen=True, slots=True)
class RefundFilters:
    status: Sequence[str] = ()
    order_id: str | None = None
    customer_id: str | None = None
    support_case_id: str | None = None
    # A refund's, case's or order's id exactly, or the customer's id, name or address.
    q: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: str = "-created_at"


@dataclass(slots=True)
class PageOf(Generic[T]):
    items: list[T]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stats:
    cases_by_status: dict[str, int]
    refunds_by_status: dict[str, int]
    refunded_totals: dict[str, int]
    settled_totals: dict[str, int]
    median_seconds_to_final_30d: float | None
    refunds_per_day: list[tuple[str, int]]
    # SLA breaches recorded over the last 30 days, per clock; open cases per SLA status now.
    sla_breaches_30d: dict[str, int] = field(default_factory=dict)
    cases_by_sla_status: dict[str, int] = field(default_factory=dict)
    # Time to money per ISO week ("2026-W49"): the median seconds from the request to the
    # money sent (refunded or settled) of the refunds that got there that week, and how many.
    time_to_money_weeks: list[tuple[str, float, int]] = field(default_factory=list)


def encode_cursor(sort: str, value: datetime | None, row_id: str) -> str:
    """Where the next page starts: the sort it was given out for, and the last row's sort
    value (null for a row without one, in a sort that puts those last) and id."""
    raw = json.dumps([sort, value.isoformat() if value else None, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None = None) -> tuple[datetime | None, str]:
    """The position a cursor of ours names. Anything else, or a cursor given out for another
    sort than ``sort``, is refused with ``InvalidCursor``: whatever garbage it holds, it never
    reaches a query."""
    refused = InvalidCursor("the cursor is not one this service gave out", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        given_for, value, row_id = json.loads(raw)
        at = (
            None if value is None and given_for in NULLABLE_SORTS else datetime.fromisoformat(value)
        )
        if at is not None:
            at.astimezone(UTC)  # an offset that takes it out of range
    except (ValueError, TypeError, OverflowError, binascii.Error, RecursionError):
        raise refused from None
    valid = (
        given_for in SORTS
        and (at is None or at.tzinfo is not None)
        and isinstance(row_id, str)
        and 0 < len(row_id) <= 64
        and row_id.isascii()
        and row_id.isprintable()
    )
    if not valid:
        raise refused
    if sort is not None and given_for != sort:
        raise InvalidCursor(
            f"the cursor was given out for sort={given_for}, not sort={sort}", field="cursor"
        )
    return at, row_id
