"""Refunds: what a customer asks back for which order lines, and the rules of its status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from supportdesk.domain.access import Actor
from supportdesk.domain.cases import Category
from supportdesk.domain.errors import (
    CompensationExceeded,
    DomainError,
    FinalSale,
    Forbidden,
    InvalidTransition,
    OutsideRefundWindow,
    RefundQuantityExceeded,
    SupervisorApprovalRequired,
    ValidationFailed,
)
from supportdesk.domain.events import EntityKind, Event, RecordsHistory
from supportdesk.domain.money import LineRefund, format_amount, refund_line
from supportdesk.domain.orders import Customer, Order
from supportdesk.domain.permissions import Decision
from supportdesk.domain.policy import PolicyDecision
from supportdesk.domain.window import (
    RefundWindow,
    RefundWindowPolicy,
    WindowBasis,
    outside_because,
    window_basis,
)


class RefundStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    PROCESSING = "processing"
    REFUNDED = "refunded"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    SETTLED = "settled"


FINAL_STATUSES = frozenset(
    {RefundStatus.REFUNDED, RefundStatus.REJECTED, RefundStatus.CANCELLED, RefundStatus.SETTLED}
)
# Units of rejected and cancelled refunds go back to the order; every other state holds them.
RELEASING_STATUSES = frozenset({RefundStatus.REJECTED, RefundStatus.CANCELLED})
# Approved for the gateway: on its way, paid, or failed and to be tried again.
_DECIDED_FOR_THE_GATEWAY = frozenset(
    {RefundStatus.APPROVED, RefundStatus.PROCESSING, RefundStatus.REFUNDED, RefundStatus.FAILED}
)


def decided_on_order(refunds: Sequence[Refund], excluding: str) -> int:
    """What an order's refunds other than ``excluding`` give the customer by decisions
    already taken (see ``Refund.decided_money``)."""
    return sum(refund.decided_money for refund in refunds if refund.id != excluding)


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    SETTLE = "settle"
    EXECUTE = "execute"
    GATEWAY_SUCCEEDED = "gateway_succeeded"
    GATEWAY_FAILED = "gateway_failed"
    # The gateway's later word on a refund it had answered succeeded: the card network
    # sent the money back (an expired or cancelled card, a closed account).
    GATEWAY_REVERSED = "gateway_reversed"


# The one transition table of a refund: (from, action) -> to.
REFUND_TRANSITIONS: dict[tuple[RefundStatus, Action], RefundStatus] = {
    (RefundStatus.REQUESTED, Action.APPROVE): RefundStatus.APPROVED,
    (RefundStatus.REQUESTED, Action.REJECT): RefundStatus.REJECTED,
    (RefundStatus.REQUESTED, Action.CANCEL): RefundStatus.CANCELLED,
    (RefundStatus.REQUESTED, Action.SETTLE): RefundStatus.SETTLED,
    (RefundStatus.APPROVED, Action.EXECUTE): RefundStatus.PROCESSING,
    (RefundStatus.PROCESSING, Action.GATEWAY_SUCCEEDED): RefundStatus.REFUNDED,
    (RefundStatus.PROCESSING, Action.GATEWAY_FAILED): RefundStatus.FAILED,
    (RefundStatus.FAILED, Action.EXECUTE): RefundStatus.PROCESSING,
    (RefundStatus.FAILED, Action.SETTLE): RefundStatus.SETTLED,
    # The one move out of a final status, and never a person's: ``refunded`` is final for
    # what anyone may do, but not for the card network, whose "failed" after "succeeded"
    # means the money came back. The refund is failed again, so staff can execute it
    # again or settle it another way (bank transfer, store credit).
    (RefundStatus.REFUNDED, Action.GATEWAY_REVERSED): RefundStatus.FAILED,
}


class SettlementType(StrEnum):
    STORE_CREDIT = "store_credit"
    VOUCHER = "voucher"
    BANK_TRANSFER = "bank_transfer"
    REPLACEMENT = "replacement"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Settlement:
    type: SettlementType
    amount: int
    note: str
    reference: str | None = None
    # Why (docs/refund-reasons.md): the refund's own reason unless staff choose another.
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class RequestedItem:
    line_id: str
    quantity: int
    # This line's own reason, when it differs from the refund's.
    reason_code: str | None = None


class RefundKind(StrEnum):
    # Units of order lines (and the shipping), priced by SPEC section 3.
    UNITS = "units"
    # An amount not tied to units: a goodwill gesture for a late parcel, the shipping
    # alone, a price adjustment. Only staff give one.
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class RefundCalculation:
    """The breakdown of a refund: per line its units and parts, the shipping, an amount not
    tied to units (a refund of kind ``amount``, which has no lines), the total."""

    currency: str
    items: tuple[LineRefund, ...]
    include_shipping: bool
    shipping_amount: int
    amount: int = 0

    @property
    def total_amount(self) -> int:
        return sum(item.amount for item in self.items) + self.shipping_amount + self.amount


def calculate_amount_refund(order: Order, amount: int) -> RefundCalculation:
    """A refund of an amount: at least one minor unit; what the order's budget still allows
    is checked against the order's other refunds (see ``Compensation``)."""
    if amount < 1:
        raise ValidationFailed("the amount must be at least 1 (in minor units)", field="amount")
    return RefundCalculation(
        currency=order.currency, items=(), include_shipping=False, shipping_amount=0, amount=amount
    )


