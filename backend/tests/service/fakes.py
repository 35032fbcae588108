"""In-memory fakes of the ports, for use-case tests (fakes, not mocks).

The repositories copy the semantics of ``infrastructure/db/repositories.py``: a save is a
conditional write on the version (and status) that was read, then bumps the version; events
are appended with the aggregate. The unit of work stages every write and publishes it to
the shared store only on ``commit()``; entities are copied in and out, so a change made to
an entity after it was read, but never committed, is lost like an uncommitted row.
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Self

from supportdesk.application.ports import (
    GatewayDeclined,
    GatewayRefund,
    GatewayTimeout,
    GatewayUnavailable,
    OrderSystemUnavailable,
)
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import Attachment
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.errors import EmailTaken, VersionConflict
from supportdesk.domain.events import Event
from supportdesk.domain.messages import Message
from supportdesk.domain.notifications import NotificationSettings
from supportdesk.domain.orders import Order
from supportdesk.domain.refunds import FINAL_STATUSES, RELEASING_STATUSES, Refund, RefundStatus
from supportdesk.domain.users import UserAccount


@dataclass
class Store:
    """What the database holds: committed rows only."""

    cases: dict[str, SupportCase] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    users: dict[str, UserAccount] = field(default_factory=dict)
    leases: dict[str, datetime] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    locked_orders: list[str] = field(default_factory=list)
    notification_settings: dict[str, NotificationSettings] = field(default_factory=dict)
    # The payment gateway's events handled: id -> (type, refund id, outcome).
    payment_events: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)

    def staged(self) -> Store:
        """A working copy for one transaction; entities are stored as private copies, so
        copying the containers is enough."""
        return Store(
            cases=dict(self.cases),
            refunds=dict(self.refunds),
            messages=dict(self.messages),
            users=dict(self.users),
            leases=dict(self.leases),
            events=list(self.events),
            locked_orders=list(self.locked_orders),
            notification_settings=dict(self.notification_settings),
            payment_events=dict(self.payment_events),
            attachments=dict(self.attachments),
        )


def _stored(entity: Any) -> Any:
    """A private copy of an aggregate, without its unsaved events."""
    kept = copy.deepcopy(entity)
    if hasattr(kept, "new_events"):
        kept.new_events = []
    return kept


class FakeCaseRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def add(self, case: SupportCase) -> None:
        self.data.cases[case.id] = _stored(case)
        self.data.events.extend(case.new_events)
        case.new_events.clear()

    async def get(self, case_id: str) -> SupportCase | None:
        case = self.data.cases.get(case_id)
        return copy.deepcopy(case) if case else None

    async def get_for(self, actor: Actor, case_id: str) -> SupportCase | None:
        case = self.data.cases.get(case_id)
        return copy.deepcopy(case) if case and actor.may_see(case.customer_id) else None

    async def lock(self, case_id: str) -> None:
        pass  # one writer at a time here, as on SQLite

    async def save(self, case: SupportCase) -> None:
        if not case.new_events:  # like the SQL repository: nothing changed, nothing written
            return
        current = self.data.cases.get(case.id)
        if current is None or current.version != case.version:
            raise VersionConflict("the case was changed by someone else; reload it")
        case.version += 1
        self.data.cases[case.id] = _stored(case)
        self.data.events.extend(case.new_events)
        case.new_events.clear()

    async def touch(self, case: SupportCase, now: datetime) -> None:
        current = self.data.cases.get(case.id)
        if current is None or current.version != case.version:
            raise VersionConflict("the case was changed by someone else; reload it")
        case.version += 1
        case.updated_at = now
        self.data.cases[case.id] = _stored(case)

    async def has_open_refunds(self, case_id: str) -> bool:
        return any(
            refund.support_case_id == case_id and refund.status not in FINAL_STATUSES
            for refund in self.data.refunds.values()
        )

    # No SLA policy in the service tests: the clocks are the SQL repository's work
    # (tests/unit/test_sla_clocks.py holds the rules, tests/api/test_sla.py the storage).
    async def sla_checks_due(self, now: datetime, limit: int) -> list[str]:
        return []

    async def refresh_sla(self, case: SupportCase, now: datetime) -> bool:
        return True


class FakeMessageRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def add(self, message: Message) -> None:
        self.data.messages[message.id] = message


class FakeRefundRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def add(self, refund: Refund) -> None:
        self.data.refunds[refund.id] = _stored(refund)
        self.data.events.extend(refund.new_events)
        refund.new_events.clear()

    async def get(self, refund_id: str) -> Refund | None:
        refund = self.data.refunds.get(refund_id)
        return copy.deepcopy(refund) if refund else None

    async def get_for(self, actor: Actor, refund_id: str) -> Refund | None:
        refund = self.data.refunds.get(refund_id)
        return copy.deepcopy(refund) if refund and actor.may_see(refund.customer_id) else None

    async def of_case(self, case_id: str) -> list[Refund]:
        found = [r for r in self.data.refunds.values() if r.support_case_id == case_id]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: (r.created_at, r.id))]

    async def of_order(self, order_id: str) -> list[Refund]:
        found = [r for r in self.data.refunds.values() if r.order_id == order_id]
        return [copy.deepcopy(r) for r in sorted(found, key=lambda r: (r.created_at, r.id))]

    async def save(self, refund: Refund, *, expected_status: RefundStatus | None = None) -> None:
        current = self.data.refunds.get(refund.id)
        if (
            current is None
            or current.version != refund.version
            or (expected_status is not None and current.status is not expected_status)
        ):
            raise VersionConflict("the refund was changed by someone else; reload it")
        refund.version += 1
        self.data.refunds[refund.id] = _stored(refund)
        self.data.events.extend(refund.new_events)
        refund.new_events.clear()

    async def lock_order(self, order_id: str) -> None:
        # One event loop and a staged store: nothing to wait for; recorded for assertions.
        self.data.locked_orders.append(order_id)

    async def units_taken(self, order_id: str) -> tuple[dict[str, int], bool]:
        taken: Counter[str] = Counter()
        shipping_taken = False
        for refund in self.data.refunds.values():
            if refund.order_id != order_id or refund.status in RELEASING_STATUSES:
                continue
            for item in refund.calculation.items:
                taken[item.line_id] += item.quantity
            shipping_taken = shipping_taken or refund.calculation.include_shipping
        return dict(taken), shipping_taken

    async def claim_for_reconciliation(
        self, *, now: datetime, stale_before: datetime, lease_until: datetime, limit: int
    ) -> list[str]:
        candidates = sorted(
            (
                refund
                for refund in self.data.refunds.values()
                if refund.status is RefundStatus.PROCESSING
                and refund.updated_at <= stale_before
                and (refund.id not in self.data.leases or self.data.leases[refund.id] < now)
            ),
            key=lambda refund: refund.updated_at,
        )[:limit]
        for refund in candidates:
            self.data.leases[refund.id] = lease_until
        return [refund.id for refund in candidates]


class FakeUserRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def get(self, user_id: str) -> UserAccount | None:
        return self.data.users.get(user_id)

    async def by_email(self, email: str) -> UserAccount | None:
        wanted = email.strip().lower()
        return next((u for u in self.data.users.values() if u.email == wanted), None)

    async def add(self, user: UserAccount) -> None:
        """Like the unique index: an email is taken once, whatever its case."""
        user = replace(user, email=user.email.strip().lower())
        if await self.by_email(user.email) is not None:
            raise EmailTaken("a user with this email exists")
        self.data.users[user.id] = user

    async def set_active(self, user_id: str, active: bool) -> None:
        self.data.users[user_id] = replace(self.data.users[user_id], active=active)

    async def set_role(self, user_id: str, role: Role) -> None:
        self.data.users[user_id] = replace(self.data.users[user_id], role=role)

    async def set_password(
        self, user_id: str, password_hash: str, *, sessions_since: datetime
    ) -> None:
        self.data.users[user_id] = replace(
            self.data.users[user_id], password_hash=password_hash, sessions_since=sessions_since
        )

    async def by_customer_id(self, customer_id: str) -> UserAccount | None:
        mine = [u for u in self.data.users.values() if u.customer_id == customer_id]
        return min(mine, key=lambda u: u.created_at, default=None)

    async def active_admin_ids(self) -> set[str]:
        return {u.id for u in self.data.users.values() if u.role is Role.ADMIN and u.active}

    async def list(self) -> Sequence[UserAccount]:
        return sorted(self.data.users.values(), key=lambda u: u.email)


class FakeNotificationSettingsRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def get(self, user_id: str) -> NotificationSettings:
        return self.data.notification_settings.get(user_id, NotificationSettings())

    async def save(self, user_id: str, settings: NotificationSettings, now: datetime) -> None:
        self.data.notification_settings[user_id] = settings


class FakePaymentEventRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def claim(self, event_id: str, *, type: str, now: datetime) -> bool:
        if event_id in self.data.payment_events:
            return False
        self.data.payment_events[event_id] = (type, None, "received")
        return True

    async def record_outcome(self, event_id: str, *, refund_id: str | None, outcome: str) -> None:
        type_, _, _ = self.data.payment_events[event_id]
        self.data.payment_events[event_id] = (type_, refund_id, outcome)


class FakeAttachmentRepository:
    def __init__(self, data: Store) -> None:
        self.data = data

    async def add(self, attachment: Attachment) -> None:
        self.data.attachments[attachment.id] = _stored(attachment)

    async def get(self, attachment_id: str) -> Attachment | None:
        found = self.data.attachments.get(attachment_id)
        return _stored(found) if found else None

    async def of_case(self, case_id: str) -> list[Attachment]:
        return [
            _stored(a)
            for a in sorted(self.data.attachments.values(), key=lambda a: (a.created_at, a.id))
            if a.case_id == case_id
        ]

    async def totals(self, case_id: str) -> tuple[int, int]:
        kept = [
            a for a in self.data.attachments.values() if a.case_id == case_id and not a.redacted
        ]
        return len(kept), sum(a.size for a in kept)

    async def link(
        self, attachment_ids: Sequence[str], *, message_id: str | None, refund_id: str | None
    ) -> int:
        named = 0
        for attachment_id in attachment_ids:
            found = self.data.attachments.get(attachment_id)
            if found is None or found.linked or found.redacted:
                continue
            self.data.attachments[attachment_id] = replace(
                found, message_id=message_id, refund_id=refund_id
            )
            named += 1
        return named

    async def redact(self, attachment: Attachment) -> None:
        self.data.attachments[attachment.id] = _stored(attachment)

    async def remove(self, attachment_id: str) -> bool:
        found = self.data.attachments.get(attachment_id)
        if found is None or found.linked:
            return False
        del self.data.attachments[attachment_id]
        return True


class FakeUnitOfWork:
    """One transaction per ``async with`` block over a store shared by all blocks."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.commits = 0
        self._data: Store | None = None

    def _working(self) -> Store:
        if self._data is None:
            raise RuntimeError("repositories are used inside `async with uow:` only")
        return self._data

    @property
    def cases(self) -> FakeCaseRepository:
        return FakeCaseRepository(self._working())

    @property
    def messages(self) -> FakeMessageRepository:
        return FakeMessageRepository(self._working())

    @property
    def refunds(self) -> FakeRefundRepository:
        return FakeRefundRepository(self._working())

    @property
    def users(self) -> FakeUserRepository:
        return FakeUserRepository(self._working())

    @property
    def notification_settings(self) -> FakeNotificationSettingsRepository:
        return FakeNotificationSettingsRepository(self._working())

    @property
    def payment_events(self) -> FakePaymentEventRepository:
        return FakePaymentEventRepository(self._working())

    @property
    def attachments(self) -> FakeAttachmentRepository:
        return FakeAttachmentRepository(self._working())

    async def __aenter__(self) -> Self:
        if self._data is not None:
            raise RuntimeError("a unit of work is not re-entrant")
        self._data = self.store.staged()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._data = None  # whatever was not committed is rolled back

    async def commit(self) -> None:
        committed = self._working().staged()
        for name in vars(committed):
            setattr(self.store, name, getattr(committed, name))
        self.commits += 1


