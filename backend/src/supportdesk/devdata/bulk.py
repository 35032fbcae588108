"""Bulk data: a year of realistic support cases, refunds and their history, for load tests.

Every case and refund is made by the domain, as the services make them: opened, assigned,
moved along ``CASE_TRANSITIONS`` and ``REFUND_TRANSITIONS``, priced by ``calculate_refund``,
approved only inside the refund window and by someone allowed to approve the amount. This
module tells the story (who writes, when, how far each case has come); what may happen,
and what it costs, is the domain's, which refuses a move the story gets wrong. The rows are
the ones the repositories write (``mapping.py``), written in batches for speed.

Staff answer most cases they take up (a public message: the case's first response), and
the SLA clocks are worked out from each history by ``domain.sla`` as the repository does on
every write, with the breaches the sweep would have recorded by ``now``; the SLA columns
are the ones the repository would have stored. Every order names its customer (the
order system's ``customer``), and the customer directory gets each customer's row, as
opening a case upserts it.

The same seed and ``now`` give the same rows. For load tests, not for the demo (that is
``devdata.demo``).
"""

from __future__ import annotations

import itertools
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from supportdesk.application.refunds import RefundPolicy
from supportdesk.devdata import texts
from supportdesk.devdata.demo import DEMO_USERS, demo_orders
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.cases import (
    CaseStatus,
    Category,
    OrderReference,
    Priority,
    SupportCase,
    restock_by_default,
)
from supportdesk.domain.errors import OutsideRefundWindow, SupervisorApprovalRequired
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.messages import Message
from supportdesk.domain.orders import Customer, Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.reasons import suggested_reason
from supportdesk.domain.refunds import (
    REFUND_TRANSITIONS,
    Action,
    Refund,
    RefundStatus,
    RequestedItem,
    Settlement,
    SettlementType,
    calculate_refund,
)
from supportdesk.domain.sla import SlaClock, SlaPolicy, sla_state
from supportdesk.domain.window import RefundWindowPolicy
from supportdesk.infrastructure.business_calendar import sla_policy
from supportdesk.infrastructure.db.batch_writer import RowBatch, write_batches
from supportdesk.infrastructure.db.mapping import (
    customer_row,
    event_row,
    message_row,
    new_case_row,
    new_refund_row,
    sla_columns,
)
from supportdesk.infrastructure.settings import Settings

T = TypeVar("T")
DAY = timedelta(days=1)
SPAN = timedelta(days=365)
CURRENCY = "EUR"
TAX_PERCENT = 19
SHIPPING = Shipping(499, 95)
FREE_SHIPPING_FROM = 50_000  # unit price of the first line, in cents

_STAFF = {
    user.id: Actor(user.id, user.role) for user in DEMO_USERS if user.role is not Role.CUSTOMER
}
AGENT = _STAFF["usr_bob"]
SUPERVISOR = _STAFF["usr_sam"]
# The demo customers who have an account, with their demo orders.
DEMO_CUSTOMERS = {
    user.customer_id: Actor(user.id, user.role, user.customer_id)
    for user in DEMO_USERS
    if user.customer_id is not None
}
DEMO_CUSTOMER_SHARE = 0.02

