"""The webhooks channel: one outbox row is one event for one endpoint, POSTed as the
Standard Webhooks specification says.

The body (``{id, type, created_at, data}``) is built at the first try and kept in the row's
progress, so every try, and a "send again", sends the same bytes under the same
``webhook-id``; only ``webhook-timestamp`` and the signatures are of the try. A 2xx answer
delivers; anything else, no answer within the budget, or a redirect (never followed) is a
failed try, logged with its status, latency and the first KB of the answer.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import structlog
from standardwebhooks import Webhook

from supportdesk.application.outbox import DeliveryFailed, OutboxItem
from supportdesk.application.ports import Clock
from supportdesk.application.webhooks import (
    AdminNotices,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookPayloads,
    WebhookStore,
)
from supportdesk.domain.notifications import Person
from supportdesk.domain.webhooks import WebhookRetrySchedule, announced_type, is_public_address
from supportdesk.infrastructure.mail.render import MailRenderer
from supportdesk.infrastructure.mail.smtp import SmtpTransport

log = structlog.get_logger(__name__)

EXCERPT_BYTES = 1024
USER_AGENT = "supportdesk-webhooks/1"


class WebhookChannel:
    name = "webhooks"

    def __init__(
        self,
        store: WebhookStore,
        payloads: WebhookPayloads,
        notices: AdminNotices,
        clock: Clock,
        *,
        timeout_seconds: float,
        allow_private: bool,
        schedule: WebhookRetrySchedule | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.payloads = payloads
        self.notices = notices
        self.clock = clock
        self.allow_private = allow_private
        self.retry_schedule = schedule or WebhookRetrySchedule()
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
            follow_redirects=False,  # a redirect could lead anywhere, inside too
            transport=transport,
            headers={"user-agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def deliver(self, item: OutboxItem) -> None:
        endpoint = await self.store.get(item.target)
        if endpoint is None:
            return  # deleted since (its rows go with it): nobody to send to
        if not endpoint.active:
            # Turned off since it was queued: not sent, and the log says so (dead, so an
            # admin who turns it on again can send it again).
            raise DeliveryFailed("not sent: the endpoint is turned off", permanent=True)
        body = item.progress.get("body")
        if body is None:
            body = await self._body(item)
            if body is None:
                return  # what the event is about is gone
        progress = {"body": body}
        try:
            await self._post(endpoint, item, body)
        except DeliveryFailed as failure:
            failure.progress = progress
            if failure.permanent or self.retry_schedule.is_last(item.attempts):
                await self._give_up(endpoint, failure.reason)
            raise

    async def _body(self, item: OutboxItem) -> str | None:
        event = item.event
        announced = announced_type(event)
        if announced is None:
            return None
        data = await self.payloads.data_for(event, announced)
        if data is None:
            return None
        return json.dumps(
            {"id": event.id, "type": announced, "created_at": event.at.isoformat(), "data": data},
            separators=(",", ":"),
        )

    async def _post(self, endpoint: WebhookEndpoint, item: OutboxItem, body: str) -> None:
        now = self.clock.now()
        attempt = item.attempts + 1
        started = time.perf_counter()
        status: int | None = None
        excerpt: str | None = None
        error: str | None = None
        try:
            await self._check_address(endpoint.url)
            headers = _signed_headers(endpoint, item.event.id, now, body)
            async with self._client.stream(
                "POST", endpoint.url, content=body.encode(), headers=headers
            ) as response:
                status = response.status_code
                excerpt = await _excerpt(response)
            if not 200 <= status < 300:
                error = f"answered {status}"
                if 300 <= status < 400:
                    error += " (a redirect, not followed: register the final URL)"
        except _Refused as exc:
            error = str(exc)
        except httpx.TimeoutException:
            error = "no answer in time"
        except httpx.HTTPError as exc:
            error = f"could not be reached: {type(exc).__name__}"
        latency_ms = round((time.perf_counter() - started) * 1000)
        await self.store.log_attempt(
            WebhookAttempt(
                outbox_id=item.id,
                endpoint_id=endpoint.id,
                attempt=attempt,
                delivered=error is None,
                status_code=status,
                latency_ms=latency_ms,
                response_excerpt=excerpt,
                error=error,
                at=now,
            )
        )
        if error is not None:
            raise DeliveryFailed(error, permanent=error.startswith(_Refused.prefix))
        log.info(
            "webhook_delivered",
            endpoint_id=endpoint.id,
            event_id=item.event.id,
            status=status,
            latency_ms=latency_ms,
        )

    async def _check_address(self, url: str) -> None:
        """Refuse, unless allowed, a host that resolves to loopback, link-local or private
        addresses. (The connection resolves the name again: a name that changes its answer
        in between could still reach inside; docs/webhooks.md says to put an egress proxy
        in front where that matters.)"""
        if self.allow_private:
            return
        host = urlsplit(url).hostname or ""
        port = urlsplit(url).port or 443
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {host}") from exc
        for *_, sockaddr in found:
            address = str(sockaddr[0])
            if not is_public_address(address):
                raise _Refused(f"{host} is at {address}, which is not on the internet")

    async def _give_up(self, endpoint: WebhookEndpoint, reason: str) -> None:
        """The last try failed: turn the endpoint off and tell the admins once."""
        if await self.store.disable(endpoint.id, reason, self.clock.now()):
            log.warning("webhook_endpoint_disabled", endpoint_id=endpoint.id, reason=reason)
            try:
                await self.notices.endpoint_disabled(endpoint, reason)
            except Exception:  # the endpoint is off either way; the log says so
                log.exception("webhook_disabled_notice_failed", endpoint_id=endpoint.id)


class _Refused(Exception):
    prefix = "refused: "

    def __init__(self, reason: str) -> None:
        super().__init__(self.prefix + reason)


def _signed_headers(
    endpoint: WebhookEndpoint, message_id: str, now: datetime, body: str
) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(message_id, now, body) for secret in endpoint.secrets.valid(now)
    )
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }


async def _excerpt(response: httpx.Response) -> str:
    taken = bytearray()
    async for chunk in response.aiter_bytes():
        taken.extend(chunk)
        if len(taken) >= EXCERPT_BYTES:
            break
    return bytes(taken[:EXCERPT_BYTES]).decode("utf-8", errors="replace")


class MailAdminNotices:
    """Tells every active admin, by mail, that an endpoint was turned off."""

    def __init__(
        self,
        admins: Callable[[], Awaitable[list[Person]]],
        renderer: MailRenderer,
        transport: SmtpTransport,
        clock: Clock,
    ) -> None:
        self.admins = admins
        self.renderer = renderer
        self.transport = transport
        self.clock = clock

    async def endpoint_disabled(self, endpoint: WebhookEndpoint, reason: str) -> None:
        now = self.clock.now()
        for admin in await self.admins():
            message = self.renderer.render_notice(
                "webhook_disabled",
                admin,
                {"endpoint": endpoint, "reason": reason},
                link=f"/admin/webhooks/{endpoint.id}",
                message_id=f"webhook-disabled.{endpoint.id}.{int(now.timestamp())}",
                now=now,
            )
            await self.transport.send(
                message, sender=self.renderer.identity.sender, recipient=admin.email
            )