class FakeOrderSystem:
    """Orders by id. ``while_asked`` runs while an answer is on its way: what another
    request does in the meantime; ``down`` makes every call fail as the adapter does when
    the order system cannot answer."""

    def __init__(self, *orders: Order) -> None:
        self.orders = {order.id: order for order in orders}
        self.while_asked: Callable[[], Awaitable[None]] | None = None
        self.down = False

    def add(self, order: Order) -> None:
        self.orders[order.id] = order

    async def get_order(self, order_id: str) -> Order | None:
        if self.down:
            raise OrderSystemUnavailable("the order system did not answer")
        if self.while_asked is not None:
            meanwhile, self.while_asked = self.while_asked, None
            await meanwhile()
        return self.orders.get(order_id)

    async def orders_of_customer(self, customer_id: str) -> list[Order]:
        if self.down:
            raise OrderSystemUnavailable("the order system did not answer")
        return [order for order in self.orders.values() if order.customer_id == customer_id]

    async def ping(self) -> bool:
        return True


class Outcome(StrEnum):
    SUCCEED = "succeed"
    DECLINE = "decline"
    TIMEOUT = "timeout"  # the request never made it: nothing made
    TIMEOUT_AFTER_MAKING = "timeout_after_making"  # made it, but the answer was lost
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class GatewayCall:
    method: str
    kwargs: dict[str, Any]


