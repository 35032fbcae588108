"""Webhook endpoints: what admins do with them, and the ports their delivery needs.

An admin registers a URL of the shop's and the event types it wants; the secret that signs
deliveries is shown once, at creation and at each rotation. Deliveries go through the
outbox (one row per endpoint per event, channel ``webhooks``); the log shows every row with
its last try, and "send again" puts a row back in the queue, due now.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from supportdesk.application.ports import Clock
from supportdesk.application.reads import PageOf
from supportdesk.domain.errors import InvalidTransition, NotFound, ValidationFailed
from supportdesk.domain.events import Event, new_id
from supportdesk.domain.webhooks import (
    ROTATION_OVERLAP,
    SigningSecrets,
    is_public_address,
    new_secret,
    unknown_event_types,
)


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: str
    url: str
    description: str | None
    event_types: tuple[str, ...]
    active: bool
    secrets: SigningSecrets
    created_at: datetime
    updated_at: datetime
    # Why the service turned it off (three days of failed tries), None when an admin did.
    disabled_reason: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event for one endpoint: an outbox row, with its last try."""

    id: int
    endpoint_id: str
    event_id: str
    event_type: str
    state: str  # pending / failed / delivered / dead
    attempt: int  # tries made
    at: datetime  # of the last try, or when it was queued
    next_attempt_at: datetime | None
    status_code: int | None = None
    latency_ms: int | None = None
    response_excerpt: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    outbox_id: int
    endpoint_id: str
    attempt: int
    delivered: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class EndpointChanges:
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    active: bool | None = None
    fields: frozenset[str] = field(default_factory=frozenset)  # the ones given


