"""A payment-gateway sandbox that speaks Stripe's Refunds API, and can be told to fail.

It exists so tests can prove the exactly-once promise of SPEC section 4 against the
same HTTP adapter that talks to Stripe: it honours ``Idempotency-Key`` the way Stripe
does (a replay, a 400 for other parameters, a 409 while the first request is in flight),
never refunds more than a payment captured, and fails on demand (decline, 500, slow
answer, dropped connection, or a refund made whose answer never arrives). It also plays
what happens after the answer: a refund that stays ``pending`` for a while, or one that
``succeeded`` and later comes back ``failed``, and tells a configured URL through signed
Stripe events (``gateway_events.py``). Everything it did is in ``refunds`` (Python) and
``GET /_sandbox/refunds`` (HTTP) so a test can count the money that actually moved.

The state and the rules live here; the HTTP surface is ``gateway_http.py``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from supportdesk.infrastructure.simulators.gateway_events import EventSender, stripe_event
from supportdesk.infrastructure.simulators.orders import CapturedPayment, demo_payments

_DEFAULT_DELAY_SECONDS = {
    "slow": 1.0,
    "accept_then_timeout": 60.0,
    "fail_after_success": 5.0,
    "pending_then_succeeded": 5.0,
}
# Stripe's values (https://docs.stripe.com/api/refunds/object).
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
FAILURE_REASONS = frozenset({
    "lost_or_stolen_card", "expired_or_canceled_card", "charge_for_pending_refund_disputed",
    "insufficient_funds", "declined", "merchant_request", "unknown",
})  # fmt: skip
PENDING_REASONS = frozenset({"processing", "insufficient_funds", "charge_pending"})
# A refund in these states gave nothing back, so its amount is refundable again.
_NO_MONEY_MOVED = frozenset({"failed", "canceled"})


class FaultMode(StrEnum):
    DECLINE = "decline"  # 402 card_declined; nothing made
    SERVER_ERROR = "server_error"  # 500 api_error; nothing made, nothing remembered
    SLOW = "slow"  # waits delay_seconds, then behaves normally
    DROP = "drop"  # the connection drops before any answer; nothing made
    ACCEPT_THEN_TIMEOUT = "accept_then_timeout"  # refund made and remembered; answer late
    # The refund is made and answered succeeded; delay_seconds later the card network
    # sends the money back: status failed with failure_reason.
    FAIL_AFTER_SUCCESS = "fail_after_success"
    # The refund is made and answered pending (pending_reason); delay_seconds later it
    # succeeds.
    PENDING_THEN_SUCCEEDED = "pending_then_succeeded"
    # The refund is made in requires_action (the customer must act): the only state
    # Stripe lets a merchant cancel.
    REQUIRES_ACTION = "requires_action"


_OUTCOME_MODES = frozenset(
    {FaultMode.FAIL_AFTER_SUCCESS, FaultMode.PENDING_THEN_SUCCEEDED, FaultMode.REQUIRES_ACTION}
)


@dataclass
class Fault:
    mode: FaultMode
    times: int = 1
    idempotency_key: str | None = None  # None: the next calls, whatever their key
    delay_seconds: float = 0.0
    failure_reason: str = "expired_or_canceled_card"
    pending_reason: str = "processing"


class StripeRefusal(Exception):
    """An answer in Stripe's error shape: ``{"error": {"type", "code", "message", "param"}}``."""

    def __init__(
        self,
        status_code: int,
        type_: str,
        message: str,
        code: str | None = None,
        param: str | None = None,
        **extra: str,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body: dict[str, object] = {
            "error": {"type": type_, "code": code, "message": message, "param": param, **extra}
        }


def invalid(message: str, code: str | None = None, param: str | None = None) -> StripeRefusal:
    return StripeRefusal(400, "invalid_request_error", message, code, param)


@dataclass
class SandboxRefund:
    """A refund the sandbox made: money that went back to a customer (unless it failed)."""

    id: str
    payment_intent: str
    amount: int
    currency: str  # lower case, as Stripe writes it
    status: str
    created: int
    metadata: dict[str, str]
    idempotency_key: str | None
    # The card network's acquirer reference number (23 digits), or None when the sandbox
    # plays a gateway that has none yet (``reference_status: pending``).
    bank_reference: str | None = None
    charge: str = ""
    reason: str | None = None
    failure_reason: str | None = None
    pending_reason: str | None = None

    def to_stripe(
        self, expand: Iterable[str] = (), sandbox: GatewaySandbox | None = None
    ) -> dict[str, object]:
        body: dict[str, object] = {
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": None,
            "charge": self.charge,
            "currency": self.currency,
            "payment_intent": self.payment_intent,
            "status": self.status,
            "created": self.created,
            "metadata": dict(self.metadata),
            "reason": self.reason,
            "failure_reason": self.failure_reason,
            "pending_reason": self.pending_reason,
            "receipt_number": None,
            "destination_details": {
                "type": "card",
                "card": {
                    "reference": self.bank_reference,
                    "reference_status": "available" if self.bank_reference else "pending",
                    "reference_type": "acquirer_reference_number",
                    "type": "refund",
                },
            },
        }
        if sandbox is not None:
            for path in expand:
                body[path] = sandbox.expanded(path, self)
        return body


@dataclass(frozen=True, slots=True)
class _StoredAnswer:
    params: tuple[tuple[str, str], ...]
    status_code: int
    body: dict[str, object]


@dataclass
class _Payment:
    amount: int
    currency: str
    charge: str


def charge_id(payment_reference: str) -> str:
    """The charge of a payment: one per payment here, named after it so tests can guess it."""
    return "ch_" + payment_reference.removeprefix("pi_")


_EXPANDABLE = ("charge", "payment_intent")


@dataclass
class ListQuery:
    """``GET /v1/refunds`` as Stripe reads it: filters, then a page of ``limit``."""

    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None
    payment_intent: str | None = None
    charge: str | None = None
    created: dict[str, int] = field(default_factory=dict)  # gt, gte, lt, lte (eq as gte+lte)
    expand: tuple[str, ...] = ()


class GatewaySandbox:
    """The sandbox's state and its ASGI ``app``; one instance per test or per process.

    Knows the demo orders' payments unless given others. Faults apply to refund
    creation (``POST /v1/refunds``) only; reads always answer. A fault bound to an
    idempotency key waits for a call with that key; other faults hit the next calls in
    the order they were injected.
    """

    def __init__(self, payments: Iterable[CapturedPayment] | None = None) -> None:
        # The HTTP surface needs this class; imported here so each module reads alone.
        from supportdesk.infrastructure.simulators.gateway_http import create_sandbox_app

        self._seed = tuple(demo_payments() if payments is None else payments)
        self.payments: dict[str, _Payment] = {}
        self.refunds: list[SandboxRefund] = []  # every refund made, oldest first
        self.events: list[dict[str, object]] = []  # every event emitted, oldest first
        self.events_to: EventSender | None = None
        self._answers: dict[str, _StoredAnswer] = {}
        self._in_flight: set[str] = set()
        self._faults: list[Fault] = []
        self._tasks: set[asyncio.Task[None]] = set()
        # Whether refunds come with the bank's reference at once (as a card refund's ARN
        # usually does) or without one yet.
        self.bank_references = True
        self.reset()
        self.app = create_sandbox_app(self)

    # -- set-up, from tests and the control endpoints --------------------------------

    def add_payment(self, payment_reference: str, amount: int, currency: str) -> None:
        self.payments[payment_reference] = _Payment(
            amount, currency.lower(), charge_id(payment_reference)
        )

    def send_events(self, sender: EventSender | None) -> None:
        """Send every event from now on through ``sender`` (None: keep them to itself)."""
        self.events_to = sender

    def refunded_amount(self, payment_reference: str) -> int:
        """What went back to the customer and stayed there: failed and canceled refunds
        gave nothing back."""
        return sum(
            r.amount
            for r in self.refunds
            if r.payment_intent == payment_reference and r.status not in _NO_MONEY_MOVED
        )

    def inject(
        self,
        mode: FaultMode | str,
        times: int = 1,
        idempotency_key: str | None = None,
        delay_seconds: float | None = None,
        *,
        failure_reason: str | None = None,
        pending_reason: str | None = None,
    ) -> Fault:
        """Make the next ``times`` refund calls (with that key, if given) fail as ``mode``."""
        mode = FaultMode(mode)
        delay = _DEFAULT_DELAY_SECONDS.get(mode, 0.0) if delay_seconds is None else delay_seconds
        fault = Fault(mode, times, idempotency_key, delay)
        if failure_reason is not None:
            fault.failure_reason = failure_reason
        if pending_reason is not None:
            fault.pending_reason = pending_reason
        self._faults.append(fault)
        return fault

    def reset(self) -> None:
        """Forget refunds, events, idempotency records, faults and changes still to come;
        payments back to the seed."""
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        self.bank_references = True
        self.refunds.clear()
        self.events.clear()
        self._answers.clear()
        self._in_flight.clear()
        self._faults.clear()
        self.payments.clear()
        for payment in self._seed:
            self.add_payment(payment.payment_reference, payment.amount, payment.currency)

    def stop(self) -> None:
        """Cancel the changes and deliveries still to come (the process is stopping)."""
        for task in list(self._tasks):
            task.cancel()

    async def settled(self) -> None:
        """Wait for every change and event delivery scheduled so far (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- what the API does -----------------------------------------------------------

    def take_fault(self, idempotency_key: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.idempotency_key is None or fault.idempotency_key == idempotency_key:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def refund(self, refund_id: str) -> SandboxRefund:
        for refund in self.refunds:
            if refund.id == refund_id:
                return refund
        raise StripeRefusal(
            404, "invalid_request_error", f"No such refund: '{refund_id}'", "resource_missing",
            "id",
        )  # fmt: skip

    def create_refund(
        self,
        params: Sequence[tuple[str, str]],
        idempotency_key: str | None,
        outcome: Fault | None = None,
    ) -> SandboxRefund:
        """Make the refund, or raise why not. No await inside: one event-loop step, so two
        concurrent calls cannot both pass the over-refund check."""
        values = dict(params)
        unknown = [
            name
            for name in values
            if name not in _CREATE_PARAMS and not _is_meta(name) and not _is_expand(name)
        ]
        if unknown:
            raise invalid(
                f"Received unknown parameter: {unknown[0]}", "parameter_unknown", unknown[0]
            )
        expand = expansions(params)
        intent = self._payment_named(values.get("payment_intent"), values.get("charge"))
        payment = self.payments[intent]
        currency = values.get("currency")
        if currency is not None and currency.lower() != payment.currency:
            # Stripe refunds in the charge's currency; another one is a mistake.
            raise invalid(
                f"The currency {currency} does not match the charge's currency "
                f"{payment.currency}.", None, "currency",
            )  # fmt: skip
        reason = values.get("reason") or None
        if reason is not None and reason not in REFUND_REASONS:
            raise invalid(
                f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}",
                None, "reason",
            )  # fmt: skip
        left = payment.amount - self.refunded_amount(intent)
        raw_amount = values.get("amount")
        if raw_amount is None:
            amount = left
        elif raw_amount.isdigit() and int(raw_amount) > 0:
            amount = int(raw_amount)
        else:
            raise invalid("Invalid positive integer", "parameter_invalid_integer", "amount")
        if left <= 0:
            raise invalid(
                f"Charge {payment.charge} has already been refunded.", "charge_already_refunded"
            )
        if amount > left:
            raise invalid(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                "amount_too_large", "amount",
            )  # fmt: skip
        refund = SandboxRefund(
            id=f"re_{secrets.token_hex(12)}",
            payment_intent=intent,
            amount=amount,
            currency=payment.currency,
            status="succeeded",
            created=int(time.time()),
            metadata={name[9:-1]: value for name, value in params if _is_meta(name)},
            idempotency_key=idempotency_key,
            bank_reference=_arn() if self.bank_references else None,
            charge=payment.charge,
            reason=reason,
        )
        if outcome is not None and outcome.mode is FaultMode.PENDING_THEN_SUCCEEDED:
            refund.status, refund.pending_reason = "pending", outcome.pending_reason
            refund.bank_reference = None  # no reference before the network has it
        elif outcome is not None and outcome.mode is FaultMode.REQUIRES_ACTION:
            refund.status, refund.bank_reference = "requires_action", None
        self.refunds.append(refund)
        self._emit("refund.created", refund)
        if outcome is not None and outcome.mode is FaultMode.PENDING_THEN_SUCCEEDED:
            self._later(outcome.delay_seconds, refund.id, "succeeded")
        elif outcome is not None and outcome.mode is FaultMode.FAIL_AFTER_SUCCESS:
            self._later(outcome.delay_seconds, refund.id, "failed", outcome.failure_reason)
        del expand  # validated here; the HTTP layer expands the answer
        return refund

    def update_refund(self, refund_id: str, params: Sequence[tuple[str, str]]) -> SandboxRefund:
        """Stripe lets a merchant change a refund's metadata only; an empty value unsets a
        key, an empty ``metadata`` unsets them all."""
        refund = self.refund(refund_id)
        for name, _ in params:
            if not (_is_meta(name) or _is_expand(name) or name == "metadata"):
                raise invalid(f"Received unknown parameter: {name}", "parameter_unknown", name)
        expansions(params)
        before = dict(refund.metadata)
        for name, value in params:
            if name == "metadata":
                if value:
                    raise invalid("Invalid hash", "parameter_invalid_empty", "metadata")
                refund.metadata.clear()
            elif _is_meta(name):
                key = name[9:-1]
                if value:
                    refund.metadata[key] = value
                else:
                    refund.metadata.pop(key, None)
        if refund.metadata != before:
            self._emit("refund.updated", refund, {"metadata": before})
        return refund

    def cancel_refund(self, refund_id: str) -> SandboxRefund:
        """Only a refund waiting on the customer (``requires_action``) can be canceled."""
        refund = self.refund(refund_id)
        if refund.status != "requires_action":
            raise invalid(
                f"Refund {refund_id} has a status of {refund.status}; only refunds with a "
                "status of requires_action can be canceled.", None, "refund",
            )  # fmt: skip
        self.change_status(refund.id, "canceled")
        return refund

    def change_status(
        self,
        refund_id: str,
        status: str,
        failure_reason: str | None = None,
        pending_reason: str | None = None,
    ) -> SandboxRefund:
        """What the card network decided later; emits ``refund.updated`` and
        ``charge.refund.updated`` as Stripe does."""
        refund = self.refund(refund_id)
        previous: dict[str, object] = {"status": refund.status}
        refund.status = status
        refund.pending_reason = pending_reason if status == "pending" else None
        if status == "failed":
            previous["failure_reason"] = refund.failure_reason
            refund.failure_reason = failure_reason or "unknown"
        if status == "succeeded" and refund.bank_reference is None and self.bank_references:
            refund.bank_reference = _arn()
        self._emit("refund.updated", refund, previous)
        self._emit("charge.refund.updated", refund, previous)
        return refund

    def list_refunds(self, query: ListQuery) -> tuple[list[SandboxRefund], bool]:
        """A page of the refunds matching the filters, newest first, and whether there are
        more beyond it in the direction of travel."""
        found = [
            r
            for r in reversed(self.refunds)
            if (query.payment_intent is None or r.payment_intent == query.payment_intent)
            and (query.charge is None or r.charge == query.charge)
            and _created_matches(r.created, query.created)
        ]
        ids = [r.id for r in found]
        if query.starting_after is not None:
            cursor = self._cursor(query.starting_after, ids, "starting_after")
            rest = found[cursor + 1 :]
            return rest[: query.limit], len(rest) > query.limit
        if query.ending_before is not None:
            cursor = self._cursor(query.ending_before, ids, "ending_before")
            before = found[:cursor]
            return before[-query.limit :], len(before) > query.limit
        return found[: query.limit], len(found) > query.limit

    def expanded(self, path: str, refund: SandboxRefund) -> object:
        payment = self.payments[refund.payment_intent]
        if path == "charge":
            refunded = self.refunded_amount(refund.payment_intent)
            return {
                "id": payment.charge, "object": "charge", "amount": payment.amount,
                "amount_refunded": refunded, "currency": payment.currency,
                "payment_intent": refund.payment_intent, "refunded": refunded >= payment.amount,
            }  # fmt: skip
        return {
            "id": refund.payment_intent, "object": "payment_intent", "amount": payment.amount,
            "currency": payment.currency, "latest_charge": payment.charge,
        }  # fmt: skip

    # -- idempotency --------------------------------------------------------------------

    def stored_answer(self, key: str) -> _StoredAnswer | None:
        return self._answers.get(key)

    def store_answer(
        self,
        key: str,
        params: tuple[tuple[str, str], ...],
        status_code: int,
        body: dict[str, object],
    ) -> None:
        self._answers[key] = _StoredAnswer(params, status_code, body)

    def begin(self, key: str) -> bool:
        """Mark ``key`` in flight; False if a request with it already is (Stripe: 409)."""
        if key in self._in_flight:
            return False
        self._in_flight.add(key)
        return True

    def end(self, key: str) -> None:
        self._in_flight.discard(key)

    # -- inside ---------------------------------------------------------------------------

    def _payment_named(self, intent: str | None, charge: str | None) -> str:
        """The payment a refund is for, named by its payment intent or its charge."""
        if intent and charge:
            by_charge = self._intent_of_charge(charge)
            if by_charge != intent:
                raise invalid(
                    f"The charge {charge} does not belong to payment_intent {intent}.",
                    "parameters_exclusive", "charge",
                )  # fmt: skip
        if intent:
            if intent not in self.payments:
                raise invalid(
                    f"No such payment_intent: '{intent}'", "resource_missing", "payment_intent"
                )
            return intent
        if charge:
            found = self._intent_of_charge(charge)
            if found is None:
                raise invalid(f"No such charge: '{charge}'", "resource_missing", "charge")
            return found
        raise invalid(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.", "parameter_missing", "payment_intent",
        )  # fmt: skip

    def _intent_of_charge(self, charge: str) -> str | None:
        return next((ref for ref, p in self.payments.items() if p.charge == charge), None)

    def _cursor(self, refund_id: str, ids: list[str], param: str) -> int:
        if refund_id in ids:
            return ids.index(refund_id)
        raise invalid(f"No such refund: '{refund_id}'", "resource_missing", param)

    def _emit(
        self, type_: str, refund: SandboxRefund, previous: Mapping[str, object] | None = None
    ) -> None:
        event = stripe_event(
            type_,
            refund.to_stripe(),
            previous_attributes=None if previous is None else dict(previous),
            idempotency_key=refund.idempotency_key if type_ == "refund.created" else None,
        )
        self.events.append(event)
        if self.events_to is not None:
            self._spawn(self.events_to.deliver(event))

    def _later(
        self, delay_seconds: float, refund_id: str, status: str, failure_reason: str | None = None
    ) -> None:
        async def step() -> None:
            await asyncio.sleep(delay_seconds)
            self.change_status(refund_id, status, failure_reason)

        self._spawn(step())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous test): nothing can run later
            work.close()
            return
        task = loop.create_task(work)
        # Keep a reference: the loop holds tasks weakly.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


_CREATE_PARAMS = {"payment_intent", "charge", "amount", "reason", "currency"}


def expansions(params: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The fields to expand (``expand[]=charge`` or ``expand[0]=charge``), refusing the
    ones this sandbox cannot expand the way Stripe refuses them."""
    paths = tuple(value for name, value in params if _is_expand(name))
    for path in paths:
        if path.removeprefix("data.") not in _EXPANDABLE:
            raise invalid(f"This property cannot be expanded ({path}).", None, "expand")
    return paths


def _created_matches(created: int, bounds: Mapping[str, int]) -> bool:
    return (
        created > bounds.get("gt", created - 1)
        and created >= bounds.get("gte", created)
        and created < bounds.get("lt", created + 1)
        and created <= bounds.get("lte", created)
    )


def _arn() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(23))


def _is_meta(name: str) -> bool:
    return name.startswith("metadata[") and name.endswith("]") and len(name) > 10


def _is_expand(name: str) -> bool:
    return name == "expand[]" or (
        name.startswith("expand[") and name.endswith("]") and name[7:-1].isdigit()
    )
