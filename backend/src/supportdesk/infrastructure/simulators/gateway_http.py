"""The sandbox's HTTP surface: Stripe's refund calls, and the control calls of the tests.

Requests are read the way Stripe reads them (form-encoded bodies and query strings with
``metadata[key]``, ``expand[]``, ``created[gte]``), and every refusal, including an
unknown URL or a wrong method, is in Stripe's error shape, so the official SDK can be
pointed at the sandbox and raise the same exceptions it raises against Stripe.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated
from urllib.parse import parse_qsl

from fastapi import FastAPI, Header, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportdesk.infrastructure.simulators.gateway import (
    FAILURE_REASONS,
    PENDING_REASONS,
    FaultMode,
    ListQuery,
    SandboxRefund,
    StripeRefusal,
    expansions,
    invalid,
)
from supportdesk.infrastructure.simulators.orders import dropped_response

if TYPE_CHECKING:
    from supportdesk.infrastructure.simulators.gateway import GatewaySandbox

_API_KEY_PREFIX = "sk_test_"
_LIST_PARAMS = {"limit", "starting_after", "ending_before", "payment_intent", "charge", "created"}
_CREATED_BOUNDS = ("gt", "gte", "lt", "lte")


def stripe_error(
    status_code: int,
    type_: str,
    message: str,
    code: str | None = None,
    param: str | None = None,
) -> JSONResponse:
    """Stripe's error shape: ``{"error": {"type", "code", "message", "param"}}``."""
    return _refusal(StripeRefusal(status_code, type_, message, code, param))


def _refusal(refusal: StripeRefusal) -> JSONResponse:
    return JSONResponse(refusal.body, status_code=refusal.status_code)


class FaultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: FaultMode
    times: int = Field(1, ge=1, le=1000)
    idempotency_key: str | None = None
    delay_seconds: float | None = Field(None, ge=0, le=3600)
    failure_reason: str | None = None
    pending_reason: str | None = None


class PaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_reference: str = Field(min_length=1)
    amount: int = Field(gt=0)
    currency: str = Field(pattern="^[A-Za-z]{3}$")


class StatusChange(BaseModel):
    """What the card network decided later about a refund."""

    model_config = ConfigDict(extra="forbid")

    status: str = Field(pattern="^(pending|succeeded|failed|canceled|requires_action)$")
    failure_reason: str | None = None
    pending_reason: str | None = None


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


async def _form(request: Request) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(parse_qsl((await request.body()).decode(), keep_blank_values=True)))


def _list_query(params: list[tuple[str, str]]) -> ListQuery:
    query = ListQuery()
    for name, value in params:
        if name.startswith("expand[") and name.endswith("]"):
            continue
        if name.startswith("created[") and name.endswith("]"):
            bound = name[8:-1]
            if bound not in _CREATED_BOUNDS:
                raise invalid(f"Received unknown parameter: {name}", "parameter_unknown", name)
            query.created[bound] = _integer(value, name)
        elif name == "created":
            query.created["gte"] = query.created["lte"] = _integer(value, name)
        elif name == "limit":
            limit = _integer(value, name)
            if not 1 <= limit <= 100:
                raise invalid(
                    "This value must be greater than or equal to 1 and less than or equal "
                    "to 100.", "parameter_invalid_integer", "limit",
                )  # fmt: skip
            query.limit = limit
        elif name in _LIST_PARAMS:
            setattr(query, name, value)
        else:
            raise invalid(f"Received unknown parameter: {name}", "parameter_unknown", name)
    if query.starting_after is not None and query.ending_before is not None:
        raise invalid(
            "You may only specify one of these parameters: ending_before, starting_after.",
            "parameters_exclusive", "starting_after",
        )  # fmt: skip
    query.expand = tuple(
        path.removeprefix("data.")
        for path in expansions([(n, v) for n, v in params if n.startswith("expand[")])
    )
    return query


def _integer(value: str, param: str) -> int:
    if value.isdigit():
        return int(value)
    raise invalid("Invalid integer: " + value, "parameter_invalid_integer", param)