@dataclass(frozen=True, slots=True)
class Compensation:
    """One compensation budget per order: gateway refunds of units and of amounts and
    settlements of every type all draw on what the customer paid for the order, so no
    combination of them can give back more.

    ``out`` is what has gone back (refunded through the gateway, or settled: the
    settlement's own amount); ``held`` is what refunds not yet final stand to give
    (requested, approved, processing, or failed and to be tried again or settled).
    """

    currency: str
    paid: int
    out: int
    held: int

    @property
    def remaining(self) -> int:
        return max(self.paid - self.out - self.held, 0)

    def check(self, amount: int, *, field: str) -> None:
        """Refuse a new refund of ``amount`` that the budget cannot hold."""
        if amount <= self.remaining:
            return
        remaining = format_amount(self.remaining, self.currency)
        paid = format_amount(self.paid, self.currency)
        raise CompensationExceeded(
            f"{format_amount(amount, self.currency)} is more than remains to give on this "
            f"order: {remaining} of the {paid} paid (gone back "
            f"{format_amount(self.out, self.currency)}, held by refunds not final "
            f"{format_amount(self.held, self.currency)})",
            field=field,
            remaining=self.remaining,
            paid=self.paid,
            out=self.out,
            held=self.held,
        )


def compensation_of(order: Order, refunds: Sequence[Refund]) -> Compensation:
    """The order's budget as its refunds (every one of the order's, any case) draw on it."""
    out = held = 0
    for refund in refunds:
        if refund.status is RefundStatus.SETTLED:
            out += refund.settlement.amount if refund.settlement else 0
        elif refund.status is RefundStatus.REFUNDED:
            out += refund.total_amount
        elif refund.status not in RELEASING_STATUSES:
            held += refund.total_amount
    return Compensation(currency=order.currency, paid=order.gross, out=out, held=held)


def calculate_refund(
    order: Order,
    requested: Sequence[RequestedItem],
    *,
    units_taken: Mapping[str, int],
    shipping_taken: bool,
    include_shipping: bool,
) -> RefundCalculation:
    """Price a refund request against what is still refundable on the order.

    Each line yields the parts after the units already taken (refunded, or held by another
    active refund); shipping is refunded only on request and at most once per order.
    """
    if not requested:
        raise ValidationFailed("name at least one order line", field="items")
    seen: set[str] = set()
    items: list[LineRefund] = []
    for index, item in enumerate(requested):
        where = f"items.{index}"
        line = order.line(item.line_id)
        if line is None:
            raise ValidationFailed(
                f"order {order.id} has no line '{item.line_id}'", field=f"{where}.line_id"
            )
        if item.line_id in seen:
            raise ValidationFailed(
                f"line '{item.line_id}' is named twice", field=f"{where}.line_id"
            )
        seen.add(item.line_id)
        if item.quantity < 1:
            raise ValidationFailed("quantity must be at least 1", field=f"{where}.quantity")
        taken = units_taken.get(line.line_id, 0)
        refundable = max(line.quantity - taken, 0)
        if item.quantity > refundable:
            raise RefundQuantityExceeded(
                f"line '{line.line_id}' has {refundable} refundable unit(s), "
                f"{item.quantity} requested",
                field=f"{where}.quantity",
                refundable_quantity=refundable,
            )
        items.append(refund_line(line, taken, item.quantity))
    if include_shipping and shipping_taken:
        raise ValidationFailed(
            "the order's shipping is already refunded or requested", field="include_shipping"
        )
    return RefundCalculation(
        currency=order.currency,
        items=tuple(items),
        include_shipping=include_shipping,
        shipping_amount=order.shipping.gross if include_shipping else 0,
    )