CATEGORY_WEIGHTS = {
    Category.DAMAGED_ITEM: 22,
    Category.WRONG_ITEM: 14,
    Category.MISSING_ITEM: 12,
    Category.NOT_DELIVERED: 14,
    Category.RETURN_REFUND: 22,
    Category.BILLING: 8,
    Category.OTHER: 8,
}
PRIORITY_WEIGHTS = {Priority.LOW: 20, Priority.NORMAL: 55, Priority.HIGH: 20, Priority.URGENT: 5}
# How far cases have come: older ones mostly done, recent ones still being worked on.
OLD_CASE = 30 * DAY
OLD_CASE_STATUS_WEIGHTS = {
    CaseStatus.CLOSED: 70,
    CaseStatus.RESOLVED: 24,
    CaseStatus.IN_PROGRESS: 3,
    CaseStatus.WAITING_ON_CUSTOMER: 2,
    CaseStatus.OPEN: 1,
}
RECENT_CASE_STATUS_WEIGHTS = {
    CaseStatus.OPEN: 30,
    CaseStatus.IN_PROGRESS: 30,
    CaseStatus.WAITING_ON_CUSTOMER: 15,
    CaseStatus.RESOLVED: 15,
    CaseStatus.CLOSED: 10,
}
# The way staff usually take a case to each status; the transition table checks each move.
CASE_JOURNEYS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    CaseStatus.OPEN: (),
    CaseStatus.IN_PROGRESS: (CaseStatus.IN_PROGRESS,),
    CaseStatus.WAITING_ON_CUSTOMER: (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CUSTOMER),
    CaseStatus.RESOLVED: (CaseStatus.RESOLVED,),
    CaseStatus.CLOSED: (CaseStatus.RESOLVED, CaseStatus.CLOSED),
}
ASSIGNEE_WEIGHTS = {"usr_bob": 50, "usr_sam": 30, "usr_admin": 8, None: 12}
# Staff answer most cases they take up; the answer comes within the first-response target
# (business time) mostly, late sometimes, and not at all yet for some.
ANSWERED_SHARE = 0.9
LATE_ANSWER_SHARE = 0.12
# The sweep's interval (the default setting): a breach is recorded within it.
SWEEP_INTERVAL = timedelta(seconds=60)
ANSWERS = [
    "Thank you for writing to us. We are looking into order {o} and will get back to you.",
    "Sorry to hear that. I have taken your case about order {o} and will sort it out.",
    "Thanks for your patience: we are checking order {o} with the warehouse.",
]
REFUND_SHARE = 0.36  # of cases about something else than "other"
SHIPPING_ASKED_SHARE = 0.3
# Where a refund is headed: on a case that is done, only to a final status.
DONE_CASE_REFUND_WEIGHTS = {
    RefundStatus.REFUNDED: 62,
    RefundStatus.REJECTED: 14,
    RefundStatus.CANCELLED: 8,
    RefundStatus.SETTLED: 16,
}
OPEN_CASE_REFUND_WEIGHTS = {
    RefundStatus.REQUESTED: 40,
    RefundStatus.APPROVED: 10,
    RefundStatus.PROCESSING: 3,
    RefundStatus.FAILED: 4,
    RefundStatus.REFUNDED: 25,
    RefundStatus.REJECTED: 8,
    RefundStatus.CANCELLED: 4,
    RefundStatus.SETTLED: 6,
}


def _ways_through_refund_transitions() -> dict[RefundStatus, tuple[Action, ...]]:
    """The shortest way from ``requested`` to each status in the refund transition table."""
    ways: dict[RefundStatus, tuple[Action, ...]] = {RefundStatus.REQUESTED: ()}
    queue = deque([RefundStatus.REQUESTED])
    while queue:
        source = queue.popleft()
        for (start, action), target in REFUND_TRANSITIONS.items():
            if start is source and target not in ways:
                ways[target] = (*ways[source], action)
                queue.append(target)
    return ways


REFUND_WAYS = _ways_through_refund_transitions()


def default_sla_policy() -> SlaPolicy:
    """The SLA policy of a service started with the default settings."""
    return sla_policy(Settings.model_construct())


def default_policy() -> RefundPolicy:
    """The refund policy of a service started with the default settings."""
    fields = Settings.model_fields
    return RefundPolicy(
        window=RefundWindowPolicy(
            days=fields["refund_window_days"].default,
            lost_parcel_after_days=fields["lost_parcel_after_days"].default,
        ),
        supervisor_threshold=fields["refund_supervisor_threshold"].default,
    )


@dataclass(frozen=True, slots=True)
class BulkResult:
    cases: int
    refunds: int
    events: int
    seconds: float


class _Weighted(Generic[T]):
    """Choices by weight, with the running sums worked out once: the bulk picks millions."""

    def __init__(self, weights: dict[T, int]) -> None:
        self.choices = list(weights)
        self.running = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.choices, cum_weights=self.running)[0]


