"""A payment-gateway sandbox that speaks Stripe's Refunds API, and can be told to fail.

It exists so tests can prove the exactly-once promise of SPEC section 4 against the
same HTTP adapter that talks to Stripe: it honours ``Idempotency-Key`` the way Stripe
does, never refunds more than a payment captured, and fails on demand (decline, 500,
slow answer, dropped connection, or a refund made whose answer never arrives).
Everything it did is in ``refunds`` (Python) and ``GET /_sandbox/refunds`` (HTTP) so
a test can count the money that actually moved.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from supportdesk.infrastructure.simulators.orders import (
    CapturedPayment,
    demo_payments,
    dropped_response,
)

_API_KEY_PREFIX = "sk_test_"
_DEFAULT_DELAY_SECONDS = {"slow": 1.0, "accept_then_timeout": 60.0}


class FaultMode(StrEnum):
    DECLINE = "decline"  # 402 card_declined; nothing made
    SERVER_ERROR = "server_error"  # 500 api_error; nothing made, nothing remembered
    SLOW = "slow"  # waits delay_seconds, then behaves normally
    DROP = "drop"  # the connection drops before any answer; nothing made
    ACCEPT_THEN_TIMEOUT = "accept_then_timeout"  # refund made and remembered; answer late


@dataclass
class Fault:
    mode: FaultMode
    times: int = 1
    idempotency_key: str | None = None  # None: the next calls, whatever their key
    delay_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class SandboxRefund:
    """A refund the sandbox made: money that went back to a customer."""

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

    def to_stripe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "currency": self.currency,
            "payment_intent": self.payment_intent,
            "status": self.status,
            "created": self.created,
            "metadata": self.metadata,
            "reason": None,
            "failure_reason": None,
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


@dataclass(frozen=True, slots=True)
class _StoredAnswer:
    params: tuple[tuple[str, str], ...]
    status_code: int
    body: dict[str, object]


@dataclass
class _Payment:
    amount: int
    currency: str
    refunded: int = 0


def stripe_error(
    status_code: int, type_: str, message: str, code: str | None = None, **extra: str
) -> JSONResponse:
    """Stripe's error shape: ``{"error": {"type", "code", "message", ...}}``."""
    error: dict[str, str] = {"type": type_, "message": message, **extra}
    if code is not None:
        error["code"] = code
    return JSONResponse({"error": error}, status_code=status_code)


class FaultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: FaultMode
    times: int = Field(1, ge=1, le=1000)
    idempotency_key: str | None = None
    delay_seconds: float | None = Field(None, ge=0, le=3600)


class PaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_reference: str = Field(min_length=1)
    amount: int = Field(gt=0)
    currency: str = Field(pattern="^[A-Za-z]{3}$")


