"""Stripe's Refunds API over httpx, as the ``PaymentGateway`` port.

The one rule that shapes this module: when we cannot be sure a refund was *not* made,
we must say "unknown" (``GatewayTimeout``), never "not made" (``GatewayUnavailable``).
"Not made" lets the caller try again under a new idempotency key, and if the first
call did go through, the customer is refunded twice. "Unknown" sends the refund to
reconciliation, which costs a little time and no money. ``docs/payment-gateway.md``
has the full table. Nothing here retries ``create_refund``: the caller decides, and
re-sends with the same ``Idempotency-Key`` when it does.

httpx rather than the ``stripe`` SDK, so tests and the embedded sandbox can plug in a
transport; real Stripe test mode is only ``PAYMENT_GATEWAY_URL=https://api.stripe.com``
plus a ``sk_test_...`` key.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from supportdesk.application.ports import (
    GatewayDeclined,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
)

log = structlog.get_logger(__name__)

# Errors that can only happen before a byte of the request left: definitely not made.
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
# A definite "no" from Stripe: the request was understood and refused, nothing was made.
_REFUSED = (400, 402)


class _RefundWire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Annotated[str, StringConstraints(strict=True, min_length=1)]
    status: Annotated[str, StringConstraints(strict=True, min_length=1)]
    amount: Annotated[int, Field(strict=True, ge=0)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
    failure_reason: str | None = None
    # ``{"type": "card", "card": {"reference": …, "reference_status": …}}``: one block named
    # by its type (card, sepa_bank_transfer, …), each with the same two fields.
    destination_details: dict[str, Any] | None = None

    def to_port(self) -> GatewayRefund:
        return GatewayRefund(
            id=self.id,
            status=self.status,
            amount=self.amount,
            currency=self.currency.upper(),  # Stripe writes "eur"; we write ISO 4217
            failure_reason=self.failure_reason,
            bank_reference=_bank_reference(self.destination_details),
        )


# Longer than any bank reference (a card's ARN has 23 digits): a longer value is not one.
MOST_BANK_REFERENCE = 64


def _bank_reference(details: dict[str, Any] | None) -> str | None:
    """The reference the customer's bank shows, only when the gateway says it is
    ``available``: a ``pending`` one may still change, an ``unavailable`` one never comes."""
    if not details:
        return None
    block = details.get(str(details.get("type")))
    if not isinstance(block, dict) or block.get("reference_status") != "available":
        return None
    reference = block.get("reference")
    if not isinstance(reference, str):
        return None
    reference = reference.strip()
    return reference if 0 < len(reference) <= MOST_BANK_REFERENCE else None


class _ListedRefundWire(_RefundWire):
    metadata: dict[str, str] = Field(default_factory=dict)


class _RefundListWire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    data: list[_ListedRefundWire]


class _ErrorBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = "api_error"
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None


class _ErrorWire(BaseModel):
    error: _ErrorBody


def _error_of(response: httpx.Response) -> _ErrorBody:
    try:
        return _ErrorWire.model_validate_json(response.content).error
    except ValidationError:
        return _ErrorBody(message=response.text[:200] or None)


def _reason(error: _ErrorBody) -> str:
    code = error.decline_code or error.code or error.type
    return f"{code}: {error.message}" if error.message else code


class StripeGateway:
    """``PaymentGateway`` on Stripe's ``POST /v1/refunds`` and ``GET /v1/refunds/{id}``.

    ``client`` carries the base URL (``https://api.stripe.com`` or the sandbox) and its
    connect/read timeouts; ``timeout_seconds`` also bounds each call as a whole, which
    is the only timeout ``ASGITransport`` honours.
    """

    def __init__(self, client: httpx.AsyncClient, api_key: str, timeout_seconds: float) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._timeout = timeout_seconds

    async def create_refund(
        self,
        *,
        payment_reference: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> GatewayRefund:
        """One POST, never retried here. Stripe refunds in the payment's own currency,
        so ``currency`` is not sent; a refund answered in another one is logged."""
        form = {"payment_intent": payment_reference, "amount": str(amount)}
        form.update({f"metadata[{name}]": value for name, value in metadata.items()})
        headers = {**self._headers, "Idempotency-Key": idempotency_key}
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.post("/v1/refunds", data=form, headers=headers)
        except _NEVER_SENT as exc:
            raise GatewayUnavailable(f"could not reach the payment gateway: {exc!r}") from exc
        except (httpx.TransportError, TimeoutError) as exc:
            # Sent, maybe processed, answer lost: only reconciliation can tell.
            raise GatewayTimeout(f"no answer from the payment gateway: {exc!r}") from exc

        if response.status_code == 200:
            try:
                refund = _RefundWire.model_validate_json(response.content).to_port()
            except ValidationError as exc:
                # A 200 means Stripe made it; we just cannot read what it made.
                raise GatewayTimeout("the payment gateway's answer was unreadable") from exc
            if refund.currency != currency.upper():
                log.warning("gateway_refund_currency", expected=currency, got=refund.currency)
            return refund
        self._raise_for_create(response)

    async def get_refund(self, refund_id: str) -> GatewayRefund | None:
        """The gateway's current record; None when it has no such refund. Any failure is
        ``GatewayUnavailable``: a read changes nothing, so there is nothing "unknown"."""
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.get(
                    f"/v1/refunds/{quote(refund_id, safe='')}", headers=self._headers
                )
        except (httpx.TransportError, TimeoutError) as exc:
            raise GatewayUnavailable(f"could not read the refund: {exc!r}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            error = _error_of(response)
            raise GatewayUnavailable(f"reading the refund failed ({response.status_code}) "
                                     f"{_reason(error)}")  # fmt: skip
        try:
            return _RefundWire.model_validate_json(response.content).to_port()
        except ValidationError as exc:
            raise GatewayUnavailable("the payment gateway's answer was unreadable") from exc

    async def find_refund(
        self, *, payment_reference: str, metadata: dict[str, str]
    ) -> GatewayRefund | None:
        """The payment's refund carrying all of ``metadata``, among its latest 100; None when
        there is none. Any failure is ``GatewayUnavailable``."""
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.get(
                    "/v1/refunds",
                    params={"payment_intent": payment_reference, "limit": "100"},
                    headers=self._headers,
                )
        except (httpx.TransportError, TimeoutError) as exc:
            raise GatewayUnavailable(f"could not list the refunds: {exc!r}") from exc
        if response.status_code != 200:
            error = _error_of(response)
            raise GatewayUnavailable(f"listing the refunds failed ({response.status_code}) "
                                     f"{_reason(error)}")  # fmt: skip
        try:
            listed = _RefundListWire.model_validate_json(response.content)
        except ValidationError as exc:
            raise GatewayUnavailable("the payment gateway's answer was unreadable") from exc
        for refund in listed.data:
            if metadata.items() <= refund.metadata.items():
                return refund.to_port()
        return None

    def _raise_for_create(self, response: httpx.Response) -> NoReturn:
        status = response.status_code
        error = _error_of(response)
        log.warning(
            "gateway_refund_refused", status=status, type=error.type, code=error.code,
            decline_code=error.decline_code,
        )  # fmt: skip
        if status in _REFUSED:
            raise GatewayDeclined(_reason(error))
        if status == 409:
            # Stripe: the same key is being processed by another request right now.
            # That other request may well make the refund.
            raise GatewayTimeout(f"the same refund is already in flight: {_reason(error)}")
        if 400 <= status < 500:
            # 401/403 (our key), 429 (rate limited) and the rest of 4xx: Stripe refuses
            # these before doing anything.
            raise GatewayUnavailable(f"payment gateway refused the call ({status}): "
                                     f"{_reason(error)}")  # fmt: skip
        # Stripe documents a 500 as indeterminate, a proxy's 502/504 may come after Stripe
        # did the work, and an answer we do not understand proves nothing either.
        raise GatewayTimeout(f"payment gateway answered {status}: {_reason(error)}")