@dataclass(slots=True)
class _MadeRefund:
    refund: GatewayRefund
    payment_reference: str
    idempotency_key: str
    metadata: dict[str, str]


class FakeGateway:
    """A Stripe-like refunds API in memory.

    Each create_refund takes the next queued outcome (``will(...)``), else ``SUCCEED``.
    Like Stripe, a key it already made a refund under answers that same refund again.
    """

    def __init__(self) -> None:
        self.calls: list[GatewayCall] = []
        self.made: list[_MadeRefund] = []
        self.decline_reason = "card_expired"
        self._outcomes: list[Outcome] = []
        self._ids = itertools.count(1)

    def will(self, *outcomes: Outcome) -> None:
        self._outcomes.extend(outcomes)

    @property
    def creates(self) -> list[GatewayCall]:
        return [call for call in self.calls if call.method == "create_refund"]

    async def create_refund(
        self,
        *,
        payment_reference: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> GatewayRefund:
        self.calls.append(
            GatewayCall(
                "create_refund",
                {
                    "payment_reference": payment_reference,
                    "amount": amount,
                    "currency": currency,
                    "idempotency_key": idempotency_key,
                    "metadata": dict(metadata),
                },
            )
        )
        outcome = self._outcomes.pop(0) if self._outcomes else Outcome.SUCCEED
        if outcome is Outcome.UNAVAILABLE:
            raise GatewayUnavailable("connection refused")
        if outcome is Outcome.TIMEOUT:
            raise GatewayTimeout("read timed out")
        if outcome is Outcome.DECLINE:
            raise GatewayDeclined(self.decline_reason)
        made = self._make(payment_reference, amount, currency, idempotency_key, metadata)
        if outcome is Outcome.TIMEOUT_AFTER_MAKING:
            raise GatewayTimeout("read timed out")
        return made

    async def get_refund(self, refund_id: str) -> GatewayRefund | None:
        self.calls.append(GatewayCall("get_refund", {"refund_id": refund_id}))
        return next((m.refund for m in self.made if m.refund.id == refund_id), None)

    async def find_refund(
        self, *, payment_reference: str, metadata: dict[str, str]
    ) -> GatewayRefund | None:
        self.calls.append(
            GatewayCall(
                "find_refund",
                {"payment_reference": payment_reference, "metadata": dict(metadata)},
            )
        )
        return next(
            (
                m.refund
                for m in self.made
                if m.payment_reference == payment_reference
                and all(m.metadata.get(k) == v for k, v in metadata.items())
            ),
            None,
        )

    def _make(
        self,
        payment_reference: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> GatewayRefund:
        for made in self.made:
            if made.idempotency_key == idempotency_key:
                return made.refund
        refund = GatewayRefund(
            id=f"re_{next(self._ids)}", status="succeeded", amount=amount, currency=currency
        )
        self.made.append(_MadeRefund(refund, payment_reference, idempotency_key, dict(metadata)))
        return refund


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, by: timedelta) -> None:
        self.current += by