class GatewaySandbox:
    """The sandbox's state and its ASGI ``app``; one instance per test or per process.

    Knows the demo orders' payments unless given others. Faults apply to refund
    creation (``POST /v1/refunds``) only; reads always answer. A fault bound to an
    idempotency key waits for a call with that key; other faults hit the next calls in
    the order they were injected.
    """

    def __init__(self, payments: Iterable[CapturedPayment] | None = None) -> None:
        self._seed = tuple(demo_payments() if payments is None else payments)
        self.payments: dict[str, _Payment] = {}
        self.refunds: list[SandboxRefund] = []  # every refund made, oldest first
        self._answers: dict[str, _StoredAnswer] = {}
        self._faults: list[Fault] = []
        # Whether refunds come with the bank's reference at once (as a card refund's ARN
        # usually does) or without one yet.
        self.bank_references = True
        self.reset()
        self.app = _create_app(self)

    def add_payment(self, payment_reference: str, amount: int, currency: str) -> None:
        self.payments[payment_reference] = _Payment(amount, currency.lower())

    def refunded_amount(self, payment_reference: str) -> int:
        return sum(r.amount for r in self.refunds if r.payment_intent == payment_reference)

    def inject(
        self,
        mode: FaultMode | str,
        times: int = 1,
        idempotency_key: str | None = None,
        delay_seconds: float | None = None,
    ) -> Fault:
        """Make the next ``times`` refund calls (with that key, if given) fail as ``mode``."""
        mode = FaultMode(mode)
        delay = _DEFAULT_DELAY_SECONDS.get(mode, 0.0) if delay_seconds is None else delay_seconds
        fault = Fault(mode, times, idempotency_key, delay)
        self._faults.append(fault)
        return fault

    def reset(self) -> None:
        """Forget refunds, idempotency records and faults; payments back to the seed."""
        self.bank_references = True
        self.refunds.clear()
        self._answers.clear()
        self._faults.clear()
        self.payments.clear()
        for payment in self._seed:
            self.add_payment(payment.payment_reference, payment.amount, payment.currency)

    def _take_fault(self, idempotency_key: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.idempotency_key is None or fault.idempotency_key == idempotency_key:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _refund_or_refusal(
        self, params: tuple[tuple[str, str], ...], idempotency_key: str | None
    ) -> tuple[int, dict[str, object]] | JSONResponse:
        """Make the refund, or say why not. No await inside: one event-loop step, so two
        concurrent calls cannot both pass the over-refund check."""
        values = dict(params)
        unknown = [name for name in values if name not in _KNOWN_PARAMS and not _is_meta(name)]
        if unknown:
            return stripe_error(
                400, "invalid_request_error", f"Received unknown parameter: {unknown[0]}",
                "parameter_unknown", param=unknown[0],
            )  # fmt: skip
        intent = values.get("payment_intent")
        if not intent:
            return stripe_error(
                400, "invalid_request_error", "Missing required param: payment_intent.",
                "parameter_missing", param="payment_intent",
            )  # fmt: skip
        payment = self.payments.get(intent)
        if payment is None:
            return stripe_error(
                400, "invalid_request_error", f"No such payment_intent: '{intent}'",
                "resource_missing", param="payment_intent",
            )  # fmt: skip
        left = payment.amount - self.refunded_amount(intent)
        raw_amount = values.get("amount")
        if raw_amount is None:
            amount = left
        elif raw_amount.isdigit() and int(raw_amount) > 0:
            amount = int(raw_amount)
        else:
            return stripe_error(
                400, "invalid_request_error", "Invalid positive integer",
                "parameter_invalid_integer", param="amount",
            )  # fmt: skip
        if left <= 0:
            return stripe_error(
                400, "invalid_request_error", f"Charge for {intent} has already been refunded.",
                "charge_already_refunded",
            )  # fmt: skip
        if amount > left:
            return stripe_error(
                400, "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                "amount_too_large", param="amount",
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
        )
        self.refunds.append(refund)
        return 200, refund.to_stripe()


_KNOWN_PARAMS = {"payment_intent", "amount", "reason"}


def _arn() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(23))


def _is_meta(name: str) -> bool:
    return name.startswith("metadata[") and name.endswith("]") and len(name) > 10


def _unauthorized(authorization: str | None) -> JSONResponse | None:
    if not authorization or not authorization.startswith("Bearer "):
        return stripe_error(
            401, "invalid_request_error",
            "You did not provide an API key. Provide it as 'Authorization: Bearer <key>'.",
        )  # fmt: skip
    if not authorization.removeprefix("Bearer ").startswith(_API_KEY_PREFIX):
        return stripe_error(
            401, "invalid_request_error", "Invalid API Key provided.", "api_key_invalid"
        )
    return None