_CATEGORY = _Weighted(CATEGORY_WEIGHTS)
_PRIORITY = _Weighted(PRIORITY_WEIGHTS)
_OLD_CASE_STATUS = _Weighted(OLD_CASE_STATUS_WEIGHTS)
_RECENT_CASE_STATUS = _Weighted(RECENT_CASE_STATUS_WEIGHTS)
_ASSIGNEE = _Weighted(ASSIGNEE_WEIGHTS)
_DONE_CASE_REFUND = _Weighted(DONE_CASE_REFUND_WEIGHTS)
_OPEN_CASE_REFUND = _Weighted(OPEN_CASE_REFUND_WEIGHTS)
_DEMO_CUSTOMERS = list(DEMO_CUSTOMERS.values())
_SETTLEMENT_TYPES = list(SettlementType)


class CaseFactory:
    """Makes plausible cases, each with its history, through the domain."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        total: int,
        policy: RefundPolicy,
        sla: SlaPolicy | None = None,
    ):
        self.rng = rng
        self.now = now
        self.total = total
        self.policy = policy
        self.sla = sla or default_sla_policy()
        # Each customer as the order system last named them, and when: the directory.
        self.directory: dict[str, tuple[Customer, datetime]] = {}
        self.start = now - SPAN
        self.customers = max(total // 5, 10)
        self.clock = self.start  # when the case being made was opened
        self.demo_orders: dict[str, list[Order]] = {}
        for order in demo_orders(now):
            self.demo_orders.setdefault(order.customer_id, []).append(order)

    def _id(self, prefix: str) -> str:
        """32 hex digits like the service's own ids, but led by the time (as a ULID is), so
        a year of rows lands at the end of every id index instead of all over it."""
        millis = int((self.clock - self.start).total_seconds() * 1000)
        return f"{prefix}_{millis:012x}{self.rng.getrandbits(80):020x}"

    def _after(self, at: datetime, most: timedelta) -> datetime:
        return min(at + most * self.rng.random(), self.now)

    def batch(self, first: int, count: int) -> RowBatch:
        rows = RowBatch()
        step = SPAN / self.total
        for index in range(first, first + count):
            # In time order, as a live system would have written them.
            created = self.start + step * index + step * self.rng.random()
            self.clock = created.replace(microsecond=created.microsecond // 1000 * 1000)
            _CaseStory(self, rows).tell(self.clock)
        return rows

    def directory_rows(self) -> RowBatch:
        """The customer directory as opening the cases left it: one row per customer, the
        name and address of their last case's order."""
        return RowBatch(
            customers=[customer_row(customer, at) for customer, at in self.directory.values()]
        )

    # -- who and what --------------------------------------------------------------------

    def customer(self) -> Actor:
        if self.rng.random() < DEMO_CUSTOMER_SHARE:
            return self.rng.choice(_DEMO_CUSTOMERS)
        number = 2000 + self.rng.randrange(self.customers)
        return Actor(f"usr_c{number}", Role.CUSTOMER, f"CUST-{number}")

    @staticmethod
    def person(number: int) -> Customer:
        """A synthetic customer as the order system names them: a name many customers share,
        an address that is theirs alone."""
        first = texts.FIRST_NAMES[number % len(texts.FIRST_NAMES)]
        last = texts.LAST_NAMES[number // len(texts.FIRST_NAMES) % len(texts.LAST_NAMES)]
        email = f"{first}.{last.replace(' ', '')}{number}@example.net".lower()
        return Customer(id=f"CUST-{number}", name=f"{first} {last}", email=email)

    def order(self, customer_id: str, case_opened: datetime) -> Order:
        """An order of the customer as it stood when the case was opened: delivered one to
        sixteen days before, so most refunds are asked for inside the window and some
        not (a demo order that never arrived is still on its way)."""
        rng = self.rng
        arrived = case_opened - rng.randint(1, 16) * DAY
        if customer_id in self.demo_orders:
            order = rng.choice(self.demo_orders[customer_id])
            delivered = arrived if order.status is OrderStatus.DELIVERED else None
            shipped = arrived - 2 * DAY
            return replace(
                order, placed_at=shipped - DAY, shipped_at=shipped, delivered_at=delivered
            )
        lines = []
        for number, (sku, name, price) in enumerate(rng.sample(texts.PRODUCTS, rng.randint(1, 3))):
            quantity = rng.choice((1, 1, 1, 2, 3))
            discount = rng.choice((0, 0, 0, price * quantity // 10))
            tax = (price * quantity - discount) * TAX_PERCENT // 100
            lines.append(OrderLine(f"L{number + 1}", sku, name, quantity, price, discount, tax))
        order_id = f"ORD-{customer_id.removeprefix('CUST-')}-{rng.randint(1, 9)}"
        return Order(
            id=order_id,
            customer_id=customer_id,
            currency=CURRENCY,
            status=OrderStatus.DELIVERED,
            placed_at=arrived - 3 * DAY,
            shipped_at=arrived - 2 * DAY,
            delivered_at=arrived,
            payment_reference=f"pi_{rng.getrandbits(64):016x}",
            lines=tuple(lines),
            shipping=Shipping(0, 0) if lines[0].unit_price > FREE_SHIPPING_FROM else SHIPPING,
            customer=self.person(int(customer_id.removeprefix("CUST-"))),
        )

    def text(self, category: Category, order_id: str, product: str) -> tuple[str, str]:
        rng = self.rng
        subject = rng.choice(texts.SUBJECTS[category]).format(p=product, o=order_id)
        detail = texts.DETAILS[category].format(
            p=product.lower(),
            defect=rng.choice(texts.DEFECTS),
            box=rng.choice(texts.BOXES),
            colour=rng.choice(texts.COLOURS),
            courier=rng.choice(texts.COURIERS),
            city=rng.choice(texts.CITIES),
            n=rng.randint(2, 9),
        )
        parts = [rng.choice(texts.OPENERS), f"about order {order_id}: {detail}"]
        if rng.random() < texts.RARE_RATE:
            parts.append(texts.RARE_SENTENCE)
        parts.append(rng.choice(texts.CLOSINGS))
        return subject, " ".join(parts)


class _CaseStory:
    """One case from opening to where it stands now, told through the domain. Each step is
    one use case, saved as the repository saves it: the version moves by one and the
    step's events join the history."""

    def __init__(self, factory: CaseFactory, rows: RowBatch) -> None:
        self.factory = factory
        self.rng = factory.rng
        self.rows = rows
        # The case's own history, which its SLA clocks are worked out from, and the rows of
        # its and its refund's events, kept until then: a breach the sweep would have
        # recorded goes in at its moment.
        self.history: list[Event] = []
        self.event_rows: list[dict[str, Any]] = []

    def tell(self, opened: datetime) -> None:
        factory, rng = self.factory, self.rng
        customer = factory.customer()
        assert customer.customer_id is not None
        order = factory.order(customer.customer_id, opened)
        if order.customer is not None:
            factory.directory[order.customer.id] = (order.customer, opened)
        category = _CATEGORY.pick(rng)
        subject, description = factory.text(category, order.id, rng.choice(order.lines).name)
        goal = (_OLD_CASE_STATUS if factory.now - opened > OLD_CASE else _RECENT_CASE_STATUS).pick(
            rng
        )
        case = SupportCase.open(
            id=factory._id("case"),
            customer_id=customer.customer_id,
            order=OrderReference.snapshot_of(order),
            subject=subject,
            description=description,
            category=category,
            priority=_PRIORITY.pick(rng),
            by=customer,
            now=opened,
        )
        self._history(case.new_events)
        at = opened
        unassigned = goal is CaseStatus.OPEN and rng.random() < 0.6
        assignee = None if unassigned else _ASSIGNEE.pick(rng)
        staff = _STAFF[assignee] if assignee else AGENT
        answer_at = self._answer_time(case) if not unassigned else None
        if assignee is not None:
            at = factory._after(at, min(DAY / 2, (answer_at or factory.now) - at))
            case.assign(assignee, by=staff, now=at)
            self._saved(case)
        if answer_at is not None:
            at = max(at, answer_at)
            self._answer(case, order, staff, at)
        refund = None
        if category is not Category.OTHER and rng.random() < REFUND_SHARE:
            done = goal in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
            refund, at = self._refund(case, order, customer, staff, at, done=done)
        for target in CASE_JOURNEYS[goal]:
            at = factory._after(at, 3 * DAY)
            has_open_refunds = refund is not None and not refund.is_final
            case.change_status(target, by=staff, now=at, has_open_refunds=has_open_refunds)
            self._saved(case)
        columns = self._sla(case)
        self.rows.cases.append({**new_case_row(case), **columns})
        if refund is not None:
            self.rows.refunds.append(new_refund_row(refund))
        # In the order they happened: the breaches join the history at their moment.
        self.event_rows.sort(key=lambda row: row["at"])
        self.rows.events.extend(self.event_rows)

    def _answer_time(self, case: SupportCase) -> datetime | None:
        """When staff answer the case: most within the first-response target, some late,
        some not yet (None; also when that moment is still to come)."""
        rng = self.rng
        if rng.random() >= ANSWERED_SHARE:
            return None
        target = self.factory.sla.targets.of(SlaClock.FIRST_RESPONSE, case.priority)
        share = 1 + 2 * rng.random() if rng.random() < LATE_ANSWER_SHARE else rng.random()
        at = self.factory.sla.hours.add(case.created_at, target * share)
        return at if at <= self.factory.now else None

    def _answer(self, case: SupportCase, order: Order, staff: Actor, at: datetime) -> None:
        """A public reply of staff, as ``CaseService.add_message`` writes it."""
        message = Message.write(
            case_id=case.id,
            by=staff,
            body=self.rng.choice(ANSWERS).format(o=order.id),
            internal=False,
            now=at,
        )
        self.rows.messages.append({**message_row(message), "id": self.factory._id("msg")})
        case.add_event("message_added", by=staff, now=at)
        self._saved(case)

    def _sla(self, case: SupportCase) -> dict[str, Any]:
        """The SLA columns the repository would hold now, after recording each breach as
        the sweep does, within its interval of the due time."""
        factory = self.factory
        state = sla_state(
            factory.sla,
            opened_at=case.created_at,
            priority=case.priority,
            events=self.history,
            now=factory.now,
        )
        for clock in state.breaches_to_record:
            reading = state.first_response if clock is SlaClock.FIRST_RESPONSE else state.resolution
            assert reading.breached_at is not None
            at = min(reading.breached_at + SWEEP_INTERVAL * self.rng.random(), factory.now)
            case.record_sla_breach(clock.words, now=at)
            self._saved(case)
        return sla_columns(state)

    def _refund(
        self,
        case: SupportCase,
        order: Order,
        customer: Actor,
        staff: Actor,
        at: datetime,
        *,
        done: bool,
    ) -> tuple[Refund, datetime]:
        factory, rng = self.factory, self.rng
        lines = rng.sample(order.lines, rng.randint(1, len(order.lines)))
        calculation = calculate_refund(
            order,
            [RequestedItem(line.line_id, rng.randint(1, line.quantity)) for line in lines],
            units_taken={},
            shipping_taken=False,
            include_shipping=order.shipping.gross > 0 and rng.random() < SHIPPING_ASKED_SHARE,
        )
        at = factory._after(at, DAY)
        refund = Refund.request(
            id=factory._id("rf"),
            support_case_id=case.id,
            order=order,
            calculation=calculation,
            reason=rng.choice(texts.REFUND_REASONS),
            by=customer,
            now=at,
            # As RefundService.request does: the case category's defaults.
            restock=restock_by_default(case.category),
            reason_code=suggested_reason(case.category),
            category=case.category,
        )
        self._history(refund.new_events)
        # The case lists its refunds, so a new one moves the case's version too.
        case.updated_at = at
        case.version += 1
        goal = (_DONE_CASE_REFUND if done else _OPEN_CASE_REFUND).pick(rng)
        for action in REFUND_WAYS[goal]:
            at = factory._after(at, DAY if action is Action.APPROVE else timedelta(minutes=5))
            if not self._take(refund, action, customer, staff, at):
                break
        return refund, at

    def _take(
        self, refund: Refund, action: Action, customer: Actor, staff: Actor, at: datetime
    ) -> bool:
        """Does ``action`` as the people of the story would; False when the domain turned an
        approval down and a settlement was recorded instead, which ends the refund's way."""
        rng = self.rng
        carried_on = True
        match action:
            case Action.APPROVE:
                carried_on = self._approve(refund, staff, at)
            case Action.EXECUTE:
                refund.start_attempt(by=staff, now=at)
            case Action.GATEWAY_SUCCEEDED:
                refund.gateway_succeeded(f"re_{rng.getrandbits(96):024x}", by=staff, now=at)
            case Action.GATEWAY_FAILED:
                refund.gateway_failed("card_declined", by=staff, now=at)
            case Action.REJECT:
                refund.reject(by=staff, now=at, reason=rng.choice(texts.REJECT_REASONS))
            case Action.CANCEL:
                refund.cancel(by=customer, now=at)
            case Action.SETTLE:
                self._settle(refund, staff, at)
        self._saved(refund)
        return carried_on

    def _approve(self, refund: Refund, staff: Actor, at: datetime) -> bool:
        """An agent approves; an amount above their limit goes to a supervisor; outside the
        window the agent records a settlement instead, as the refusal tells them to."""
        policy = self.factory.policy
        window = refund.window_at(policy.window, at)
        approver = staff

        def refusal() -> Exception | None:
            return refund.approval_refusal(
                by=approver, window=window, supervisor_threshold=policy.supervisor_threshold
            )

        if isinstance(refusal(), SupervisorApprovalRequired):
            approver = SUPERVISOR
        if isinstance(refusal(), OutsideRefundWindow):
            self._settle(refund, staff, at)
            return False
        refund.approve(
            by=approver, now=at, window=window, supervisor_threshold=policy.supervisor_threshold
        )
        return True

    def _settle(self, refund: Refund, staff: Actor, at: datetime) -> None:
        settlement = Settlement(
            type=self.rng.choice(_SETTLEMENT_TYPES),
            amount=self.rng.randint(0, refund.total_amount),
            note="goodwill settlement",
        )
        refund.settle(settlement, by=staff, now=at)

    def _saved(self, aggregate: SupportCase | Refund) -> None:
        """What the repository's save does to an aggregate: its version moves by one and
        its new events are written with it."""
        aggregate.version += 1
        self._history(aggregate.new_events)

    def _history(self, events: list[Event]) -> None:
        # The domain's ids are random; time-led ones keep the event id index appending.
        self.history.extend(e for e in events if e.entity is EntityKind.SUPPORT_CASE)
        self.event_rows.extend(
            {**event_row(event), "id": self.factory._id("evt")} for event in events
        )
        events.clear()


def generate(
    cases: int,
    *,
    seed: int,
    batch: int,
    now: datetime,
    policy: RefundPolicy | None = None,
    sla: SlaPolicy | None = None,
) -> Iterator[RowBatch]:
    """The batches of a bulk load, the customer directory last; the same seed and ``now``
    make the same rows."""
    factory = CaseFactory(random.Random(seed), now, cases, policy or default_policy(), sla)
    for first in range(0, cases, batch):
        yield factory.batch(first, min(batch, cases - first))
    yield factory.directory_rows()


async def seed_bulk(
    database_url: str,
    *,
    cases: int,
    seed: int = 1,
    batch: int = 10_000,
    now: datetime | None = None,
    policy: RefundPolicy | None = None,
    sla: SlaPolicy | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Adds ``cases`` cases (about a third with a refund) and their history; returns counts."""
    started = time.perf_counter()
    batches = generate(
        cases, seed=seed, batch=batch, now=now or datetime.now(UTC), policy=policy, sla=sla
    )
    written = await write_batches(database_url, batches, progress=progress)
    return BulkResult(
        cases=written.cases,
        refunds=written.refunds,
        events=written.events,
        seconds=time.perf_counter() - started,
    )
