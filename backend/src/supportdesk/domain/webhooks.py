"""Webhooks to the shop: which history events they announce, to whom, and how long we try.

Plain rules, no I/O. An endpoint an admin registered subscribes to event types (none named
means all of them); every history event that announces a type (``announced_type``) gets one
outbox row per active endpoint that wants it, written in the change's transaction. Delivery
follows the Standard Webhooks specification (standardwebhooks.com): the same ``webhook-id``
on every try of one delivery, a signature per secret that is still valid.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from supportdesk.domain.events import INTERNAL_EVENT_TYPES, EntityKind, Event


class WebhookEventType(StrEnum):
    SUPPORT_CASE_CREATED = "support_case.created"
    SUPPORT_CASE_UPDATED = "support_case.updated"
    SUPPORT_CASE_CLOSED = "support_case.closed"
    SUPPORT_CASE_SLA_BREACHED = "support_case.sla_breached"
    MESSAGE_CREATED = "message.created"
    REFUND_REQUESTED = "refund.requested"
    REFUND_APPROVED = "refund.approved"
    REFUND_REJECTED = "refund.rejected"
    REFUND_CANCELLED = "refund.cancelled"
    REFUND_PROCESSING = "refund.processing"
    REFUND_REFUNDED = "refund.refunded"
    REFUND_FAILED = "refund.failed"
    REFUND_SETTLED = "refund.settled"


EVENT_TYPES: tuple[str, ...] = tuple(kind.value for kind in WebhookEventType)
SUPPORT_CASE_CREATED = WebhookEventType.SUPPORT_CASE_CREATED.value
SUPPORT_CASE_UPDATED = WebhookEventType.SUPPORT_CASE_UPDATED.value
SUPPORT_CASE_CLOSED = WebhookEventType.SUPPORT_CASE_CLOSED.value
MESSAGE_CREATED = WebhookEventType.MESSAGE_CREATED.value
_REFUND_STATUSES = frozenset(
    t.removeprefix("refund.") for t in EVENT_TYPES if t.startswith("refund.")
)

# Case events that change nothing a shop's system keeps: a bare note (perhaps for staff
# only), and what is never shown outside the team.
_SILENT_CASE_EVENTS = frozenset({"note"}) | INTERNAL_EVENT_TYPES


def announced_type(event: Event) -> str | None:
    """The webhook event type a history event announces, or None. A refund announces each
    status it reaches; a case its opening, its closing and any other change; a message only
    when it is public (an internal one is ``internal_note_added``, never announced)."""
    if event.entity is EntityKind.REFUND:
        if event.to_status in _REFUND_STATUSES and event.to_status != event.from_status:
            return f"refund.{event.to_status}"
        return None
    if event.type == "sla_breached":
        # Never shown to customers, but the shop's own systems are told (docs/sla.md).
        return WebhookEventType.SUPPORT_CASE_SLA_BREACHED.value
    if event.type in _SILENT_CASE_EVENTS:
        return None
    if event.type == "case_opened":
        return SUPPORT_CASE_CREATED
    if event.type == "message_added":
        return MESSAGE_CREATED
    if event.to_status == "closed":
        return SUPPORT_CASE_CLOSED
    return SUPPORT_CASE_UPDATED


def subscribed(event_types: Sequence[str], announced: str) -> bool:
    """An endpoint that names no types gets every one."""
    return not event_types or announced in event_types


def unknown_event_types(event_types: Iterable[str]) -> list[str]:
    return sorted(set(event_types) - set(EVENT_TYPES))


# Standard Webhooks secrets: "whsec_" and base64 of 24 to 64 random bytes.
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True, slots=True)
class SigningSecrets:
    """The secrets a delivery is signed with: the current one, and after a rotation the
    previous one until ``previous_until``, so a receiver can switch to the new secret at
    its own pace (the Standard Webhooks header carries one signature per secret)."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None

    def valid(self, now: datetime) -> list[str]:
        keep = self.previous and self.previous_until and now < self.previous_until
        return [self.current, self.previous] if keep and self.previous else [self.current]


# After a rotation the old secret still signs for a day: long enough for a receiver's
# deploy, short enough that a leaked secret stops working soon.
ROTATION_OVERLAP = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class WebhookRetrySchedule:
    """When a delivery is tried again: the Standard Webhooks / Svix schedule stretched to
    about three days (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h after each
    failure). After the last try fails the delivery is dead and its endpoint is disabled:
    an endpoint that answered nothing right for three days is gone or broken, and the
    admins are told instead of the queue growing for ever."""

    waits_seconds: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000)

    @property
    def max_attempts(self) -> int:
        return len(self.waits_seconds) + 1

    def next_attempt(
        self, failed_tries: int, now: datetime, *, permanent: bool = False
    ) -> datetime | None:
        if permanent or failed_tries >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.waits_seconds[failed_tries - 1])

    def is_last(self, tries_before: int) -> bool:
        """Whether the try after ``tries_before`` failures is the last one."""
        return tries_before + 1 >= self.max_attempts

    def span(self) -> timedelta:
        return timedelta(seconds=sum(self.waits_seconds))


def delivery_state(state: str, attempts: int) -> str:
    """How the admins' delivery log names an outbox row's state: a pending row that was
    tried already is ``failed`` (its last try failed, another is scheduled)."""
    if state == "pending" and attempts > 0:
        return "failed"
    return state


def is_public_address(address: str) -> bool:
    """Whether an IP address is one on the internet: outbound calls to loopback, link-local
    (cloud metadata at 169.254.169.254), private, shared, multicast or reserved addresses
    would let whoever registers an endpoint reach inside the shop's network (SSRF)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