# The actions a person takes, by role, in the order a client offers them. The gateway's
# outcomes are the system's, never offered.
STAFF_ACTIONS: tuple[Action, ...] = (Action.APPROVE, Action.REJECT, Action.EXECUTE, Action.SETTLE)
OWNER_ACTIONS: tuple[Action, ...] = (Action.CANCEL,)

# How a refusal names an action that the status does not allow.
_DONE = {
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.CANCEL: "cancelled",
    Action.SETTLE: "settled",
    Action.EXECUTE: "sent to the payment provider",
    Action.GATEWAY_SUCCEEDED: "marked refunded",
    Action.GATEWAY_FAILED: "marked failed",
    Action.GATEWAY_REVERSED: "marked as come back from the bank",
}


@dataclass(slots=True)
class Refund(RecordsHistory):
    id: str
    support_case_id: str
    order_id: str
    customer_id: str
    payment_reference: str
    delivered_at: datetime | None
    status: RefundStatus
    calculation: RefundCalculation
    reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    kind: RefundKind = RefundKind.UNITS
    approval_window: RefundWindow | None = None
    settlement: Settlement | None = None
    gateway_refund_id: str | None = None
    # What the customer's bank shows for the refund, when the gateway gave one.
    bank_reference: str | None = None
    failure_reason: str | None = None
    # Why the gateway still holds a refund it accepted (Stripe's ``pending_reason``:
    # processing, insufficient_funds, charge_pending), while it is processing.
    pending_reason: str | None = None
    attempt: int = 0
    # Whether the shop puts the refunded units back in stock, told to the order system with
    # the write-back: the case category's default from the request on, until the approver
    # (or whoever records a settlement) decides otherwise.
    restock: bool = False
    # Who the order system said the customer was when the refund was asked for: staff see
    # a name and an address, not only an id (None on refunds from before it said so).
    customer: Customer | None = None
    # The reason chosen from the admins' list (docs/refund-reasons.md); None on refunds
    # from before reasons were counted. ``reason`` stays the requester's own words.
    reason_code: str | None = None
    # The lines whose reason is not the refund's: line id -> reason code.
    line_reason_codes: dict[str, str] = field(default_factory=dict)
    # When the order shipped and which rule decides the refund's window (domain/window.py),
    # as seen at request and again at approval, beside ``delivered_at``. None on refunds
    # from before the rules of undelivered orders: their window is the delivery's alone.
    shipped_at: datetime | None = None
    window_basis: WindowBasis | None = None
    # The last decision (approval, rejection, settlement): its policy version and rule.
    decision: PolicyDecision | None = None
    new_events: list[Event] = field(default_factory=list)

    entity_kind: ClassVar[EntityKind] = EntityKind.REFUND

    @property
    def history_case_id(self) -> str:
        return self.support_case_id

    @property
    def total_amount(self) -> int:
        return self.calculation.total_amount

    @property
    def currency(self) -> str:
        return self.calculation.currency

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def reason_of_line(self, line_id: str) -> str | None:
        """A line's reason: its own, or else the refund's."""
        return self.line_reason_codes.get(line_id, self.reason_code)

    @property
    def came_back(self) -> bool:
        """Failed after the gateway had made it: the money went to the customer's bank and
        came back. Only then does a failed refund keep the gateway refund's id (a declined
        or failed attempt never had one; a new attempt forgets it)."""
        return self.status is RefundStatus.FAILED and self.gateway_refund_id is not None

    @property
    def holds_units(self) -> bool:
        return self.status not in RELEASING_STATUSES

    @property
    def gateway_idempotency_key(self) -> str:
        """One key per refund and attempt: a retry of the same attempt can never pay twice."""
        return f"supportdesk-refund-{self.id}-attempt-{self.attempt}"

    @classmethod
    def request(
        cls,
        *,
        id: str,
        support_case_id: str,
        order: Order,
        calculation: RefundCalculation,
        reason: str,
        by: Actor,
        now: datetime,
        restock: bool = False,
        kind: RefundKind = RefundKind.UNITS,
        reason_code: str | None = None,
        line_reason_codes: Mapping[str, str] | None = None,
        category: Category | None = None,
        reason_label: str | None = None,
    ) -> Refund:
        """Units asked for by the case's customer or staff for them; an amount only by
        staff (a customer says what is wrong, and staff decide what it is worth).
        ``category``: the case's, which picks the rule of an undelivered order's window."""
        if kind is RefundKind.AMOUNT and not by.is_staff:
            raise Forbidden("only support staff may give a refund of an amount")
        refund = cls(
            id=id,
            support_case_id=support_case_id,
            order_id=order.id,
            customer_id=order.customer_id,
            payment_reference=order.payment_reference,
            delivered_at=order.delivered_at,
            status=RefundStatus.REQUESTED,
            calculation=calculation,
            reason=reason,
            version=1,
            created_at=now,
            updated_at=now,
            restock=restock,
            customer=order.customer,
            kind=kind,
            reason_code=reason_code,
            line_reason_codes={
                line: code
                for line, code in (line_reason_codes or {}).items()
                if code != reason_code
            },
            shipped_at=order.shipped_at,
            window_basis=window_basis(order.shipped_at, order.delivered_at, category),
        )
        note = reason
        if kind is RefundKind.AMOUNT:
            given = f"an amount of {format_amount(calculation.total_amount, order.currency)}"
            # The history says the reason as people read it (the code if the label is unknown).
            cause = reason_label or reason_code
            note = f"{given} ({cause}): {reason}" if reason else f"{given} ({cause})"
        refund._record(by, now, "refund_requested", None, RefundStatus.REQUESTED, note)
        return refund

    def window_at(self, policy: RefundWindowPolicy, now: datetime) -> RefundWindow:
        """The window at ``now`` as the refund last saw its order (at request, at approval):
        what lists show without asking the order system per row."""
        if self.window_basis is None:
            return policy.window_for(self.delivered_at, now)
        return policy.window_on(self.window_basis, self.shipped_at, self.delivered_at, now)

    def needs_supervisor(self, supervisor_threshold: int) -> bool:
        """Above the threshold only a supervisor or an admin may approve the refund: it
        waits in their queue."""
        return self.total_amount > supervisor_threshold

    @property
    def decided_money(self) -> int:
        """What this refund gives the customer by a decision already taken: the total of an
        approved one (on its way, paid, or failed and to be tried again), a settlement's
        amount; nothing while requested, rejected or cancelled."""
        if self.status is RefundStatus.SETTLED:
            return self.settlement.amount if self.settlement else 0
        if self.status in _DECIDED_FOR_THE_GATEWAY:
            return self.total_amount
        return 0

    def _above_the_limit(
        self, amount: int, *, by: Actor, supervisor_threshold: int, decided_on_order: int, what: str
    ) -> SupervisorApprovalRequired | None:
        """An agent decides at most ``supervisor_threshold`` per order, counting what the
        order's other refunds already give (so a large order cannot be split into requests
        each under the threshold); supervisors and admins have no limit."""
        if by.may_approve_above_threshold or amount + decided_on_order <= supervisor_threshold:
            return None
        limit = format_amount(supervisor_threshold, self.currency)
        if decided_on_order:
            already = format_amount(decided_on_order, self.currency)
            return SupervisorApprovalRequired(
                f"together with {already} already given on order {self.order_id}, this "
                f"{what} passes the {limit} an agent may decide per order: a supervisor's "
                "decision is needed"
            )
        return SupervisorApprovalRequired(f"{what}s above {limit} need a supervisor's decision")

    def settle_limit(self, *, by: Actor, supervisor_threshold: int, decided_on_order: int) -> int:
        """The most ``by`` may record as a settlement of this refund."""
        if by.may_approve_above_threshold:
            return self.total_amount
        return max(0, min(self.total_amount, supervisor_threshold - decided_on_order))

    def approval_refusal(
        self,
        *,
        by: Actor,
        window: RefundWindow,
        supervisor_threshold: int,
        decided_on_order: int = 0,
        final_sale: Sequence[str] = (),
    ) -> DomainError | None:
        """Why ``by`` may not approve now, or None: staff only, from ``requested``, of no
        line sold as final sale (``final_sale``: their names), inside the window, and above
        the threshold (counting the order's other decided refunds) a supervisor or admin."""
        refusal = self._refusal(Action.APPROVE, by)
        if refusal is not None:
            return refusal
        if final_sale:
            return FinalSale(
                f"{', '.join(final_sale)} {'was' if len(final_sale) == 1 else 'were'} sold as "
                "final sale, which the refund policy never refunds through the payment "
                "gateway: reject the refund or record a settlement instead",
                lines=list(final_sale),
            )
        if not window.open:
            because = outside_because(window)
            lost = {
                name: moment.isoformat()
                for name, moment in (
                    ("shipped_at", window.shipped_at),
                    ("opens_at", window.opens_at),
                )
                if moment is not None
            }
            return OutsideRefundWindow(
                "the order is outside the refund window"
                + (f" ({because})" if because else "")
                + ", so it cannot be paid back through the payment gateway: reject the refund "
                "or record a settlement instead",
                delivered_at=window.delivered_at.isoformat() if window.delivered_at else None,
                closes_at=window.closes_at.isoformat() if window.closes_at else None,
                basis=window.basis.value,
                **lost,
            )
        if self.needs_supervisor(supervisor_threshold) and not by.may_approve_above_threshold:
            return SupervisorApprovalRequired(
                f"refunds above {format_amount(supervisor_threshold, self.currency)} need a "
                "supervisor's approval"
            )
        return self._above_the_limit(
            self.total_amount,
            by=by,
            supervisor_threshold=supervisor_threshold,
            decided_on_order=decided_on_order,
            what="refund",
        )

    def next_actions(
        self,
        *,
        by: Actor,
        window: RefundWindow,
        supervisor_threshold: int,
        decided_on_order: int = 0,
        final_sale: Sequence[str] = (),
    ) -> tuple[Decision, ...]:
        """Each action of ``by``'s role with what refuses it now, if anything: the same
        refusal the action itself raises. Staff decide (approve, reject, execute, settle);
        the owning customer may only withdraw; anyone else may do nothing."""
        if by.is_staff:
            actions = STAFF_ACTIONS
        elif by.owns(self.customer_id):
            actions = OWNER_ACTIONS
        else:
            return ()
        return tuple(
            Decision(
                action.value,
                self.approval_refusal(
                    by=by,
                    window=window,
                    supervisor_threshold=supervisor_threshold,
                    decided_on_order=decided_on_order,
                    final_sale=final_sale,
                )
                if action is Action.APPROVE
                else self._refusal(action, by),
            )
            for action in actions
        )

    def approve(
        self,
        *,
        by: Actor,
        now: datetime,
        window: RefundWindow,
        supervisor_threshold: int,
        note: str | None = None,
        note_public: bool = False,
        restock: bool | None = None,
        decided_on_order: int = 0,
        final_sale: Sequence[str] = (),
    ) -> None:
        """Staff approve inside the window; above the threshold only a supervisor may.
        The window seen is recorded with the decision, and whether the units go back in
        stock; the note is for staff unless made public. (A reject reason and a settlement
        note always are: they tell the customer what happened to their money.)"""
        refusal = self.approval_refusal(
            by=by,
            window=window,
            supervisor_threshold=supervisor_threshold,
            decided_on_order=decided_on_order,
            final_sale=final_sale,
        )
        if refusal is not None:
            raise refusal
        if restock is not None:
            self.restock = restock
        self.approval_window = window
        self.delivered_at = window.delivered_at
        self.shipped_at = window.shipped_at
        self.window_basis = window.basis
        self._move(RefundStatus.APPROVED, by, now, "refund_approved", note, note_public)

    def reject(self, *, by: Actor, now: datetime, reason: str) -> None:
        self._move(self._permitted(Action.REJECT, by), by, now, "refund_rejected", reason)

    def cancel(self, *, by: Actor, now: datetime) -> None:
        """Only the customer who asked may cancel, and only while it is requested."""
        self._move(self._permitted(Action.CANCEL, by), by, now, "refund_cancelled", None)

    def settle(
        self,
        settlement: Settlement,
        *,
        by: Actor,
        now: datetime,
        restock: bool | None = None,
        supervisor_threshold: int | None = None,
        decided_on_order: int = 0,
    ) -> None:
        """Outside the gateway: store credit, voucher, transfer, replacement, for 0 … total.
        Store credit and bank transfers are money too: above the threshold (counting the
        order's other decided refunds) only a supervisor or admin records one.
        ``restock`` None keeps what was decided before (the category's default, or the
        approval's for a failed refund); a settlement without a reason has the refund's."""
        target = self._permitted(Action.SETTLE, by)
        if settlement.reason_code is None:
            settlement = replace(settlement, reason_code=self.reason_code)
        if not 0 <= settlement.amount <= self.total_amount:
            raise ValidationFailed(
                f"the settlement amount must be between 0 and {self.total_amount}",
                field="amount",
            )
        if supervisor_threshold is not None:
            refusal = self._above_the_limit(
                settlement.amount,
                by=by,
                supervisor_threshold=supervisor_threshold,
                decided_on_order=decided_on_order,
                what="settlement",
            )
            if refusal is not None:
                raise refusal
        self.settlement = settlement
        if restock is not None:
            self.restock = restock
        amount = format_amount(settlement.amount, self.currency)
        note = f"{settlement.type.value.replace('_', ' ')} of {amount}: {settlement.note}"
        self._move(target, by, now, "refund_settled", note)

    def start_attempt(self, *, by: Actor, now: datetime) -> None:
        """Record the intent to call the gateway, under a new attempt number."""
        target = self._permitted(Action.EXECUTE, by)
        self.attempt += 1
        self.failure_reason = None
        # A refund that came back is paid anew: the old gateway refund (failed, in the
        # history) must not stand for the new attempt's.
        self.gateway_refund_id = None
        self.bank_reference = None
        self._move(target, by, now, "execution_started", f"attempt {self.attempt}")

    def gateway_succeeded(
        self,
        gateway_refund_id: str,
        *,
        by: Actor,
        now: datetime,
        bank_reference: str | None = None,
    ) -> None:
        target = self._target(Action.GATEWAY_SUCCEEDED)
        self.gateway_refund_id = gateway_refund_id
        self.bank_reference = bank_reference
        self.pending_reason = None
        self._move(
            target,
            by,
            now,
            "refund_succeeded",
            f"gateway refund {gateway_refund_id}",
        )

    def gateway_failed(self, reason: str, *, by: Actor, now: datetime) -> None:
        target = self._target(Action.GATEWAY_FAILED)
        self.failure_reason = reason
        self.pending_reason = None
        self._move(target, by, now, "refund_failed", reason)

    def gateway_pending(self, reason: str, *, by: Actor, now: datetime) -> bool:
        """The gateway holds the refund for ``reason``; recorded once per reason, only while
        the refund waits on the gateway. False when there was nothing new to record."""
        if self.status is not RefundStatus.PROCESSING or reason == self.pending_reason:
            return False
        self.pending_reason = reason
        self._record(
            by, now, "refund_pending", None, None, f"held by the payment provider: {reason}"
        )
        return True

    def gateway_reversed(self, reason: str, *, by: Actor, now: datetime) -> None:
        """A refund the gateway had made came back (``failed`` after ``succeeded``): the
        customer has not got their money, so the refund is failed again, with the reason.
        Its own history event, not a ``refund_failed``: the customer was told "refunded"."""
        target = self._target(Action.GATEWAY_REVERSED)
        self.failure_reason = reason
        self._move(
            target,
            by,
            now,
            REVERSED_EVENT,
            f"the money came back from the customer's bank: {reason}",
        )

    def record_bank_reference(self, bank_reference: str) -> bool:
        """The bank's reference of a refund that had none yet; True if it is new."""
        if self.bank_reference == bank_reference or self.status is not RefundStatus.REFUNDED:
            return False
        self.bank_reference = bank_reference
        return True

    def allows(self, action: Action) -> bool:
        return (self.status, action) in REFUND_TRANSITIONS

    def _target(self, action: Action) -> RefundStatus:
        target = REFUND_TRANSITIONS.get((self.status, action))
        if target is None:
            raise self._refused(action)
        return target

    def _refusal(self, action: Action, by: Actor) -> DomainError | None:
        """Who may take a person's action, then whether the status allows it (the window
        and the threshold of an approval come after: see ``approval_refusal``)."""
        if action is Action.CANCEL:
            if not by.owns(self.customer_id):
                return Forbidden("only the customer who requested the refund may cancel it")
        elif not by.is_staff:
            return Forbidden("only support staff may do this")
        if not self.allows(action):
            return self._refused(action)
        return None

    def _permitted(self, action: Action, by: Actor) -> RefundStatus:
        refusal = self._refusal(action, by)
        if refusal is not None:
            raise refusal
        return self._target(action)

    def _refused(self, action: Action) -> InvalidTransition:
        sources = [s.value for s in RefundStatus if (s, action) in REFUND_TRANSITIONS]
        final = ", which is final" if self.is_final else ""
        return InvalidTransition(
            f"a refund can be {_DONE[action]} only while it is {' or '.join(sources)}; "
            f"this one is {self.status.value}{final}",
            current_status=self.status.value,
            action=action.value,
        )

    def _move(
        self,
        target: RefundStatus,
        by: Actor,
        now: datetime,
        type: str,
        note: str | None,
        note_public: bool = True,
    ) -> None:
        self._record(by, now, type, self.status, target, note, note_public=note_public)
        self.status = target


