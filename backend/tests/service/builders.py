"""Plain factory functions with keyword defaults for the service tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from supportdesk.application.cases import CaseService, OpenCase
from supportdesk.application.refunds import RefundPolicy, RefundRequest, RefundService
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.cases import Category, Channel, SupportCase
from supportdesk.domain.orders import Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.refunds import Refund, RequestedItem
from supportdesk.domain.window import RefundWindowPolicy

from .fakes import FakeGateway, FakeOrderSystem, FakeUnitOfWork, FixedClock, Store

DELIVERED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WINDOW_DAYS = 14

CUSTOMER = Actor(id="u-anna", role=Role.CUSTOMER, customer_id="cust-anna")
OTHER_CUSTOMER = Actor(id="u-ben", role=Role.CUSTOMER, customer_id="cust-ben")
AGENT = Actor(id="u-agent", role=Role.AGENT)
SUPERVISOR = Actor(id="u-super", role=Role.SUPERVISOR)


def an_order(
    *,
    id: str = "ORD-1001",
    customer_id: str = "cust-anna",
    delivered_at: datetime | None = DELIVERED_AT,
    lines: tuple[OrderLine, ...] | None = None,
) -> Order:
    return Order(
        id=id,
        customer_id=customer_id,
        currency="EUR",
        status=OrderStatus.DELIVERED if delivered_at else OrderStatus.SHIPPED,
        placed_at=DELIVERED_AT - timedelta(days=4),
        shipped_at=DELIVERED_AT - timedelta(days=2),
        delivered_at=delivered_at,
        payment_reference=f"pi_{id}",
        lines=lines
        or (
            OrderLine(
                line_id="L1",
                sku="KETTLE-1",
                name="Kettle",
                quantity=1,
                unit_price=4999,
                discount=0,
                tax=950,
            ),
            OrderLine(
                line_id="L2",
                sku="MUG-6",
                name="Mug",
                quantity=3,
                unit_price=1000,
                discount=100,
                tax=551,
            ),
        ),
        shipping=Shipping(amount=495, tax=94),
    )


@dataclass
class Desk:
    """The use cases wired to fakes that share one store, as one process would."""

    store: Store
    orders: FakeOrderSystem
    gateway: FakeGateway
    clock: FixedClock
    cases: CaseService
    refunds: RefundService


def a_desk(*orders: Order, now: datetime = DELIVERED_AT + timedelta(days=2)) -> Desk:
    store = Store()
    order_system = FakeOrderSystem(*(orders or (an_order(),)))
    gateway = FakeGateway()
    clock = FixedClock(now)
    policy = RefundPolicy(window=RefundWindowPolicy(days=WINDOW_DAYS), supervisor_threshold=100_000)
    return Desk(
        store=store,
        orders=order_system,
        gateway=gateway,
        clock=clock,
        cases=CaseService(FakeUnitOfWork(store), order_system, clock),
        refunds=RefundService(FakeUnitOfWork(store), order_system, gateway, clock, policy),
    )


def open_case_command(order_id: str = "ORD-1001", channel: Channel | None = None) -> OpenCase:
    return OpenCase(
        order_id=order_id,
        subject="Mugs arrived broken",
        description="Two of the three mugs were in pieces",
        category=Category.DAMAGED_ITEM,
        channel=channel,
    )


async def a_case(desk: Desk, *, by: Actor = CUSTOMER, order_id: str = "ORD-1001") -> SupportCase:
    return await desk.cases.open(open_case_command(order_id), by)


def refund_request(*items: tuple[str, int], include_shipping: bool = False) -> RefundRequest:
    return RefundRequest(
        items=[RequestedItem(line_id=line, quantity=q) for line, q in items or (("L2", 2),)],
        reason="broken in transit",
        include_shipping=include_shipping,
    )


async def a_requested_refund(
    desk: Desk, *items: tuple[str, int], case: SupportCase | None = None
) -> Refund:
    case = case or await a_case(desk)
    return await desk.refunds.request(case.id, refund_request(*items), CUSTOMER)


async def an_approved_refund(desk: Desk, *items: tuple[str, int]) -> Refund:
    refund = await a_requested_refund(desk, *items)
    return await desk.refunds.approve(refund.id, AGENT, note=None, expected_version=None)
