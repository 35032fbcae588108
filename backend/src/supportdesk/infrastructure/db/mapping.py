"""Rows to aggregates and back: how the domain is stored. Used by the repositories and the
read queries alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from supportdesk.domain.access import Role
from supportdesk.domain.cases import (
    CaseStatus,
    Category,
    Channel,
    OrderReference,
    Priority,
    SlaStanding,
    SupportCase,
)
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.messages import Message
from supportdesk.domain.money import LineRefund
from supportdesk.domain.orders import Customer, OrderLine
from supportdesk.domain.policy import PolicyDecision
from supportdesk.domain.refunds import (
    Refund,
    RefundCalculation,
    RefundKind,
    RefundStatus,
    Settlement,
    SettlementType,
)
from supportdesk.domain.sla import SlaState
from supportdesk.domain.users import UserAccount
from supportdesk.domain.window import RefundWindow, WindowBasis
from supportdesk.infrastructure.db.models import (
    EventRecord,
    MessageRecord,
    RefundRecord,
    SupportCaseRecord,
    UserRecord,
)


def case_row(case: SupportCase) -> dict[str, Any]:
    return {
        "customer_id": case.customer_id,
        "order_id": case.order.order_id,
        "subject": case.subject,
        "description": case.description,
        "category": case.category.value,
        "priority": case.priority.value,
        "priority_rank": case.priority.rank,
        "status": case.status.value,
        "assignee_id": case.assignee_id,
        "order_snapshot": {
            "currency": case.order.currency,
            "lines": [line.fields() for line in case.order.lines],
            **({"customer": _customer_fields(case.order.customer)} if case.order.customer else {}),
        },
        "channel": case.channel.value,
        "version": case.version,
        "updated_at": case.updated_at,
    }


def _customer_fields(customer: Customer) -> dict[str, str]:
    return {"id": customer.id, "name": customer.name, "email": customer.email}


def _customer_from(fields: dict[str, Any] | None) -> Customer | None:
    if not fields:
        return None
    return Customer(id=fields["id"], name=fields["name"], email=fields["email"])


def customer_row(customer: Customer, now: datetime) -> dict[str, Any]:
    """The customer directory's row (``CustomerRecord``)."""
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email.lower(),
        "search_text": f"{customer.name}\n{customer.email}".lower(),
        "updated_at": now,
    }


def sla_columns(state: SlaState) -> dict[str, Any]:
    """The case's SLA columns as ``state`` works them out (docs/sla.md)."""
    return {
        "first_response_due_at": state.first_response_due_at,
        "resolution_due_at": state.resolution_due_at,
        "due_at": state.due_at,
        "sla_status": state.status.value if state.status else None,
        "sla_check_at": state.next_check_at,
        "first_responded_at": state.first_responded_at,
    }


def new_case_row(case: SupportCase) -> dict[str, Any]:
    """The row of a case that is not stored yet: also its id and when it was opened."""
    return {**case_row(case), "id": case.id, "created_at": case.created_at}


def case_from_record(record: SupportCaseRecord | Row[Any]) -> SupportCase:
    snapshot = record.order_snapshot
    return SupportCase(
        id=record.id,
        customer_id=record.customer_id,
        order=OrderReference(
            order_id=record.order_id,
            currency=snapshot["currency"],
            lines=tuple(OrderLine.from_fields(line) for line in snapshot["lines"]),
            customer=_customer_from(snapshot.get("customer")),
        ),
        subject=record.subject,
        description=record.description,
        category=Category(record.category),
        priority=Priority(record.priority),
        status=CaseStatus(record.status),
        assignee_id=record.assignee_id,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        channel=Channel(record.channel),
        sla=SlaStanding(
            status=record.sla_status,
            first_response_due_at=record.first_response_due_at,
            resolution_due_at=record.resolution_due_at,
            first_responded_at=record.first_responded_at,
        ),
    )


def refund_row(refund: Refund) -> dict[str, Any]:
    calc = refund.calculation
    window = refund.approval_window
    settlement = refund.settlement
    return {
        "support_case_id": refund.support_case_id,
        "order_id": refund.order_id,
        "customer_id": refund.customer_id,
        "payment_reference": refund.payment_reference,
        "delivered_at": refund.delivered_at,
        "shipped_at": refund.shipped_at,
        "window_basis": refund.window_basis.value if refund.window_basis else None,
        "status": refund.status.value,
        "currency": calc.currency,
        "items": [
            {
                "line_id": item.line_id,
                "sku": item.sku,
                "name": item.name,
                "quantity": item.quantity,
                "parts": list(item.parts),
                **({"category": item.category} if item.category else {}),
                # Only a line whose reason is not the refund's carries one.
                **(
                    {"reason_code": refund.line_reason_codes[item.line_id]}
                    if item.line_id in refund.line_reason_codes
                    else {}
                ),
            }
            for item in calc.items
        ],
        "include_shipping": calc.include_shipping,
        "shipping_amount": calc.shipping_amount,
        "total_amount": calc.total_amount,
        "kind": refund.kind.value,
        "reason": refund.reason,
        "approval_window": None if window is None else window_json(window),
        "decision": None if refund.decision is None else refund.decision.to_data(),
        "decided_at": None if refund.decision is None else refund.decision.facts.at,
        "settlement": None
        if settlement is None
        else {
            "type": settlement.type.value,
            "amount": settlement.amount,
            "note": settlement.note,
            "reference": settlement.reference,
            "reason_code": settlement.reason_code,
        },
        "gateway_refund_id": refund.gateway_refund_id,
        "bank_reference": refund.bank_reference,
        "pending_reason": refund.pending_reason,
        "failure_reason": refund.failure_reason,
        "attempt": refund.attempt,
        "restock": refund.restock,
        "customer_name": refund.customer.name if refund.customer else None,
        "customer_email": refund.customer.email if refund.customer else None,
        "reason_code": refund.reason_code,
        "version": refund.version,
        "updated_at": refund.updated_at,
        "final_at": refund.updated_at if refund.is_final else None,
    }