class WriteBackKind(StrEnum):
    GATEWAY = "gateway"
    SETTLEMENT = "settlement"


@dataclass(frozen=True, slots=True)
class WriteBackLine:
    line_id: str
    quantity: int
    amount: int


@dataclass(frozen=True, slots=True)
class RefundWriteBack:
    """What the shop's order system is told of a refund once the money went back
    (``POST /orders/{order_id}/refunds``, docs/order-system.md). Built from the final
    refund alone, so every try of the same write-back sends the same body: the order
    system's idempotency by ``refund_id`` then makes a repeat change nothing."""

    order_id: str
    refund_id: str
    lines: tuple[WriteBackLine, ...]
    shipping_amount: int
    # What the customer got back: the refund's total, or a settlement's own amount (which
    # may be less than the lines' value: the lines say which units were given up on).
    total_amount: int
    currency: str
    kind: WriteBackKind
    settlement_type: str | None
    restock: bool
    gateway_refund_id: str | None


# The statuses a refund's money has gone back in; only these are written back.
WRITTEN_BACK_STATUSES = frozenset({RefundStatus.REFUNDED, RefundStatus.SETTLED})


def is_write_back_event(event: Event) -> bool:
    """The history event with which a refund's money went back (refunded or settled): the
    one the shop's order system is told of."""
    return event.entity is EntityKind.REFUND and event.to_status in {
        status.value for status in WRITTEN_BACK_STATUSES
    }


