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

from supportdesk.domain.cases import SupportCase
from supportdesk.domain.errors import InvalidCursor
from supportdesk.domain.events import Event
from supportdesk.domain.refunds import Refund

T = TypeVar("T")
# The sort keys of each list (``sort=key`` ascending, ``sort=-key`` descending). A key's
# columns are the read adapter's (``CASE_SORT_COLUMNS`` in ``db/reads/lists.py``), which has
# one entry per key here: a new sort is a word here and its columns there.
# ``due_at`` is a case's earliest SLA due time still pending (docs/sla.md).
CASE_SORT_KEYS = ("created_at", "updated_at", "priority", "due_at")
REFUND_SORT_KEYS = ("created_at", "updated_at")
ALL_SORT_KEYS = frozenset(CASE_SORT_KEYS + REFUND_SORT_KEYS)
# Keys whose one column may be null: those rows come last either way, and a cursor that
# stopped among them holds null.
NULLABLE_SORT_KEYS = frozenset({"due_at"})
MOST_SORT_COLUMNS = 4
CursorValue = datetime | int


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: Sequence[str] = ()
    priority: str | None = None
    category: str | None = None
    # A staff member's id (``assignee_id=me`` is the caller's, resolved by the API).
    assignee_id: str | None = None
    # ``assignee_id=none``: the cases nobody has taken.
    unassigned: bool = False
    # "Needs me": open or in progress, or the customer wrote last (docs/desk.md).
    needs_attention: bool = False
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


@dataclass(frozen=True, slots=True)
class CaseRead:
    """A case with its refunds, and its own events when they were asked for (its SLA
    clocks are worked out from them), as one snapshot of the store gave them."""

    case: SupportCase
    refunds: list[Refund]
    events: list[Event] | None = None


@dataclass(slots=True)
class PageOf(Generic[T]):
    items: list[T]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReasonFigures:
    """One reason's refunds and money in one currency (docs/refund-reasons.md)."""

    reason_code: str | None  # None: refunds from before the reasons list
    reason_label: str | None
    currency: str
    refunds: int  # refunds asked for with this reason, whatever became of them
    refunded_amount: int  # paid back through the gateway: each line under its own reason
    settled_amount: int  # settlements recorded with this reason


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
    # Refunds and money per reason and currency, in the order the list offers the reasons.
    by_reason: list[ReasonFigures] = field(default_factory=list)


def encode_cursor(sort: str, value: datetime, row_id: str) -> str:
    """Where the next page starts when a list is ordered by one time: the sort it was given
    out for, and the last row's sort value and id."""
    return encode_position(sort, (value,), row_id)


def decode_cursor(cursor: str, sort: str | None = None) -> tuple[datetime, str]:
    """The position of a cursor given out by ``encode_cursor``; anything else is refused
    with ``InvalidCursor``."""
    values, row_id = decode_position(cursor, sort)
    if len(values) != 1 or not isinstance(values[0], datetime):
        raise InvalidCursor("the cursor is not one this service gave out", field="cursor")
    return values[0], row_id


def encode_position(sort: str, values: Sequence[CursorValue | None], row_id: str) -> str:
    """Where the next page starts: the sort it was given out for, the last row's values of
    the sort's columns (a priority's rank, a time) and its id, which breaks the last tie."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps([sort, plain, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(
    cursor: str, sort: str | None = None
) -> tuple[tuple[CursorValue | None, ...], str]:
    """The position a cursor of ours names. Anything else, or a cursor given out for another
    sort than ``sort``, is refused with ``InvalidCursor``: whatever garbage it holds, it never
    reaches a query."""
    refused = InvalidCursor("the cursor is not one this service gave out", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        given_for, given, row_id = json.loads(raw)
        # Cursors given out before a sort could have more than one column held one time.
        nullable = isinstance(given_for, str) and given_for.lstrip("-") in NULLABLE_SORT_KEYS
        values = tuple(
            None if v is None and nullable else _cursor_value(v)
            for v in ([given] if isinstance(given, str) else given)
        )
    except (ValueError, TypeError, OverflowError, binascii.Error, RecursionError):
        raise refused from None
    valid = (
        isinstance(given_for, str)
        and given_for.lstrip("-") in ALL_SORT_KEYS
        and 1 <= len(values) <= MOST_SORT_COLUMNS
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
    return values, row_id


def _cursor_value(value: object) -> CursorValue:
    """A time with its offset, or a whole number in JSON's safe range; nothing else."""
    if isinstance(value, str):
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError("a time without an offset")
        at.astimezone(UTC)  # an offset that takes it out of range
        return at
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
        return value
    raise ValueError("not a value of a sort column")