def _create_app(sandbox: GatewaySandbox) -> FastAPI:
    app = FastAPI(title="Payment gateway sandbox (Stripe Refunds API)", version="1.0.0")
    app.state.sandbox = sandbox

    @app.post("/v1/refunds", response_model=None)
    async def create_refund(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        params = tuple(sorted(parse_qsl((await request.body()).decode(), keep_blank_values=True)))

        fault = sandbox._take_fault(idempotency_key)
        late_by = 0.0
        if fault is not None:
            if fault.mode is FaultMode.DROP:
                return dropped_response()
            if fault.mode is FaultMode.SERVER_ERROR:
                # Unlike Stripe, a 500 is not remembered: nothing was made, so a retry
                # with the same key goes through. Tests of ambiguous 500s use the adapter.
                return stripe_error(500, "api_error", "Something went wrong on our end.")
            if fault.mode is FaultMode.SLOW:
                await asyncio.sleep(fault.delay_seconds)
            if fault.mode is FaultMode.ACCEPT_THEN_TIMEOUT:
                late_by = fault.delay_seconds

        stored = sandbox._answers.get(idempotency_key) if idempotency_key else None
        if stored is not None:
            if stored.params != params:
                return stripe_error(
                    400, "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )  # fmt: skip
            answer = JSONResponse(stored.body, status_code=stored.status_code)
            answer.headers["Idempotent-Replayed"] = "true"
        elif fault is not None and fault.mode is FaultMode.DECLINE:
            body: dict[str, object] = {
                "error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "generic_decline",
                    "message": "The refund was declined by the card issuer.",
                }
            }
            if idempotency_key:
                # A decline is an answer Stripe remembers: the same key gets it again.
                sandbox._answers[idempotency_key] = _StoredAnswer(params, 402, body)
            return JSONResponse(body, status_code=402)
        else:
            outcome = sandbox._refund_or_refusal(params, idempotency_key)
            if isinstance(outcome, JSONResponse):
                # Like Stripe, refused parameters are not remembered for the key.
                return outcome
            status_code, refund_body = outcome
            if idempotency_key:
                sandbox._answers[idempotency_key] = _StoredAnswer(params, status_code, refund_body)
            answer = JSONResponse(refund_body, status_code=status_code)

        if late_by:
            await asyncio.sleep(late_by)
        return answer

    @app.get("/v1/refunds", response_model=None)
    async def list_refunds_of_payment(
        payment_intent: str | None = None,
        limit: int = 10,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        """Stripe's list of refunds, newest first, optionally of one payment."""
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        found = [
            r
            for r in reversed(sandbox.refunds)
            if payment_intent is None or r.payment_intent == payment_intent
        ]
        limit = max(1, min(limit, 100))
        return JSONResponse({
            "object": "list",
            "data": [r.to_stripe() for r in found[:limit]],
            "has_more": len(found) > limit,
            "url": "/v1/refunds",
        })  # fmt: skip

    @app.get("/v1/refunds/{refund_id}", response_model=None)
    async def get_refund(
        refund_id: str, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        for refund in sandbox.refunds:
            if refund.id == refund_id:
                return JSONResponse(refund.to_stripe())
        return stripe_error(
            404, "invalid_request_error", f"No such refund: '{refund_id}'", "resource_missing",
            param="id",
        )  # fmt: skip

    @app.post("/_sandbox/faults", status_code=201)
    async def inject_fault(request: FaultRequest) -> dict[str, object]:
        fault = sandbox.inject(
            request.mode, request.times, request.idempotency_key, request.delay_seconds
        )
        return asdict(fault)

    @app.get("/_sandbox/refunds")
    async def list_refunds() -> dict[str, object]:
        return {"items": [asdict(refund) for refund in sandbox.refunds]}

    @app.post("/_sandbox/payments", status_code=201)
    async def add_payment(payment: PaymentRequest) -> PaymentRequest:
        sandbox.add_payment(payment.payment_reference, payment.amount, payment.currency)
        return payment

    @app.post("/_sandbox/reset", status_code=204)
    async def reset() -> Response:
        sandbox.reset()
        return Response(status_code=204)

    return app