# The event of a refunded refund whose money the bank sent back (failed after succeeded).
REVERSED_EVENT = "refund_reversed"


def is_withdrawal_event(event: Event) -> bool:
    """The history event with which a refund the order system was told of turned out not to
    have happened (the money came back): the order system is told to forget it, so that its
    refunded quantities are right again and a settlement of the same refund can be written
    back under the same ``refund_id``."""
    return event.entity is EntityKind.REFUND and event.type == REVERSED_EVENT


def tells_order_system(event: Event) -> bool:
    return is_write_back_event(event) or is_withdrawal_event(event)


def write_back_of(refund: Refund) -> RefundWriteBack | None:
    """The write-back of a refunded or settled refund; None for any other status."""
    if refund.status not in WRITTEN_BACK_STATUSES:
        return None
    settled = refund.status is RefundStatus.SETTLED and refund.settlement is not None
    return RefundWriteBack(
        order_id=refund.order_id,
        refund_id=refund.id,
        lines=tuple(
            WriteBackLine(line_id=item.line_id, quantity=item.quantity, amount=item.amount)
            for item in refund.calculation.items
        ),
        shipping_amount=refund.calculation.shipping_amount,
        total_amount=refund.settlement.amount
        if settled and refund.settlement is not None
        else refund.total_amount,
        currency=refund.currency,
        kind=WriteBackKind.SETTLEMENT if settled else WriteBackKind.GATEWAY,
        settlement_type=refund.settlement.type.value
        if settled and refund.settlement is not None
        else None,
        restock=refund.restock,
        gateway_refund_id=refund.gateway_refund_id,
    )
