"""What an actor may read, as one SQL condition per resource.

Lists and single reads use the same condition, so a row a customer may not read is absent
from their lists and unknown (404) when asked for by id: nobody learns what exists. It is
``Actor.may_see`` in SQL: staff read everything; a customer reads what belongs to them
(``tests/integration/test_repository_contract.py`` holds the in-memory fakes, which use
``may_see``, to these conditions).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, select, true

from supportdesk.domain.access import Actor
from supportdesk.domain.events import INTERNAL_EVENT_TYPES
from supportdesk.infrastructure.db.models import (
    EventRecord,
    MessageRecord,
    RefundRecord,
    SupportCaseRecord,
)

_CASES = SupportCaseRecord.__table__.c
_REFUNDS = RefundRecord.__table__.c
_MESSAGES = MessageRecord.__table__.c
_EVENTS = EventRecord.__table__.c


# The customer a condition reads for, as a bound parameter: a lookup built once per kind of
# reader (``reader_kind``) takes the customer's id when it runs (``reader_parameters``).
READER = "reader_customer_id"


def reader_kind(actor: Actor) -> str:
    """What a condition built with ``bound=True`` depends on: staff, a customer, or a
    customer token naming no customer."""
    if actor.is_staff:
        return "staff"
    return "nobody" if actor.customer_id is None else "customer"


def reader_parameters(actor: Actor) -> dict[str, str]:
    """The parameters of a condition built with ``bound=True`` for this actor."""
    if actor.is_staff or actor.customer_id is None:
        return {}
    return {READER: actor.customer_id}


def _owned(actor: Actor, customer_id: Any, bound: bool = False) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    if actor.customer_id is None:  # a customer who is nobody's: owns nothing
        return false()
    return customer_id == (bindparam(READER) if bound else actor.customer_id)  # type: ignore[no-any-return]


def _of_readable_case(actor: Actor, case_id: Any) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    return case_id.in_(select(_CASES.id).where(readable_cases(actor)))  # type: ignore[no-any-return]


def readable_cases(actor: Actor, *, bound: bool = False) -> ColumnElement[bool]:
    """A case: staff, or the customer it belongs to. ``bound``: the customer's id as the
    parameter ``READER``, for a statement built once per ``reader_kind``."""
    return _owned(actor, _CASES.customer_id, bound)


def readable_refunds(actor: Actor, *, bound: bool = False) -> ColumnElement[bool]:
    """A refund: staff, or the customer it belongs to (``bound`` as for cases)."""
    return _owned(actor, _REFUNDS.customer_id, bound)


def readable_messages(actor: Actor) -> ColumnElement[bool]:
    """A message: one of a readable case, and never an internal note for a customer."""
    if actor.is_staff:
        return true()
    return _of_readable_case(actor, _MESSAGES.case_id) & _MESSAGES.internal.is_(False)


def readable_events(actor: Actor) -> ColumnElement[bool]:
    """An event: one of a readable case (a refund's events carry its case), and never the
    event of an internal note for a customer. What else of an event a customer reads is the
    domain's rule (``Event.for_customer``), applied to the rows."""
    if actor.is_staff:
        return true()
    return _of_readable_case(actor, _EVENTS.case_id) & _EVENTS.type.not_in(INTERNAL_EVENT_TYPES)