class WebhookStore(Protocol):
    async def add(self, endpoint: WebhookEndpoint) -> None: ...
    async def get(self, endpoint_id: str) -> WebhookEndpoint | None: ...
    async def all(self) -> list[WebhookEndpoint]: ...
    async def save(self, endpoint: WebhookEndpoint) -> None: ...
    async def delete(self, endpoint_id: str) -> bool: ...
    async def disable(self, endpoint_id: str, reason: str, now: datetime) -> bool:
        """Turn an active endpoint off; False when it was off already."""
        ...

    async def log_attempt(self, attempt: WebhookAttempt) -> None: ...
    async def deliveries(
        self, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> PageOf[WebhookDelivery]: ...
    async def delivery(self, endpoint_id: str, delivery_id: int) -> WebhookDelivery | None: ...
    async def send_again(self, delivery_id: int, now: datetime) -> int | None:
        """Queue the delivery again, due now with a fresh count of tries: the id of the
        row queued (a delivered row stays final; a new one goes beside it), or None when it
        is being tried right now or is queued already."""
        ...


class WebhookPayloads(Protocol):
    async def data_for(self, event: Event, announced: str) -> dict[str, Any] | None:
        """The case, refund or message the event is about, as the API shows it to staff;
        None when it is gone."""
        ...


class AdminNotices(Protocol):
    async def endpoint_disabled(self, endpoint: WebhookEndpoint, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class AddressRule:
    """Whether endpoints may be on loopback, link-local or private addresses. Refused in
    production unless a setting allows them; allowed elsewhere (a developer's receiver
    runs on localhost)."""

    allow_private: bool

    def refusal(self, host: str) -> str | None:
        """Why a URL's host is refused at registration, or None. A name that resolves to a
        private address is caught at delivery, when it is resolved."""
        if self.allow_private:
            return None
        if host.lower().rstrip(".") in {
            "localhost",
            "localhost.localdomain",
        } or host.lower().endswith(".localhost"):
            return "the URL's host is this machine (localhost)"
        try:
            public = is_public_address(host.strip("[]"))
        except ValueError:
            return None  # a name, not an address
        return None if public else f"the URL's address {host} is not on the internet"


def _checked_url(url: str, rule: AddressRule) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationFailed("an endpoint is an http or https URL with a host", field="url")
    if parts.username or parts.password:
        raise ValidationFailed(
            "an endpoint URL carries no user name or password; the signature proves who sent it",
            field="url",
        )
    refusal = rule.refusal(parts.hostname)
    if refusal:
        raise ValidationFailed(refusal, field="url")
    return url


def _checked_types(event_types: list[str]) -> tuple[str, ...]:
    unknown = unknown_event_types(event_types)
    if unknown:
        raise ValidationFailed(f"unknown event types: {', '.join(unknown)}", field="event_types")
    return tuple(dict.fromkeys(event_types))


class WebhookService:
    def __init__(self, store: WebhookStore, clock: Clock, addresses: AddressRule) -> None:
        self.store = store
        self.clock = clock
        self.addresses = addresses

    async def create(
        self, url: str, event_types: list[str], description: str | None
    ) -> WebhookEndpoint:
        now = self.clock.now()
        endpoint = WebhookEndpoint(
            id=new_id("whe"),
            url=_checked_url(url, self.addresses),
            description=description,
            event_types=_checked_types(event_types),
            active=True,
            secrets=SigningSecrets(current=new_secret()),
            created_at=now,
            updated_at=now,
        )
        await self.store.add(endpoint)
        return endpoint

    async def all(self) -> list[WebhookEndpoint]:
        return await self.store.all()

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        endpoint = await self.store.get(endpoint_id)
        if endpoint is None:
            raise NotFound("no such webhook endpoint")
        return endpoint

    async def change(self, endpoint_id: str, changes: EndpointChanges) -> WebhookEndpoint:
        endpoint = await self.get(endpoint_id)
        given = changes.fields
        updated = replace(endpoint, updated_at=self.clock.now())
        if "url" in given and changes.url is not None:
            updated = replace(updated, url=_checked_url(changes.url, self.addresses))
        if "event_types" in given and changes.event_types is not None:
            updated = replace(updated, event_types=_checked_types(changes.event_types))
        if "description" in given:
            updated = replace(updated, description=changes.description)
        if "active" in given and changes.active is not None:
            # Turned on again by an admin: the reason it was turned off is history.
            updated = replace(updated, active=changes.active, disabled_reason=None)
        await self.store.save(updated)
        return updated

    async def delete(self, endpoint_id: str) -> None:
        if not await self.store.delete(endpoint_id):
            raise NotFound("no such webhook endpoint")

    async def rotate_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """A new secret signs from now on; the old one signs too for ``ROTATION_OVERLAP``,
        so the receiver can switch without losing a delivery."""
        endpoint = await self.get(endpoint_id)
        now = self.clock.now()
        rotated = replace(
            endpoint,
            secrets=SigningSecrets(
                current=new_secret(),
                previous=endpoint.secrets.current,
                previous_until=now + ROTATION_OVERLAP,
            ),
            updated_at=now,
        )
        await self.store.save(rotated)
        return rotated

    async def deliveries(
        self, endpoint_id: str, *, limit: int, cursor: str | None
    ) -> PageOf[WebhookDelivery]:
        await self.get(endpoint_id)
        return await self.store.deliveries(endpoint_id, limit=limit, cursor=cursor)

    async def send_again(self, endpoint_id: str, delivery_id: int) -> WebhookDelivery:
        """Any delivery may be sent again, a delivered one too (the receiver lost it): the
        same ``webhook-id`` and body, due now, with the whole schedule of tries."""
        await self.get(endpoint_id)
        if await self.store.delivery(endpoint_id, delivery_id) is None:
            raise NotFound("no such delivery of this endpoint")
        queued = await self.store.send_again(delivery_id, self.clock.now())
        if queued is None:
            raise InvalidTransition("this event is queued for this endpoint already")
        again = await self.store.delivery(endpoint_id, queued)
        assert again is not None  # written just now
        return again
