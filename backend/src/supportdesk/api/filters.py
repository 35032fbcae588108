"""The list filters, as dependencies shared by the lists and their CSV exports."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from supportdesk.api.deps import CurrentActor
from supportdesk.application.reads import (
    CASE_SORT_KEYS,
    REFUND_SORT_KEYS,
    CaseFilters,
    RefundFilters,
    decode_position,
)
from supportdesk.domain.cases import CaseStatus, Category, Priority
from supportdesk.domain.errors import InvalidCursor, ValidationFailed
from supportdesk.domain.refunds import RefundStatus
from supportdesk.domain.sla import SlaStatus

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(?P<offset>Z|[+-]\d{2}:\d{2})?",
    re.IGNORECASE,
)
# The offsets in use on Earth run from -12:00 to +14:00.
MOST_OFFSET = timedelta(hours=14)
INSTANT_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"([Zz]|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00))?$"
)


def _bad_instant(detail: str) -> PydanticCustomError:
    return PydanticCustomError("instant_format", "{detail}", {"detail": detail})


def instant(value: object) -> datetime:
    """A moment in a list filter: a date (``2020-01-01``: that day's start in UTC) or an ISO
    8601 date-time with its offset (``2020-01-01T10:00:00Z``, ``…+02:00``). A date-time
    without an offset is refused rather than guessed; so is a bare number (it is not read
    as a Unix time), an offset beyond ±14:00 and a moment that leaves the calendar's range
    once in UTC."""
    if not isinstance(value, str):
        raise _bad_instant("a date (2020-01-01) or a date-time with an offset is expected")
    out_of_range = _bad_instant("not a date in the calendar's range")
    if _DATE.fullmatch(value):
        try:
            return datetime.combine(date.fromisoformat(value), time(), UTC)
        except ValueError:
            raise out_of_range from None
    shape = _DATE_TIME.fullmatch(value)
    if shape is None:
        hint = " (a '+' in a query string is sent as %2B)" if " " in value else ""
        raise _bad_instant(
            "a date (2020-01-01) or a date-time with an offset "
            f"(2020-01-01T10:00:00Z) is expected{hint}"
        )
    if shape["offset"] is None:
        raise _bad_instant("a date-time needs an offset, such as 2020-01-01T10:00:00Z or …+02:00")
    try:
        moment = datetime.fromisoformat(value.upper())
    except ValueError:
        raise out_of_range from None
    offset = moment.utcoffset()
    if offset is None or abs(offset) > MOST_OFFSET:
        raise _bad_instant("the offset must be between -14:00 and +14:00")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise out_of_range from None


def page_cursor(value: str) -> str:
    """A cursor is one this service gave out, or 422 ``invalid_cursor`` before any query.
    An empty one is the first page."""
    if not value:
        return value
    try:
        if len(value) > MOST_CURSOR:
            raise InvalidCursor("the cursor is not one this service gave out")
        decode_position(value)
    except InvalidCursor as refused:
        raise PydanticCustomError(
            "invalid_cursor", "{detail}", {"detail": refused.detail}
        ) from None
    return value


Instant = Annotated[
    datetime,
    BeforeValidator(instant),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": INSTANT_PATTERN,
            "description": "a date (that day's start in UTC) or a date-time with its offset",
            "examples": ["2026-01-31", "2026-01-31T10:00:00Z"],
        }
    ),
]
Limit = Annotated[int, Query(ge=1, le=100)]
MOST_CURSOR = 500
Cursor = Annotated[
    str | None,
    Query(json_schema_extra={"maxLength": MOST_CURSOR}),
    AfterValidator(page_cursor),
]
CaseSort = Annotated[
    str,
    Query(
        pattern=f"^-?({'|'.join(CASE_SORT_KEYS)})$",
        description="a key ascending, or descending with '-': `-priority` is the most urgent "
        "first (newest first among equals), `-created_at` the newest first, `due_at` the "
        "earliest SLA due time still pending first (docs/sla.md); cases with none come last "
        "either way",
    ),
]
RefundSort = Annotated[str, Query(pattern=f"^-?({'|'.join(REFUND_SORT_KEYS)})$")]
Id = Annotated[str | None, Query(max_length=64)]
# ``assignee_id``'s words for the staff's queue: the caller's cases, and nobody's.
ME = "me"
NOBODY = "none"


class QueueFilterForStaff(ValidationFailed):
    location = "query"


def _assignee(assignee_id: str | None, actor: CurrentActor) -> tuple[str | None, bool]:
    """The assignee filter as an id, or "nobody's". ``me`` and ``none`` are the staff's
    queue; a customer sending them has a client bug worth hearing about (a customer's list
    holds only their own cases whoever works on them), so it is refused, not ignored."""
    if assignee_id not in (ME, NOBODY):
        return assignee_id, False
    if not actor.is_staff:
        raise QueueFilterForStaff(
            f"assignee_id={assignee_id} is a filter of the support staff's queue",
            field="assignee_id",
        )
    return (actor.id, False) if assignee_id == ME else (None, True)


async def case_filters(
    actor: CurrentActor,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    priority: Priority | None = None,
    category: Category | None = None,
    assignee_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="a staff member's id; staff also `me` (the caller) or `none` (nobody's)",
        ),
    ] = None,
    attention: Annotated[
        Literal["needed"] | None,
        Query(
            description="`needed`: only cases that need their agent: open or in progress, "
            "or, not closed, the customer wrote last"
        ),
    ] = None,
    customer_id: Id = None,
    order_id: Id = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sla_status: Annotated[list[SlaStatus] | None, Query()] = None,
    sort: CaseSort = "-created_at",
) -> CaseFilters:
    assignee, unassigned = _assignee(assignee_id, actor)
    return CaseFilters(
        status=[s.value for s in status or []],
        priority=priority,
        category=category,
        assignee_id=assignee,
        unassigned=unassigned,
        needs_attention=attention == "needed",
        customer_id=customer_id,
        order_id=order_id,
        q=q,
        created_after=created_after,
        created_before=created_before,
        sla_status=[s.value for s in sla_status or []],
        sort=sort,
    )


async def refund_filters(
    status: Annotated[list[RefundStatus] | None, Query()] = None,
    order_id: Id = None,
    customer_id: Id = None,
    support_case_id: Id = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="a refund's, case's, order's or customer's id exactly, or part of "
            "the customer's name or email",
        ),
    ] = None,
    created_after: Instant | None = None,
    created_before: Instant | None = None,
    sort: RefundSort = "-created_at",
) -> RefundFilters:
    return RefundFilters(
        status=[s.value for s in status or []],
        order_id=order_id,
        customer_id=customer_id,
        support_case_id=support_case_id,
        q=q,
        created_after=created_after,
        created_before=created_before,
        sort=sort,
    )


CaseFiltersDep = Annotated[CaseFilters, Depends(case_filters)]
RefundFiltersDep = Annotated[RefundFilters, Depends(refund_filters)]
