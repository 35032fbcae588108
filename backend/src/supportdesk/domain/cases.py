"""Support cases: a customer's question about one order, and the rules of its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from supportdesk.domain.access import Actor
from supportdesk.domain.errors import CaseHasOpenRefunds, Forbidden, InvalidTransition
from supportdesk.domain.events import EntityKind, Event, RecordsHistory
from supportdesk.domain.orders import Order, OrderLine


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Category(StrEnum):
    DAMAGED_ITEM = "damaged_item"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    NOT_DELIVERED = "not_delivered"
    RETURN_REFUND = "return_refund"
    BILLING = "billing"
    OTHER = "other"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Mover(StrEnum):
    """Who may make a status change: staff, the owning customer, or the system on a message."""

    STAFF = "staff"
    OWNER = "owner"
    CUSTOMER_MESSAGE = "customer_message"


_WORKING = (
    CaseStatus.OPEN,
    CaseStatus.IN_PROGRESS,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.RESOLVED,
)

# The one transition table of a case: (from, to) -> who may make that move.
# Staff move a case freely among the working states and close it; the owner closes it
# or reopens a resolved one; the owner's message on a waiting case puts it back to work.
# ``closed`` is final: no row leaves it.
CASE_TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], frozenset[Mover]] = {
    **{
        (source, target): frozenset({Mover.STAFF})
        for source in _WORKING
        for target in _WORKING
        if source is not target
    },
    **{(source, CaseStatus.CLOSED): frozenset({Mover.STAFF, Mover.OWNER}) for source in _WORKING},
}
CASE_TRANSITIONS[(CaseStatus.RESOLVED, CaseStatus.OPEN)] = frozenset({Mover.STAFF, Mover.OWNER})
CASE_TRANSITIONS[(CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.IN_PROGRESS)] = frozenset(
    {Mover.STAFF, Mover.CUSTOMER_MESSAGE}
)


def may_move(source: CaseStatus, target: CaseStatus, mover: Mover) -> bool:
    return mover in CASE_TRANSITIONS.get((source, target), frozenset())


@dataclass(frozen=True, slots=True)
class OrderReference:
    """The case's order, with its lines as they were when the case was opened."""

    order_id: str
    currency: str
    lines: tuple[OrderLine, ...]

    @classmethod
    def snapshot_of(cls, order: Order) -> OrderReference:
        return cls(order_id=order.id, currency=order.currency, lines=order.lines)


@dataclass(slots=True)
class SupportCase(RecordsHistory):
    id: str
    customer_id: str
    order: OrderReference
    subject: str
    description: str
    category: Category
    priority: Priority
    status: CaseStatus
    assignee_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    new_events: list[Event] = field(default_factory=list)

    entity_kind: ClassVar[EntityKind] = EntityKind.SUPPORT_CASE

    @property
    def history_case_id(self) -> str:
        return self.id

    @property
    def order_id(self) -> str:
        return self.order.order_id

    @classmethod
    def open(
        cls,
        *,
        id: str,
        customer_id: str,
        order: OrderReference,
        subject: str,
        description: str,
        category: Category,
        priority: Priority,
        by: Actor,
        now: datetime,
    ) -> SupportCase:
        case = cls(
            id=id,
            customer_id=customer_id,
            order=order,
            subject=subject,
            description=description,
            category=category,
            priority=priority,
            status=CaseStatus.OPEN,
            assignee_id=None,
            version=1,
            created_at=now,
            updated_at=now,
        )
        case._record(by, now, "case_opened", None, CaseStatus.OPEN, subject)
        return case

    def change_status(
        self,
        target: CaseStatus,
        *,
        by: Actor,
        now: datetime,
        has_open_refunds: bool,
        note: str | None = None,
        note_public: bool = False,
    ) -> None:
        """Move the case along the transition table; a case with a refund that is not
        final cannot be closed. Staff's note is theirs unless they make it public."""
        mover = Mover.STAFF if by.is_staff else Mover.OWNER
        self._move(
            target,
            mover,
            by=by,
            now=now,
            note=note,
            has_open_refunds=has_open_refunds,
            note_public=note_public,
        )

    def customer_replied(self, *, by: Actor, now: datetime) -> None:
        """A customer's message on a case waiting on them puts it back in progress."""
        if self.status is CaseStatus.WAITING_ON_CUSTOMER:
            self._move(
                CaseStatus.IN_PROGRESS,
                Mover.CUSTOMER_MESSAGE,
                by=by,
                now=now,
                note="customer replied",
                has_open_refunds=False,
            )

    def change_priority(self, priority: Priority, *, by: Actor, now: datetime) -> None:
        self._require_staff(by)
        self._require_not_closed()
        if priority is not self.priority:
            self._record(by, now, "priority_changed", None, None, f"{self.priority} → {priority}")
            self.priority = priority

    def assign(self, assignee_id: str | None, *, by: Actor, now: datetime) -> None:
        self._require_staff(by)
        self._require_not_closed()
        if assignee_id != self.assignee_id:
            self._record(by, now, "assigned", None, None, f"assignee: {assignee_id or 'nobody'}")
            self.assignee_id = assignee_id

    def add_event(self, type: str, *, by: Actor, now: datetime, note: str | None = None) -> None:
        """Something happened on the case that moves no status (a message, say): its event
        names no status, so that history shows moves only where there were moves."""
        self._record(by, now, type, None, None, note)

    def add_note(self, note: str, *, by: Actor, now: datetime, public: bool = False) -> None:
        """A note given with a change that moved nothing still lands in the history,
        for staff only unless made public."""
        self._record(by, now, "note", None, None, note, note_public=public)

    @property
    def is_closed(self) -> bool:
        return self.status is CaseStatus.CLOSED

    def _move(
        self,
        target: CaseStatus,
        mover: Mover,
        *,
        by: Actor,
        now: datetime,
        note: str | None,
        has_open_refunds: bool,
        note_public: bool = True,
    ) -> None:
        if not may_move(self.status, target, mover):
            raise InvalidTransition(
                f"a case in '{self.status}' cannot be moved to '{target}' by {by.role}",
                from_status=self.status.value,
                to_status=target.value,
            )
        if target is CaseStatus.CLOSED and has_open_refunds:
            raise CaseHasOpenRefunds("close or settle the case's refunds first")
        public = note_public or not by.is_staff  # a customer reads what they wrote
        self._record(by, now, "status_changed", self.status, target, note, note_public=public)
        self.status = target

    @staticmethod
    def _require_staff(by: Actor) -> None:
        if not by.is_staff:
            raise Forbidden("only support staff may change this")

    def _require_not_closed(self) -> None:
        if self.is_closed:
            raise InvalidTransition("a closed case cannot be changed")
