"""Domain objects to response bodies, per role where the views differ."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from supportdesk.api import schemas as s
from supportdesk.application.customers import CustomerProfile
from supportdesk.application.orders import OrderView
from supportdesk.application.refunds import PolicyInForce, Quote
from supportdesk.domain.access import Actor
from supportdesk.domain.attachments import Attachment
from supportdesk.domain.cases import OrderReference, SupportCase
from supportdesk.domain.events import Event
from supportdesk.domain.messages import Message
from supportdesk.domain.money import LineRefund
from supportdesk.domain.orders import Customer
from supportdesk.domain.permissions import Decision, allowed_actions, refused_actions
from supportdesk.domain.policy import PolicyDecision
from supportdesk.domain.reasons import suggested_reason
from supportdesk.domain.refunds import Compensation, Refund, RefundStatus
from supportdesk.domain.sla import ClockReading, SlaState
from supportdesk.domain.window import RefundWindow

K = TypeVar("K")
V = TypeVar("V")


def window_out(window: RefundWindow) -> s.RefundWindowOut:
    return s.RefundWindowOut(
        delivered_at=window.delivered_at,
        closes_at=window.closes_at,
        open=window.open,
        basis=window.basis,
        shipped_at=window.shipped_at,
        opens_at=window.opens_at,
    )


def compensation_out(compensation: Compensation) -> s.CompensationOut:
    return s.CompensationOut(
        currency=compensation.currency,
        paid=compensation.paid,
        out=compensation.out,
        held=compensation.held,
        remaining=compensation.remaining,
    )


def order_out(view: OrderView) -> s.OrderOut:
    order = view.order
    return s.OrderOut(
        id=order.id,
        customer_id=order.customer_id,
        currency=order.currency,
        status=order.status.value,
        placed_at=order.placed_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        lines=[
            s.OrderLineOut(
                **line.fields(),
                gross=line.gross,
                refundable_quantity=view.refundable_quantity(line.line_id),
            )
            for line in order.lines
        ],
        shipping=s.ShippingOut(
            amount=order.shipping.amount,
            tax=order.shipping.tax,
            refundable=order.shipping.gross > 0 and not view.shipping_taken,
        ),
        refund_window=window_out(view.window),
        compensation=compensation_out(view.compensation),
        customer=None
        if order.customer is None
        else s.CustomerRefOut(
            id=order.customer.id, name=order.customer.name, email=order.customer.email
        ),
    )


def _customer_for(actor: Actor, customer: Customer | None) -> dict[str, str] | None:
    """Staff see who the customer is; a customer's own answers leave it out (the spec
    gives it to staff, and a customer knows who they are). Plain data, validated as part of
    the answer (``CustomerRefOut``)."""
    if customer is None or not actor.is_staff:
        return None
    return {"id": customer.id, "name": customer.name, "email": customer.email}


def customer_profile_out(
    profile: CustomerProfile,
    actor: Actor,
    policy: PolicyInForce,
    now: datetime,
    labels: Mapping[str, str] | None = None,
) -> s.CustomerOut:
    totals = profile.totals
    return s.CustomerOut(
        id=profile.customer.id,
        name=profile.customer.name,
        email=profile.customer.email,
        has_account=profile.has_account,
        orders=[order_out(view) for view in profile.orders],
        cases=[case_out(case, refunds, actor) for case, refunds in profile.cases],
        refunds=[
            refund_out(refund, actor, policy, now, labels=labels) for refund in profile.refunds
        ],
        totals=s.CustomerTotalsOut(
            currency=totals.currency,
            refunded=totals.refunded,
            settled=totals.settled,
            count_90d=totals.count_90d,
            spent_90d=totals.spent_90d,
            returned_90d=totals.returned_90d,
            spent_12m=totals.spent_12m,
            returned_12m=totals.returned_12m,
            refund_rate_12m_percent=totals.refund_rate_12m_percent,
        ),
        flags=[s.CustomerFlagOut(code=f.code, explanation=f.explanation) for f in profile.flags],
    )


def _blocked(decisions: tuple[Decision, ...]) -> list[dict[str, str]]:
    """The refused actions as plain data, validated as part of the answer
    (``BlockedActionOut``)."""
    return [
        {"action": d.action, "code": d.refusal.code, "detail": d.refusal.detail}
        for d in refused_actions(decisions)
        if d.refusal is not None
    ]


class _MadeOnce(Generic[K, V]):
    """What ``make`` made of an immutable object the reads share, kept by the object's id()
    with the object itself (so the id is not another's while it is here). What it makes is
    only read after this: validated or encoded."""

    def __init__(self, make: Callable[[K], V], *, most: int) -> None:
        self._make = make
        self._most = most
        self._made: dict[int, tuple[K, V]] = {}

    def __call__(self, of: K) -> V:
        found = self._made.get(id(of))
        if found is None or found[0] is not of:
            if len(self._made) >= self._most:
                self._made.clear()
            found = self._made[id(of)] = (of, self._make(of))
        return found[1]


# The decisions the domain keeps (``SupportCase.next_actions``: one tuple per status, role,
# ownership and open refunds), each with its allowed and refused actions as plain data:
# worked out once, not per case of every page.
_decided: _MadeOnce[tuple[Decision, ...], tuple[tuple[str, ...], tuple[dict[str, str], ...]]] = (
    _MadeOnce(
        lambda decisions: (tuple(allowed_actions(decisions)), tuple(_blocked(decisions))),
        most=256,
    )
)


# The case's order as plain data (``OrderSnapshotOut``), made once per order object: a case
# read again from the same stored row (``direct.MadeOfRows``) shares its order with the
# earlier reads, and an order is immutable. As many as the cases kept made of rows.
_snapshot: _MadeOnce[OrderReference, dict[str, Any]] = _MadeOnce(
    lambda order: {
        "order_id": order.order_id,
        "currency": order.currency,
        "lines": [{**line.fields(), "gross": line.gross} for line in order.lines],
    },
    most=1000,
)


# SupportCaseOut's fields that a case's plain data may leave out, at their defaults: with
# them, ``case_fields`` is the whole answer, the same with or without validation.
_CASE_DEFAULTS: dict[str, Any] = {
    name: field.default
    for name, field in s.SupportCaseOut.model_fields.items()
    if not field.is_required()
}


def case_out(
    case: SupportCase,
    refunds: list[Refund],
    actor: Actor,
    sla: SlaState | None = None,
    now: datetime | None = None,
) -> s.SupportCaseOut:
    """``sla``: the clocks worked out at ``now`` (a single case's read), which then also
    give the due times and status; without it, those the case keeps (lists)."""
    # One validation of plain data for the whole case, nested parts included, rather than a
    # model built per part (six to ten a case): 6-9 % less CPU for a page of cases.
    return s.SupportCaseOut.model_validate(case_fields(case, refunds, actor, sla, now))


def case_fields(
    case: SupportCase,
    refunds: list[Refund],
    actor: Actor,
    sla: SlaState | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A case's answer as plain data, every field of ``SupportCaseOut`` in it: what
    ``case_out`` validates, and what the plain list (``api/hot.py``) encodes as it is."""
    has_open_refunds = any(not r.is_final for r in refunds)
    allowed, blocked = _decided(case.next_actions(by=actor, has_open_refunds=has_open_refunds))
    return {
        **_CASE_DEFAULTS,
        "id": case.id,
        "customer_id": case.customer_id,
        "order_id": case.order_id,
        "subject": case.subject,
        "description": case.description,
        "category": case.category,
        "priority": case.priority,
        "status": case.status,
        "assignee_id": case.assignee_id,
        "version": case.version,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "refunds": [
            {
                "id": r.id,
                "status": r.status,
                "total_amount": r.total_amount,
                "currency": r.currency,
            }
            for r in refunds
        ],
        "order_snapshot": _snapshot(case.order),
        "channel": case.channel,
        "refund_reason_code": suggested_reason(case.category),
        "customer": _customer_for(actor, case.order.customer),
        "allowed_actions": allowed,
        "allowed_moves": case.allowed_moves(by=actor, has_open_refunds=has_open_refunds),
        "blocked_actions": blocked,
        **_sla_fields(case, actor, sla, now),
    }


def _sla_fields(
    case: SupportCase, actor: Actor, sla: SlaState | None, now: datetime | None
) -> dict[str, Any]:
    """The SLA is the shop's promise to itself: staff see it, customers do not."""
    if not actor.is_staff:
        return {}
    if sla is None or now is None:
        return {
            "first_response_due_at": case.sla.first_response_due_at,
            "resolution_due_at": case.sla.resolution_due_at,
            "sla_status": case.sla.status,
        }
    return {
        "first_response_due_at": sla.first_response_due_at,
        "resolution_due_at": sla.resolution_due_at,
        "sla_status": sla.status,
        "sla": {
            "first_response": _clock_out(sla.first_response, now),
            "resolution": _clock_out(sla.resolution, now),
        },
    }


def _clock_out(reading: ClockReading, now: datetime) -> dict[str, Any]:
    """``SlaClockOut``'s fields, as plain data like the rest of ``case_fields``."""
    if reading.pending:
        state = "running" if reading.running else "paused"
    else:
        state = "met" if reading.met_at is not None else "stopped"
    breached_at = reading.breached_at
    return {
        "state": state,
        "due_at": reading.due_at,
        "met_at": reading.met_at,
        "target_seconds": int(reading.target.total_seconds()),
        "business_seconds_left": int(reading.left.total_seconds()),
        "breached": breached_at is not None and breached_at <= now,
    }


def _items(
    items: tuple[LineRefund, ...],
    refund: Refund | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[s.RefundItemOut]:
    """A refund's lines, each with its reason; a quote's have none yet."""
    out = []
    for i in items:
        code = refund.reason_of_line(i.line_id) if refund else None
        out.append(
            s.RefundItemOut(
                line_id=i.line_id,
                sku=i.sku,
                name=i.name,
                quantity=i.quantity,
                parts=list(i.parts),
                amount=i.amount,
                reason_code=code,
                reason_label=_label(code, labels),
            )
        )
    return out


def _label(code: str | None, labels: Mapping[str, str] | None) -> str | None:
    """A reason's label as the list names it now (the code itself if the answer was built
    without the list)."""
    if code is None:
        return None
    return (labels or {}).get(code, code)


def quote_out(quote: Quote) -> s.QuoteOut:
    calc = quote.calculation
    return s.QuoteOut(
        currency=calc.currency,
        items=_items(calc.items),
        include_shipping=calc.include_shipping,
        shipping_amount=calc.shipping_amount,
        total_amount=calc.total_amount,
        refund_window=window_out(quote.window),
        compensation=compensation_out(quote.compensation),
    )


def refund_out(
    refund: Refund,
    actor: Actor,
    policy: PolicyInForce,
    now: datetime,
    *,
    decided_on_order: int = 0,
    labels: Mapping[str, str] | None = None,
    window: RefundWindow | None = None,
) -> s.RefundOut:
    """``decided_on_order``: what the order's other refunds already give, where the caller
    read it (the refund page), so that an agent's limit per order shows before trying.
    ``labels``: the reasons list's labels by code. ``window``: the window as the caller
    worked it out (the refund page asks the order system); else as the refund last saw its
    order (lists)."""
    calc = refund.calculation
    settlement = refund.settlement
    window = window or refund.window_at(policy.window_of(refund), now)
    threshold = policy.approval_threshold(refund)
    decisions = refund.next_actions(
        by=actor,
        window=window,
        supervisor_threshold=threshold,
        decided_on_order=decided_on_order,
        final_sale=policy.final_sale(refund) if actor.is_staff else (),
    )
    return s.RefundOut(
        id=refund.id,
        support_case_id=refund.support_case_id,
        order_id=refund.order_id,
        customer_id=refund.customer_id,
        customer=None
        if (seen := _customer_for(actor, refund.customer)) is None
        else s.CustomerRefOut(**seen),
        needs_supervisor=refund.needs_supervisor(threshold) if actor.is_staff else None,
        confirm_above=policy.confirm_above if actor.is_staff else None,
        settle_limit=(
            refund.settle_limit(
                by=actor,
                supervisor_threshold=policy.rules.settlement_threshold,
                decided_on_order=decided_on_order,
            )
            if actor.is_staff
            else None
        ),
        status=refund.status,
        kind=refund.kind,
        currency=calc.currency,
        items=_items(calc.items, refund, labels),
        include_shipping=calc.include_shipping,
        shipping_amount=calc.shipping_amount,
        total_amount=calc.total_amount,
        reason=refund.reason,
        reason_code=refund.reason_code,
        reason_label=_label(refund.reason_code, labels),
        refund_window=window_out(window),
        approval_window=window_out(refund.approval_window) if refund.approval_window else None,
        decision=_decision_out(refund.decision),
        settlement=None
        if settlement is None
        else s.SettlementOut(
            type=settlement.type,
            amount=settlement.amount,
            note=settlement.note,
            reference=settlement.reference,
            reason_code=settlement.reason_code,
            reason_label=_label(settlement.reason_code, labels),
        ),
        gateway_refund_id=refund.gateway_refund_id,
        bank_reference=refund.bank_reference,
        pending_reason=refund.pending_reason,
        came_back=refund.came_back,
        failure_reason=refund.failure_reason,
        attempt=refund.attempt,
        restock=refund.restock,
        allowed_actions=allowed_actions(decisions),
        blocked_actions=[s.BlockedActionOut(**blocked) for blocked in _blocked(decisions)],
        final=refund.is_final,
        version=refund.version,
        created_at=refund.created_at,
        updated_at=refund.updated_at,
        time_to_money_seconds=_time_to_money(refund, actor),
    )


def _decision_out(decision: PolicyDecision | None) -> s.RefundDecisionOut | None:
    if decision is None:
        return None
    return s.RefundDecisionOut(
        policy_version=decision.policy_version,
        rule=decision.rule.value,
        explanation=decision.explanation,
        decided_at=decision.facts.at,
    )


def _time_to_money(refund: Refund, actor: Actor) -> int | None:
    """From the request to the money sent: a final refund changes no more, so its last
    change is when it became refunded or settled. Staff's figure, like the SLA."""
    if not actor.is_staff or refund.status not in (RefundStatus.REFUNDED, RefundStatus.SETTLED):
        return None
    return int((refund.updated_at - refund.created_at).total_seconds())


def message_out(message: Message) -> s.MessageOut:
    return s.MessageOut(
        id=message.id,
        case_id=message.case_id,
        author_id=message.author_id,
        author_role=message.author_role,
        body=message.body,
        internal=message.internal,
        created_at=message.created_at,
        attachments=[attachment_out(a) for a in message.attachments],
    )


def attachment_out(attachment: Attachment) -> s.AttachmentOut:
    return s.AttachmentOut(
        id=attachment.id,
        case_id=attachment.case_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        internal=attachment.internal,
        created_at=attachment.created_at,
        uploader_id=attachment.uploader_id,
        uploader_role=attachment.uploader_role,
        message_id=attachment.message_id,
        refund_id=attachment.refund_id,
        redacted=attachment.redacted,
        url=f"/api/v1/attachments/{attachment.id}",
    )


def event_out(event: Event) -> s.EventOut:
    return s.EventOut(
        id=event.id,
        at=event.at,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        entity=event.entity.value,
        entity_id=event.entity_id,
        type=event.type,
        from_status=event.from_status,
        to_status=event.to_status,
        note=event.note,
        note_public=event.note_public,
    )
