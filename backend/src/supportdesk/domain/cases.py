"""Support cases: a customer's question about one order, and the rules of its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from supportdesk.domain.access import SYSTEM, Actor, Role
from supportdesk.domain.errors import (
    CaseHasOpenRefunds,
    DomainError,
    Forbidden,
    InvalidTransition,
    ValidationFailed,
)
from supportdesk.domain.events import EntityKind, Event, RecordsHistory
from supportdesk.domain.orders import Customer, Order, OrderLine
from supportdesk.domain.permissions import Decision


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


# Categories whose refunded units come back to the shop in a state to be sold again: the
# approval panel offers "restock" ticked for them. A damaged item, one that never arrived
# or a billing question puts nothing back on the shelf. The agent may always decide otherwise.
RESTOCKED_BY_DEFAULT = frozenset({Category.RETURN_REFUND})


def restock_by_default(category: Category) -> bool:
    """Whether a refund of a case of this category puts its units back in stock unless the
    approver says otherwise."""
    return category in RESTOCKED_BY_DEFAULT


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """How pressing: 0 (low) … 3 (urgent). Lists sort by it (``sort=-priority`` puts the
        most urgent first); the words of the enumeration do not sort that way."""
        return _PRIORITY_RANKS[self]


_PRIORITY_RANKS = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(StrEnum):
    """How the customer reached us about the case: a customer's own case comes through the
    web; staff open cases for customers who wrote, phoned or chatted."""

    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    CHAT = "chat"


class Mover(StrEnum):
    """Who may make a status change: staff, the owning customer, or the system on a message."""

    STAFF = "staff"
    OWNER = "owner"
    CUSTOMER_MESSAGE = "customer_message"
    # The payment gateway, when a refund the customer was told about came back.
    PAYMENT_GATEWAY = "payment_gateway"


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
CASE_TRANSITIONS[(CaseStatus.RESOLVED, CaseStatus.OPEN)] = frozenset(
    {Mover.STAFF, Mover.OWNER, Mover.PAYMENT_GATEWAY}
)
# The one row out of ``closed``: a refund that came back after the case was closed leaves
# the customer without their money, which is a new reason to work on the same case (its
# history explains it), not something for the customer to start over with.
CASE_TRANSITIONS[(CaseStatus.CLOSED, CaseStatus.OPEN)] = frozenset({Mover.PAYMENT_GATEWAY})
CASE_TRANSITIONS[(CaseStatus.WAITING_ON_CUSTOMER, CaseStatus.IN_PROGRESS)] = frozenset(
    {Mover.STAFF, Mover.CUSTOMER_MESSAGE}
)


def may_move(source: CaseStatus, target: CaseStatus, mover: Mover) -> bool:
    return mover in CASE_TRANSITIONS.get((source, target), frozenset())


class CaseAction(StrEnum):
    """What a person does with a case. A move to any other status is a PATCH that the
    transition table rules; closing and reopening are the moves a customer has."""

    REPLY = "reply"
    ADD_INTERNAL_NOTE = "add_internal_note"
    ASSIGN = "assign"
    CHANGE_PRIORITY = "change_priority"
    REQUEST_REFUND = "request_refund"
    CLOSE = "close"
    REOPEN = "reopen"


# The actions of each role, in the order a client offers them.
STAFF_CASE_ACTIONS: tuple[CaseAction, ...] = (
    CaseAction.REPLY,
    CaseAction.ADD_INTERNAL_NOTE,
    CaseAction.ASSIGN,
    CaseAction.CHANGE_PRIORITY,
    CaseAction.REQUEST_REFUND,
    CaseAction.CLOSE,
    CaseAction.REOPEN,
)
OWNER_CASE_ACTIONS: tuple[CaseAction, ...] = (
    CaseAction.REPLY,
    CaseAction.REQUEST_REFUND,
    CaseAction.CLOSE,
    CaseAction.REOPEN,
)

# What may happen next, kept per ``SupportCase._next_key``: a page of 25 cases shares a
# handful of keys, and working the answers out (a refusal with its words per action and
# per status) was a tenth of a list's CPU. At most 5 statuses x 4 roles x 2 x 2 keys. The
# refusals kept are read (their code and words), never raised: a use case raises its own.
NextKey = tuple[CaseStatus, Role, bool, bool]
_NEXT_ACTIONS: dict[NextKey, tuple[Decision, ...]] = {}
_ALLOWED_MOVES: dict[NextKey, tuple[CaseStatus, ...]] = {}


@dataclass(frozen=True, slots=True)
class OrderReference:
    """The case's order, with its lines as they were when the case was opened."""

    order_id: str
    currency: str
    lines: tuple[OrderLine, ...]
    # Who the order system said the customer was when the case was opened (None for cases
    # opened before it said so, or from an order system that does not).
    customer: Customer | None = None

    @classmethod
    def snapshot_of(cls, order: Order) -> OrderReference:
        return cls(
            order_id=order.id, currency=order.currency, lines=order.lines, customer=order.customer
        )


