"""Payment events in: what the gateway tells us later about a refund (Stripe's
``refund.created``, ``refund.updated``, ``charge.refund.updated``).

The gateway's answer to "refund this" is not its last word: a refund can stay pending for
days, and one that succeeded can fail later when the card network sends the money back.
Each event is verified (``Stripe-Signature``), acted on once (by its id, in the same
transaction as the change it makes), and judged by the refund's state, never by the order
the events arrive in: Stripe neither orders nor de-duplicates its deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from supportdesk.application.conflicts import again_on_conflict
from supportdesk.application.ports import Clock, UnitOfWork
from supportdesk.domain.access import SYSTEM
from supportdesk.domain.errors import InvalidSignature, ValidationFailed
from supportdesk.domain.refunds import Refund, RefundStatus

log = structlog.get_logger(__name__)

# Stripe's own libraries refuse a signature older than this: a captured event cannot be
# replayed later (and its id would be known by then anyway).
SIGNATURE_TOLERANCE = timedelta(minutes=5)
REFUND_EVENT_TYPES = frozenset({"refund.created", "refund.updated", "charge.refund.updated"})
# A refund's state at Stripe after which nothing else comes: a "succeeded" that arrives
# after a "failed" for the same gateway refund is older news.
_GATEWAY_FINAL = frozenset({"failed", "canceled"})
_ATTEMPTS = 3  # a concurrent change of the refund: look again (see receive)


def verify_signature(
    payload: bytes, header: str | None, secret: str | None, *, now: datetime
) -> None:
    """Stripe's scheme: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">`` (several
    ``v1`` while a secret is rolled). Constant-time comparison; the timestamp within
    ``SIGNATURE_TOLERANCE`` of now, either way."""
    if not secret:
        raise InvalidSignature("no PAYMENT_GATEWAY_WEBHOOK_SECRET is configured to verify with")
    if not header:
        raise InvalidSignature("the Stripe-Signature header is missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("the Stripe-Signature header has no timestamp or no v1 signature")
    expected = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + payload, hashlib.sha256
    ).hexdigest()
    # Every candidate is compared, so the time taken tells nothing about which matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise InvalidSignature("the signature does not match the payload")
    if abs(now.timestamp() - timestamp) > SIGNATURE_TOLERANCE.total_seconds():
        raise InvalidSignature("the signature's timestamp is outside the 5-minute tolerance")


@dataclass(frozen=True, slots=True)
class GatewayRefundState:
    """What an event says of one gateway refund."""

    id: str
    status: str
    refund_id: str | None  # ours, from the metadata we sent with it
    attempt: int | None
    failure_reason: str | None
    pending_reason: str | None
    bank_reference: str | None


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    id: str
    type: str
    refund: GatewayRefundState | None  # None: not an event about a refund


def parse_event(payload: bytes) -> PaymentEvent:
    """The fields of a Stripe event that we act on. A signed body that is not one is the
    gateway's (or its configuration's) mistake: refused, so it is re-sent and noticed."""
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"the event is not JSON: {exc}", field="body") from None
    if not isinstance(body, dict):
        raise ValidationFailed("the event is not a JSON object", field="body")
    event_id, type_ = body.get("id"), body.get("type")
    if not isinstance(event_id, str) or not event_id or not isinstance(type_, str):
        raise ValidationFailed("the event has no id or no type", field="body")
    data = body.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if type_ not in REFUND_EVENT_TYPES or not isinstance(obj, dict):
        return PaymentEvent(event_id, type_, None)
    refund_id, status = obj.get("id"), obj.get("status")
    if not isinstance(refund_id, str) or not isinstance(status, str):
        raise ValidationFailed("the refund in the event has no id or no status", field="body")
    raw_metadata = obj.get("metadata")
    metadata: dict[str, object] = raw_metadata if isinstance(raw_metadata, dict) else {}
    attempt = str(metadata.get("attempt", ""))
    return PaymentEvent(
        event_id,
        type_,
        GatewayRefundState(
            id=refund_id,
            status=status,
            refund_id=_text(metadata.get("refund_id")),
            attempt=int(attempt) if attempt.isdigit() else None,
            failure_reason=_text(obj.get("failure_reason")),
            pending_reason=_text(obj.get("pending_reason")),
            bank_reference=_bank_reference(obj.get("destination_details")),
        ),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _bank_reference(details: object) -> str | None:
    # ``{"type": "card", "card": {"reference": …}}``: one block named by its type.
    if not isinstance(details, dict):
        return None
    block = details.get(str(details.get("type")))
    return _text(block.get("reference")) if isinstance(block, dict) else None


class PaymentEventService:
    """Acts on the payment gateway's events about our refunds."""

    def __init__(self, uow: UnitOfWork, clock: Clock, secret: str | None) -> None:
        self.uow = uow
        self.clock = clock
        self.secret = secret

    async def receive(self, payload: bytes, signature: str | None) -> str:
        """Verify, then act once on the event; answers what it did (``duplicate`` for a
        re-send). A bad signature changes nothing. A concurrent change of the refund (the
        execute call recording the same answer) rolls this back and it looks again."""
        verify_signature(payload, signature, self.secret, now=self.clock.now())
        event = parse_event(payload)
        return await again_on_conflict(lambda: self._apply(event), attempts=_ATTEMPTS)

    async def _apply(self, event: PaymentEvent) -> str:
        now = self.clock.now()
        async with self.uow:
            if not await self.uow.payment_events.claim(event.id, type=event.type, now=now):
                return "duplicate"
            refund = None
            if event.refund is not None and event.refund.refund_id is not None:
                refund = await self.uow.refunds.get(event.refund.refund_id)
            if event.refund is None or refund is None:
                outcome = "ignored"
            else:
                outcome = await self._act(refund, event.refund, now)
            await self.uow.payment_events.record_outcome(
                event.id, refund_id=None if refund is None else refund.id, outcome=outcome
            )
            await self.uow.commit()
        log.info("payment_event", event_id=event.id, type=event.type, outcome=outcome)
        return outcome

    async def _act(self, refund: Refund, state: GatewayRefundState, now: datetime) -> str:
        """The event's news, judged by where the refund stands:

        - ``succeeded`` confirms the attempt that is processing (as reconciliation would),
          or brings the bank reference of a refunded one;
        - ``pending`` records why the gateway holds the processing attempt;
        - ``failed``/``canceled`` fails the processing attempt; after ``succeeded`` (the
          refund is refunded under this gateway refund) the money came back: the refund is
          failed again, the case reopened and urgent, the customer told;
        - anything else is older news than the refund's state, or about another attempt.
        """
        status = refund.status
        this_attempt = status is RefundStatus.PROCESSING and state.attempt == refund.attempt
        ours = refund.gateway_refund_id == state.id
        if state.status == "succeeded":
            if this_attempt:
                refund.gateway_succeeded(
                    state.id, by=SYSTEM, now=now, bank_reference=state.bank_reference
                )
                return await self._save(refund, status, "refunded")
            if (
                status is RefundStatus.REFUNDED
                and ours
                and state.bank_reference
                and refund.record_bank_reference(state.bank_reference)
            ):
                return await self._save(refund, status, "bank_reference")
            return "unchanged"
        if state.status in _GATEWAY_FINAL:
            reason = state.failure_reason or f"gateway refund {state.status}"
            if this_attempt:
                refund.gateway_failed(reason, by=SYSTEM, now=now)
                return await self._save(refund, status, "failed")
            if status is RefundStatus.REFUNDED and ours and state.status == "failed":
                refund.gateway_reversed(reason, by=SYSTEM, now=now)
                case = await self.uow.cases.get(refund.support_case_id)
                if case is not None:
                    case.refund_came_back(
                        by=SYSTEM,
                        now=now,
                        note=f"refund {refund.id} came back from the customer's bank: {reason}",
                    )
                    await self.uow.cases.save(case)
                return await self._save(refund, status, "reversed")
            return "unchanged"
        if state.status in ("pending", "requires_action") and this_attempt:
            reason = state.pending_reason or state.status
            if refund.gateway_pending(reason, by=SYSTEM, now=now):
                return await self._save(refund, status, "pending")
        return "unchanged"

    async def _save(self, refund: Refund, seen: RefundStatus, outcome: str) -> str:
        await self.uow.refunds.save(refund, expected_status=seen)
        return outcome
