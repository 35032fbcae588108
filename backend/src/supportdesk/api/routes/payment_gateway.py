"""The payment gateway's events in (Stripe's webhooks): no bearer token, the signature is
the proof of who sent it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from supportdesk.api.deps import PaymentEventServiceDep
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import PaymentEventReceived

router = APIRouter(tags=["payment-gateway"])

_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "Stripe's event object, exactly as sent (the signature covers the bytes)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/payment-gateway/webhooks",
    response_model=PaymentEventReceived,
    summary="An event of the payment gateway (Stripe) about a refund",
    description=(
        "Verified against `PAYMENT_GATEWAY_WEBHOOK_SECRET` (`Stripe-Signature`, 5 minutes' "
        "tolerance): a bad signature is 400 `invalid_signature` and changes nothing. Each "
        "event id is acted on once; a re-send answers 200 with `outcome: duplicate`."
    ),
    responses=problems(400, 409),
    openapi_extra=_EVENT_BODY,
)
async def receive_payment_event(
    request: Request,
    service: PaymentEventServiceDep,
    stripe_signature: Annotated[str | None, Header(max_length=4096)] = None,
) -> PaymentEventReceived:
    # The raw bytes, not a parsed model: the signature is over the body as sent.
    outcome = await service.receive(await request.body(), stripe_signature)
    return PaymentEventReceived(outcome=outcome)
