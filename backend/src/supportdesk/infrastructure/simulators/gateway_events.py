"""The sandbox's outgoing Stripe events: ``refund.created``, ``refund.updated`` and
``charge.refund.updated``, signed the way Stripe signs them.

A refund's life at a card network does not end with the answer to ``POST /v1/refunds``:
it can sit ``pending`` for days, and a refund that ``succeeded`` can still come back
``failed`` (an expired or cancelled card). Stripe tells the merchant through events, so
the sandbox does too, to a configured URL, with a ``Stripe-Signature`` header
``t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload" under the whsec_ secret>``.

Delivery runs in background tasks, never inside the API call that caused the event (as
at Stripe, the event may arrive before or after the call's answer). Each event is tried
a few times; what happened is kept in ``deliveries`` for tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

import httpx
import structlog

log = structlog.get_logger(__name__)

# The API version the sandbox claims for its event payloads (the shape of a refund it
# writes is that of Stripe's 2024 API: ``destination_details``, ``pending_reason``).
API_VERSION = "2024-06-20"
_RETRY_DELAYS_SECONDS = (0.5, 2.0)


def stripe_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` value Stripe would send for ``payload`` at ``timestamp``."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_event(
    type_: str,
    refund: dict[str, object],
    *,
    previous_attributes: dict[str, object] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, object]:
    """An event object as Stripe writes it (only the fields a receiver reads)."""
    data: dict[str, object] = {"object": refund}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": idempotency_key},
        "type": type_,
        "data": data,
    }


@dataclass(frozen=True, slots=True)
class Delivery:
    event_id: str
    event_type: str
    attempt: int
    status_code: int | None  # None: no answer (connection failed, timed out)


@dataclass
class EventSender:
    """Sends events to ``url`` through ``client`` (an in-process ASGI transport when the
    sandbox is embedded in the app), signed with ``secret``."""

    url: str
    secret: str
    client: httpx.AsyncClient
    deliveries: list[Delivery] = field(default_factory=list)

    async def deliver(self, event: dict[str, object]) -> None:
        """Post ``event`` until a 2xx answer, a few times at most."""
        payload = json.dumps(event, separators=(",", ":")).encode()
        for attempt, retry_in in enumerate((*_RETRY_DELAYS_SECONDS, None), start=1):
            # Signed afresh for each attempt, as Stripe does: the timestamp is the send's.
            headers = {
                "Content-Type": "application/json",
                "Stripe-Signature": stripe_signature(payload, self.secret, int(time.time())),
            }
            status_code: int | None = None
            try:
                answer = await self.client.post(self.url, content=payload, headers=headers)
                status_code = answer.status_code
            except httpx.HTTPError as exc:
                log.warning("sandbox_event_not_delivered", event_id=event["id"], error=str(exc))
            self.deliveries.append(
                Delivery(str(event["id"]), str(event["type"]), attempt, status_code)
            )
            if status_code is not None and 200 <= status_code < 300:
                return
            if retry_in is None:
                return
            await asyncio.sleep(retry_in)