def create_sandbox_app(sandbox: GatewaySandbox) -> FastAPI:
    app = FastAPI(title="Payment gateway sandbox (Stripe Refunds API)", version="1.0.0")
    app.state.sandbox = sandbox

    @app.exception_handler(StripeRefusal)
    async def refused(request: Request, exc: StripeRefusal) -> JSONResponse:
        return _refusal(exc)

    @app.exception_handler(StarletteHTTPException)
    async def unrouted(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Stripe answers an unknown URL or method in its own shape, never {"detail"}.
        return stripe_error(
            exc.status_code if exc.status_code in (404, 405) else 400,
            "invalid_request_error",
            f"Unrecognized request URL ({request.method}: {request.url.path}).",
        )

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith("/v1/"):
            # The control calls are the tests' own, not Stripe's: FastAPI's usual 422.
            return await request_validation_exception_handler(request, exc)
        first = exc.errors()[0] if exc.errors() else {}
        param = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
        return stripe_error(
            400, "invalid_request_error", str(first.get("msg", "Invalid request")), None, param
        )

    def answer(refund: SandboxRefund, expand: tuple[str, ...] = ()) -> JSONResponse:
        return JSONResponse(refund.to_stripe(expand, sandbox))

    @app.post("/v1/refunds", response_model=None)
    async def create_refund(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        params = await _form(request)
        if idempotency_key and not sandbox.begin(idempotency_key):
            # Stripe: a second request with a key whose first is still being worked on.
            return stripe_error(
                409, "idempotency_error",
                "There is currently another in-progress request using this Idempotent Key "
                "(that probably means you submitted twice, and the other request is still "
                "going through). Please retry this request later.",
                "idempotency_key_in_use",
            )  # fmt: skip
        try:
            late_by, response = await _create(sandbox, params, idempotency_key)
        finally:
            if idempotency_key:
                sandbox.end(idempotency_key)
        # The work is done and stored: what follows is an answer lost on its way, not a
        # request in flight, so a re-send with the key replays instead of answering 409.
        if late_by:
            await asyncio.sleep(late_by)
        return response

    @app.get("/v1/refunds", response_model=None)
    async def list_refunds(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        """Stripe's list of refunds, newest first, filtered, a page at a time."""
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        query = _list_query(list(request.query_params.multi_items()))
        page, has_more = sandbox.list_refunds(query)
        return JSONResponse({
            "object": "list",
            "data": [r.to_stripe(query.expand, sandbox) for r in page],
            "has_more": has_more,
            "url": "/v1/refunds",
        })  # fmt: skip

    @app.get("/v1/refunds/{refund_id}", response_model=None)
    async def get_refund(
        refund_id: str, request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        params = list(request.query_params.multi_items())
        for name, _ in params:
            if not (name.startswith("expand[") and name.endswith("]")):
                raise invalid(f"Received unknown parameter: {name}", "parameter_unknown", name)
        return answer(sandbox.refund(refund_id), expansions(params))

    @app.post("/v1/refunds/{refund_id}", response_model=None)
    async def update_refund(
        refund_id: str, request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        params = await _form(request)
        return answer(sandbox.update_refund(refund_id, params), expansions(params))

    @app.post("/v1/refunds/{refund_id}/cancel", response_model=None)
    async def cancel_refund(
        refund_id: str, request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if (refusal := _unauthorized(authorization)) is not None:
            return refusal
        params = await _form(request)
        return answer(sandbox.cancel_refund(refund_id), expansions(params))

    @app.post("/_sandbox/faults", status_code=201)
    async def inject_fault(request: FaultRequest) -> dict[str, object]:
        if request.failure_reason is not None and request.failure_reason not in FAILURE_REASONS:
            raise StripeRefusal(422, "invalid_request_error", "Unknown failure_reason")
        if request.pending_reason is not None and request.pending_reason not in PENDING_REASONS:
            raise StripeRefusal(422, "invalid_request_error", "Unknown pending_reason")
        fault = sandbox.inject(
            request.mode,
            request.times,
            request.idempotency_key,
            request.delay_seconds,
            failure_reason=request.failure_reason,
            pending_reason=request.pending_reason,
        )
        return asdict(fault)

    @app.get("/_sandbox/refunds")
    async def list_made() -> dict[str, object]:
        return {"items": [asdict(refund) for refund in sandbox.refunds]}

    @app.post("/_sandbox/refunds/{refund_id}/status", response_model=None)
    async def change_status(refund_id: str, change: StatusChange) -> Response:
        if change.failure_reason is not None and change.failure_reason not in FAILURE_REASONS:
            raise invalid("Unknown failure_reason", None, "failure_reason")
        refund = sandbox.change_status(
            refund_id, change.status, change.failure_reason, change.pending_reason
        )
        return answer(refund)

    @app.get("/_sandbox/events")
    async def list_events() -> dict[str, object]:
        return {"items": sandbox.events}

    @app.post("/_sandbox/payments", status_code=201)
    async def add_payment(payment: PaymentRequest) -> PaymentRequest:
        sandbox.add_payment(payment.payment_reference, payment.amount, payment.currency)
        return payment

    @app.post("/_sandbox/reset", status_code=204)
    async def reset() -> Response:
        sandbox.reset()
        return Response(status_code=204)

    return app


async def _create(
    sandbox: GatewaySandbox, params: tuple[tuple[str, str], ...], idempotency_key: str | None
) -> tuple[float, Response]:
    """The answer to ``POST /v1/refunds``, and how long it is held back on its way."""
    fault = sandbox.take_fault(idempotency_key)
    late_by = 0.0
    if fault is not None:
        if fault.mode is FaultMode.DROP:
            return 0.0, dropped_response()
        if fault.mode is FaultMode.SERVER_ERROR:
            # Unlike Stripe, a 500 is not remembered: nothing was made, so a retry
            # with the same key goes through. Tests of ambiguous 500s use the adapter.
            return 0.0, stripe_error(500, "api_error", "Something went wrong on our end.")
        if fault.mode is FaultMode.SLOW:
            await asyncio.sleep(fault.delay_seconds)
        if fault.mode is FaultMode.ACCEPT_THEN_TIMEOUT:
            late_by = fault.delay_seconds

    stored = sandbox.stored_answer(idempotency_key) if idempotency_key else None
    if stored is not None:
        if stored.params != params:
            return 0.0, stripe_error(
                400, "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters "
                "they were first used with.",
            )  # fmt: skip
        replay = JSONResponse(stored.body, status_code=stored.status_code)
        replay.headers["Idempotent-Replayed"] = "true"
        return late_by, replay
    if fault is not None and fault.mode is FaultMode.DECLINE:
        declined = StripeRefusal(
            402, "card_error", "The refund was declined by the card issuer.", "card_declined",
            decline_code="generic_decline",
        )  # fmt: skip
        if idempotency_key:
            # A decline is an answer Stripe remembers: the same key gets it again.
            sandbox.store_answer(idempotency_key, params, 402, declined.body)
        return 0.0, _refusal(declined)
    try:
        refund = sandbox.create_refund(params, idempotency_key, fault)
    except StripeRefusal as refusal:
        # Like Stripe, refused parameters are not remembered for the key.
        return 0.0, _refusal(refusal)
    body = refund.to_stripe(tuple(p.removeprefix("data.") for p in expansions(params)), sandbox)
    if idempotency_key:
        sandbox.store_answer(idempotency_key, params, 200, body)
    return late_by, JSONResponse(body)