def new_refund_row(refund: Refund) -> dict[str, Any]:
    """The row of a refund that is not stored yet: also its id and when it was requested."""
    return {**refund_row(refund), "id": refund.id, "created_at": refund.created_at}


def event_row(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "entity": event.entity.value,
        "entity_id": event.entity_id,
        "case_id": event.case_id,
        "type": event.type,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "note_public": event.note_public,
    }


def refund_from_record(record: RefundRecord | Row[Any]) -> Refund:
    window = record.approval_window
    settlement = record.settlement
    return Refund(
        id=record.id,
        support_case_id=record.support_case_id,
        order_id=record.order_id,
        customer_id=record.customer_id,
        payment_reference=record.payment_reference,
        delivered_at=record.delivered_at,
        shipped_at=record.shipped_at,
        window_basis=WindowBasis(record.window_basis) if record.window_basis else None,
        status=RefundStatus(record.status),
        calculation=RefundCalculation(
            currency=record.currency,
            items=tuple(
                LineRefund(
                    line_id=item["line_id"],
                    sku=item["sku"],
                    name=item["name"],
                    quantity=item["quantity"],
                    parts=tuple(item["parts"]),
                    category=item.get("category"),
                )
                for item in record.items
            ),
            include_shipping=record.include_shipping,
            shipping_amount=record.shipping_amount,
            # A refund of an amount has no lines and no shipping: its total is the amount.
            amount=record.total_amount if record.kind == RefundKind.AMOUNT else 0,
        ),
        kind=RefundKind(record.kind),
        reason=record.reason,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        approval_window=None if window is None else window_from_json(window),
        decision=None if record.decision is None else PolicyDecision.from_data(record.decision),
        settlement=None
        if settlement is None
        else Settlement(
            type=SettlementType(settlement["type"]),
            amount=settlement["amount"],
            note=settlement["note"],
            reference=settlement["reference"],
            reason_code=settlement.get("reason_code"),
        ),
        gateway_refund_id=record.gateway_refund_id,
        bank_reference=record.bank_reference,
        pending_reason=record.pending_reason,
        failure_reason=record.failure_reason,
        attempt=record.attempt,
        restock=record.restock,
        customer=None
        if record.customer_name is None
        else Customer(
            id=record.customer_id, name=record.customer_name, email=record.customer_email or ""
        ),
        reason_code=record.reason_code,
        line_reason_codes={
            item["line_id"]: item["reason_code"] for item in record.items if "reason_code" in item
        },
    )


def window_json(window: RefundWindow) -> dict[str, Any]:
    """The window seen at approval, as the refund's ``approval_window`` keeps it."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "delivered_at": when(window.delivered_at),
        "closes_at": when(window.closes_at),
        "open": window.open,
        "basis": window.basis.value,
        "shipped_at": when(window.shipped_at),
        "opens_at": when(window.opens_at),
    }


def window_from_json(kept: dict[str, Any]) -> RefundWindow:
    """A kept window; one kept before the rules of undelivered orders has no basis: it
    was the delivery's (``none`` for an order not delivered)."""
    delivered_at = _parse(kept["delivered_at"])
    basis = kept.get("basis") or (WindowBasis.DELIVERED if delivered_at else WindowBasis.NONE)
    return RefundWindow(
        delivered_at=delivered_at,
        closes_at=_parse(kept["closes_at"]),
        open=kept["open"],
        basis=WindowBasis(basis),
        shipped_at=_parse(kept.get("shipped_at")),
        opens_at=_parse(kept.get("opens_at")),
    )


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def user_from_record(record: UserRecord) -> UserAccount:
    return UserAccount(
        id=record.id,
        email=record.email,
        name=record.name,
        role=Role(record.role),
        customer_id=record.customer_id,
        password_hash=record.password_hash,
        active=record.active,
        created_at=record.created_at,
        sessions_since=record.sessions_since,
    )


def message_row(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "case_id": message.case_id,
        "author_id": message.author_id,
        "author_role": message.author_role,
        "body": message.body,
        "internal": message.internal,
        "created_at": message.created_at,
    }


def message_from_record(record: MessageRecord | Row[Any]) -> Message:
    return Message(
        id=record.id,
        case_id=record.case_id,
        author_id=record.author_id,
        author_role=record.author_role,
        body=record.body,
        internal=record.internal,
        created_at=record.created_at,
    )


def event_from_record(record: EventRecord | Row[Any]) -> Event:
    return Event(
        id=record.id,
        at=record.at,
        actor_id=record.actor_id,
        actor_role=record.actor_role,
        entity=EntityKind(record.entity),
        entity_id=record.entity_id,
        case_id=record.case_id,
        type=record.type,
        from_status=record.from_status,
        to_status=record.to_status,
        note=record.note,
        note_public=record.note_public,
    )