@dataclass(frozen=True, slots=True)
class SlaStanding:
    """The case's SLA clocks as last worked out from its history (``domain/sla.py``), kept
    with the case so that lists filter and sort by them. ``status`` is an ``SlaStatus``
    value, or None when no clock waits for anything."""

    status: str | None = None
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    first_responded_at: datetime | None = None


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
    channel: Channel = Channel.WEB
    sla: SlaStanding = field(default_factory=SlaStanding)
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
        channel: Channel = Channel.WEB,
    ) -> SupportCase:
        """A case in ``open``. A customer opens their own through the web; staff open one
        for the customer of the order, by the channel the customer used to reach them."""
        if not by.is_staff and channel is not Channel.WEB:
            raise ValidationFailed(
                "a customer's own case comes through the web; channel is for staff who "
                "open a case for a customer",
                field="channel",
            )
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
            channel=channel,
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

    def refund_came_back(self, *, by: Actor, now: datetime, note: str) -> None:
        """A refund of this case came back from the bank: the case is open again (if it was
        resolved or closed) and urgent, so it is at the top of the agents' queue."""
        if self.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            self._move(
                CaseStatus.OPEN,
                Mover.PAYMENT_GATEWAY,
                by=by,
                now=now,
                note=note,
                has_open_refunds=False,
            )
        if self.priority is not Priority.URGENT:
            self._record(by, now, "priority_changed", None, None, f"{self.priority} → urgent")
            self.priority = Priority.URGENT

    def change_priority(self, priority: Priority, *, by: Actor, now: datetime) -> None:
        self._raise(self._staff_change_refusal(by))
        if priority is not self.priority:
            self._record(by, now, "priority_changed", None, None, f"{self.priority} → {priority}")
            self.priority = priority

    def assign(self, assignee_id: str | None, *, by: Actor, now: datetime) -> None:
        self._raise(self._staff_change_refusal(by))
        if assignee_id != self.assignee_id:
            self._record(by, now, "assigned", None, None, f"assignee: {assignee_id or 'nobody'}")
            self.assignee_id = assignee_id

    def add_event(self, type: str, *, by: Actor, now: datetime, note: str | None = None) -> None:
        """Something happened on the case that moves no status (a message, say): its event
        names no status, so that history shows moves only where there were moves."""
        self._record(by, now, type, None, None, note)

    def record_sla_breach(self, clock: str, *, now: datetime) -> None:
        """A promised time passed before it was met (``clock`` in words: "first response",
        "resolution"). The system records it for staff; no person changed the case, so it
        keeps the time it was last updated."""
        updated_at = self.updated_at
        self._record(SYSTEM, now, "sla_breached", None, None, clock, note_public=False)
        self.updated_at = updated_at

    def add_note(self, note: str, *, by: Actor, now: datetime, public: bool = False) -> None:
        """A note given with a change that moved nothing still lands in the history,
        for staff only unless made public."""
        self._record(by, now, "note", None, None, note, note_public=public)

    @property
    def is_closed(self) -> bool:
        return self.status is CaseStatus.CLOSED

    # --- what may happen next: each refusal is the one the action itself raises ---------

    def next_actions(self, *, by: Actor, has_open_refunds: bool) -> tuple[Decision, ...]:
        """Each action of ``by``'s role with what refuses it now, if anything. Staff handle
        the case; its owner replies, asks for a refund, closes and reopens; anyone else
        may do nothing."""
        key = self._next_key(by, has_open_refunds)
        known = _NEXT_ACTIONS.get(key)
        if known is None:
            known = _NEXT_ACTIONS[key] = self._next_actions(by, has_open_refunds)
        return known

    def allowed_moves(self, *, by: Actor, has_open_refunds: bool) -> tuple[CaseStatus, ...]:
        """The statuses ``by`` may move the case to now, in the order of the statuses."""
        key = self._next_key(by, has_open_refunds)
        known = _ALLOWED_MOVES.get(key)
        if known is None:
            known = _ALLOWED_MOVES[key] = self._allowed_moves(by, has_open_refunds)
        return known

    def _next_key(self, by: Actor, has_open_refunds: bool) -> NextKey:
        """All that decides what may happen next (``refusal``, ``move_refusal``): the
        status, the actor's role, whether the actor owns the case, and whether a refund is
        still open. Nothing else of the case or the actor is read by those rules; one that
        comes to read something else must add it here (``tests/unit/test_next_actions.py``
        holds the kept answers to freshly worked out ones)."""
        return (self.status, by.role, by.owns(self.customer_id), has_open_refunds)

    def _next_actions(self, by: Actor, has_open_refunds: bool) -> tuple[Decision, ...]:
        if by.is_staff:
            actions = STAFF_CASE_ACTIONS
        elif by.owns(self.customer_id):
            actions = OWNER_CASE_ACTIONS
        else:
            return ()
        return tuple(
            Decision(action.value, self.refusal(action, by=by, has_open_refunds=has_open_refunds))
            for action in actions
        )

    def _allowed_moves(self, by: Actor, has_open_refunds: bool) -> tuple[CaseStatus, ...]:
        if not by.may_see(self.customer_id):
            return ()
        return tuple(
            target
            for target in CaseStatus
            if target is not self.status
            and self.move_refusal(target, by=by, has_open_refunds=has_open_refunds) is None
        )

    def refusal(
        self, action: CaseAction, *, by: Actor, has_open_refunds: bool
    ) -> DomainError | None:
        """Why ``by`` may not take ``action`` now, or None. Reopening is the move of a
        resolved case back to open: from any other status it is not offered."""
        if action is CaseAction.REPLY:
            return self.message_refusal(by=by, internal=False)
        if action is CaseAction.ADD_INTERNAL_NOTE:
            return self.message_refusal(by=by, internal=True)
        if action in (CaseAction.ASSIGN, CaseAction.CHANGE_PRIORITY):
            return self._staff_change_refusal(by)
        if action is CaseAction.REQUEST_REFUND:
            return self.refund_request_refusal(by=by)
        if action is CaseAction.CLOSE:
            return self.move_refusal(CaseStatus.CLOSED, by=by, has_open_refunds=has_open_refunds)
        if self.status is not CaseStatus.RESOLVED:
            return InvalidTransition(
                f"only a resolved case can be reopened; this one is {self._status_words}",
                from_status=self.status.value,
                to_status=CaseStatus.OPEN.value,
            )
        return self.move_refusal(CaseStatus.OPEN, by=by, has_open_refunds=has_open_refunds)

    def move_refusal(
        self, target: CaseStatus, *, by: Actor, has_open_refunds: bool
    ) -> DomainError | None:
        """Why ``by`` may not move the case to ``target`` through a change of status."""
        mover = Mover.STAFF if by.is_staff else Mover.OWNER
        return self._move_refusal(target, mover, by=by, has_open_refunds=has_open_refunds)

    def message_refusal(self, *, by: Actor, internal: bool) -> DomainError | None:
        """A closed case takes no more messages; only staff write internal notes."""
        if self.is_closed:
            return InvalidTransition("a closed case takes no more messages")
        if internal and not by.is_staff:
            return Forbidden("only support staff may write internal notes")
        return None

    def refund_request_refusal(self, *, by: Actor) -> DomainError | None:
        """The case's customer asks for a refund, or staff ask on the customer's behalf
        (the customer phoned, say; the request is recorded as the agent's). Not on a
        closed case: a new question needs a new case."""
        if not by.may_see(self.customer_id):
            return Forbidden("refunds are requested by the case's customer or by staff")
        if self.is_closed:
            return ValidationFailed("the case is closed; open a new one", field="support_case_id")
        return None

    @property
    def _status_words(self) -> str:
        return self.status.value.replace("_", " ")

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
        self._raise(self._move_refusal(target, mover, by=by, has_open_refunds=has_open_refunds))
        public = note_public or not by.is_staff  # a customer reads what they wrote
        self._record(by, now, "status_changed", self.status, target, note, note_public=public)
        self.status = target

    def _move_refusal(
        self, target: CaseStatus, mover: Mover, *, by: Actor, has_open_refunds: bool
    ) -> DomainError | None:
        if not may_move(self.status, target, mover):
            if self.is_closed:
                detail = "a closed case is final; open a new one"
            else:
                detail = f"a case in '{self.status}' cannot be moved to '{target}' by {by.role}"
            return InvalidTransition(detail, from_status=self.status.value, to_status=target.value)
        if target is CaseStatus.CLOSED and has_open_refunds:
            return CaseHasOpenRefunds(
                "the case has a refund that is not decided yet; it can be closed once every "
                "refund is final"
            )
        return None

    def _staff_change_refusal(self, by: Actor) -> DomainError | None:
        """Only staff assign a case or change its priority, and not once it is closed."""
        if not by.is_staff:
            return Forbidden("only support staff may change this")
        if self.is_closed:
            return InvalidTransition("a closed case cannot be changed")
        return None

    @staticmethod
    def _raise(refusal: DomainError | None) -> None:
        if refusal is not None:
            raise refusal
