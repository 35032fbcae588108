"""Who hears about a change: the rule that turns one history event into mails.

Pure: the event, the facts of the case (and refund) it concerns, the people involved and
their choices go in; a list of mails (which template, to whom) comes out. Loading the facts,
rendering and sending are the mail channel's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from supportdesk.domain.access import Role
from supportdesk.domain.events import Event


class Audience(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """A staff member's choice of mails. Customers' transactional mails are not theirs to
    turn off (the shop's ``CUSTOMER_MAIL_ENABLED`` is)."""

    case_replies: bool = True  # a customer's reply on a case assigned to me
    new_unassigned: bool = False  # a new case or refund nobody is assigned to
    supervisor_approvals: bool = True  # a refund above the threshold waits for a supervisor

    def changed(
        self,
        *,
        case_replies: bool | None = None,
        new_unassigned: bool | None = None,
        supervisor_approvals: bool | None = None,
    ) -> NotificationSettings:
        return NotificationSettings(
            case_replies=self.case_replies if case_replies is None else case_replies,
            new_unassigned=self.new_unassigned if new_unassigned is None else new_unassigned,
            supervisor_approvals=(
                self.supervisor_approvals if supervisor_approvals is None else supervisor_approvals
            ),
        )


@dataclass(frozen=True, slots=True)
class Person:
    id: str  # the user's id
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    person: Person
    role: Role
    settings: NotificationSettings = field(default_factory=NotificationSettings)

    @property
    def approves_above_threshold(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    id: str
    customer_id: str
    subject: str
    status: str
    assignee_id: str | None
    # How the customer reached us: a case staff opened after a call says so in its mail.
    channel: str = "web"


@dataclass(frozen=True, slots=True)
class RefundFacts:
    id: str
    total_amount: int
    currency: str
    reason: str
    failure_reason: str | None = None
    gateway_refund_id: str | None = None
    bank_reference: str | None = None
    settlement_type: str | None = None
    settlement_amount: int | None = None
    settlement_note: str | None = None
    settlement_reference: str | None = None
    kind: str = "units"  # or "amount": each has its own agent limit


@dataclass(frozen=True, slots=True)
class MailFacts:
    """What an event concerns, as it is when the mail goes out."""

    case: CaseFacts
    refund: RefundFacts | None = None
    # The public message an event ``message_added`` stands for (None for an internal one).
    message_body: str | None = None
    customers: tuple[Person, ...] = ()  # the accounts of the case's customer
    staff: tuple[StaffMember, ...] = ()  # active staff, with their choices


@dataclass(frozen=True, slots=True)
class MailPolicy:
    customer_mail_enabled: bool = True
    # The refund policy's agent limits in force (docs/refund-policy.md): above them a
    # refund waits for a supervisor, who is told by mail.
    supervisor_threshold: int = 50000
    amount_threshold: int | None = None  # None: the same as ``supervisor_threshold``


@dataclass(frozen=True, slots=True)
class Mail:
    """One mail to send: ``template`` names the template pair, ``event`` is what the
    recipient may read of the event (for a customer: ``Event.for_customer()``)."""

    template: str
    audience: Audience
    recipient: Person
    event: Event


# Customer mails by event type (a status change is told apart by its target below).
_CUSTOMER_TEMPLATES = {
    "case_opened": "case_opened",
    "message_added": "staff_reply",
    "refund_requested": "refund_requested",
    "refund_approved": "refund_approved",
    "refund_succeeded": "refund_refunded",
    "refund_failed": "refund_failed",
    # Told "refunded" before: now the money came back, and what happens next.
    "refund_reversed": "refund_reversed",
    "refund_rejected": "refund_rejected",
    "refund_settled": "refund_settled",
}
_CUSTOMER_STATUS_TEMPLATES = {
    "waiting_on_customer": "waiting_on_customer",
    "resolved": "case_resolved",
}
# Receipts: the customer hears about their own action, because the mail is the
# acknowledgement (the reference to quote, what was asked for).
_RECEIPTS = frozenset({"case_opened", "refund_requested"})


def mails_for(event: Event, facts: MailFacts, policy: MailPolicy) -> list[Mail]:
    """The mails one event means: at most one per recipient. Customers hear what was done
    for them (never an internal note); staff hear what waits for them, as they chose.
    Nobody gets a mail about their own action, except a customer's receipt."""
    mails: dict[str, Mail] = {}
    for mail in (*_customer_mails(event, facts, policy), *_staff_mails(event, facts, policy)):
        if mail.recipient.id == event.actor_id and mail.template not in _RECEIPTS:
            continue
        # The first reason to mail someone wins (a supervisor asked to approve is not also
        # told that the refund is new).
        mails.setdefault(mail.recipient.id, mail)
    return list(mails.values())


def _customer_mails(event: Event, facts: MailFacts, policy: MailPolicy) -> list[Mail]:
    if not policy.customer_mail_enabled:
        return []
    seen = event.for_customer()
    if seen is None:
        return []
    template = _customer_template(seen, facts)
    if template is None:
        return []
    return [Mail(template, Audience.CUSTOMER, person, seen) for person in facts.customers]


def _customer_template(event: Event, facts: MailFacts) -> str | None:
    staff_acted = event.actor_role != Role.CUSTOMER.value
    if event.type == "status_changed":
        if not staff_acted:
            return None
        return _CUSTOMER_STATUS_TEMPLATES.get(event.to_status or "")
    if event.type == "message_added":
        # A customer's own message needs no mail; a message that is not there (or not
        # public) is never told.
        return "staff_reply" if staff_acted and facts.message_body is not None else None
    if event.type.startswith("refund_") and facts.refund is None:
        return None
    return _CUSTOMER_TEMPLATES.get(event.type)


def _staff_mails(event: Event, facts: MailFacts, policy: MailPolicy) -> list[Mail]:
    mails: list[Mail] = []
    unassigned = facts.case.assignee_id is None
    if event.type == "message_added" and event.actor_role == Role.CUSTOMER.value:
        mails += [
            Mail("customer_reply", Audience.STAFF, m.person, event)
            for m in facts.staff
            if m.person.id == facts.case.assignee_id and m.settings.case_replies
        ]
    if (
        event.type == "refund_requested"
        and facts.refund is not None
        and facts.refund.total_amount > _threshold_of(facts.refund, policy)
    ):
        mails += [
            Mail("supervisor_approval", Audience.STAFF, m.person, event)
            for m in facts.staff
            if m.approves_above_threshold and m.settings.supervisor_approvals
        ]
    if event.type in ("case_opened", "refund_requested") and unassigned:
        template = "new_case" if event.type == "case_opened" else "new_refund"
        mails += [
            Mail(template, Audience.STAFF, m.person, event)
            for m in facts.staff
            if m.settings.new_unassigned
        ]
    return mails


def _threshold_of(refund: RefundFacts, policy: MailPolicy) -> int:
    if refund.kind == "amount" and policy.amount_threshold is not None:
        return policy.amount_threshold
    return policy.supervisor_threshold
