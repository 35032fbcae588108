"""The demo data of the specification (section 6 and section 7's additions), defined once.

The order simulator serves these orders, the gateway sandbox holds their payments,
``supportdesk seed-demo`` signs up these users, and the bulk loader gives the demo customers
a history on these orders. Dates are relative to ``now``, so the 14-day window always looks
the same. Plain Python over the domain's types: the order system's view of the shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from supportdesk.domain.access import Role
from supportdesk.domain.orders import Customer, Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.users import UserAccount

DEMO_PASSWORD = "demo-password"
CURRENCY = "EUR"
DAY = timedelta(days=1)

ALICE = Customer(id="CUST-1001", name="Alice Martin", email="alice@example.com")
CAROL = Customer(id="CUST-1002", name="Carol Diaz", email="carol@example.com")
# A customer of the shop who has not signed up with us: their orders exist, their account
# does not (yet).
DAVE = Customer(id="CUST-3001", name="Dave Okafor", email="dave@example.com")
DEMO_CUSTOMERS = (ALICE, CAROL, DAVE)


@dataclass(frozen=True, slots=True)
class DemoUser:
    id: str
    email: str
    name: str
    role: Role
    customer_id: str | None = None

    def account(self, *, password_hash: str, now: datetime) -> UserAccount:
        return UserAccount(
            id=self.id,
            email=self.email,
            name=self.name,
            role=self.role,
            customer_id=self.customer_id,
            password_hash=password_hash,
            active=True,
            created_at=now,
        )


def _customer_user(user_id: str, customer: Customer) -> DemoUser:
    return DemoUser(user_id, customer.email, customer.name, Role.CUSTOMER, customer.id)


DEMO_USERS = (
    _customer_user("usr_alice", ALICE),
    _customer_user("usr_carol", CAROL),
    DemoUser("usr_bob", "bob@example.com", "Bob Agent", Role.AGENT),
    DemoUser("usr_sam", "sam@example.com", "Sam Supervisor", Role.SUPERVISOR),
    DemoUser("usr_admin", "admin@example.com", "Ada Admin", Role.ADMIN),
)


def _order(
    order_id: str,
    customer: Customer,
    lines: tuple[OrderLine, ...],
    shipping: Shipping,
    *,
    shipped_at: datetime,
    delivered_at: datetime | None = None,
) -> Order:
    """An order placed a day before it shipped; delivered when ``delivered_at`` is given."""
    return Order(
        id=order_id,
        customer_id=customer.id,
        currency=CURRENCY,
        status=OrderStatus.DELIVERED if delivered_at else OrderStatus.SHIPPED,
        placed_at=shipped_at - DAY,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        payment_reference=f"pi_demo_{order_id.replace('-', '').lower()}",
        lines=lines,
        shipping=shipping,
        customer=customer,
    )


def _delivered(
    order_id: str,
    customer: Customer,
    delivered_at: datetime,
    lines: tuple[OrderLine, ...],
    shipping: Shipping,
) -> Order:
    """An order delivered two days after it shipped."""
    return _order(
        order_id, customer, lines, shipping,
        shipped_at=delivered_at - 2 * DAY, delivered_at=delivered_at,
    )  # fmt: skip


def demo_orders(now: datetime) -> list[Order]:
    """The demo orders as they stand at ``now``. A line is written as the specification's
    table writes it: line id, sku, name, quantity, unit price, discount, tax, and then
    the product's category."""
    L = OrderLine
    return [
        _delivered("ORD-1001", ALICE, now - 3 * DAY, (
            L("L1", "HP-100", "Wireless Headphones", 1, 8999, 0, 1710, "audio"),
            L("L2", "CBL-2", "USB-C Cable", 3, 999, 300, 512, "accessories"),
        ), Shipping(499, 95)),
        _delivered("ORD-1002", ALICE, now - 20 * DAY, (
            L("L1", "GR-7", "Coffee Grinder", 1, 4999, 0, 950, "kitchen"),
        ), Shipping(499, 95)),
        _order("ORD-1003", ALICE, (
            L("L1", "LMP-3", "Desk Lamp", 2, 2500, 0, 950, "home"),
        ), Shipping(0, 0), shipped_at=now - DAY),
        _delivered("ORD-1004", ALICE, now - timedelta(days=13, hours=22), (
            L("L1", "MUG-1", "Mug", 4, 1250, 500, 855, "kitchen"),
        ), Shipping(499, 95)),
        _delivered("ORD-1005", ALICE, now - DAY, (
            L("L1", "TV-55", "Television", 1, 89900, 0, 17081, "electronics"),
        ), Shipping(0, 0)),
        # Shipped twelve days ago and never delivered: lost in transit.
        _order("ORD-1006", ALICE, (
            L("L1", "BAG-4", "Travel Bag", 1, 6500, 0, 1235, "luggage"),
        ), Shipping(499, 95), shipped_at=now - 12 * DAY),
        _delivered("ORD-2001", CAROL, now - 2 * DAY, (
            L("L1", "RUN-9", "Running Shoes", 1, 11999, 0, 2280, "shoes"),
        ), Shipping(499, 95)),
        _delivered("ORD-3001", DAVE, now - 4 * DAY, (
            L("L1", "KB-2", "Keyboard", 1, 7900, 0, 1501, "computers"),
        ), Shipping(0, 0)),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoCannedReply:
    id: str
    title: str
    body: str
    set_status: str | None = None


# Shared replies the demo team starts with (owned by the admin), each using placeholders.
DEMO_CANNED_REPLIES = (
    DemoCannedReply(
        "crp_demo_photo",
        "Photo request",
        "Hello {{customer.name}},\n\nthank you for telling us about order {{order.id}}. "
        "Could you send us a photo of the item and its packaging? It helps us sort this out "
        "quickly.\n\nBest regards",
        "waiting_on_customer",
    ),
    DemoCannedReply(
        "crp_demo_refund",
        "Refund on its way",
        "Hello {{customer.name}},\n\nyour refund of {{refund.total}} for order {{order.id}} "
        "is on its way; it usually shows on your statement within 5 to 10 working days.\n\n"
        "Reference: {{case.reference}}",
        "resolved",
    ),
    DemoCannedReply(
        "crp_demo_looking",
        "Looking into it",
        "Hello {{customer.name}},\n\nthanks for your patience: we are looking into case "
        "{{case.reference}} and will come back to you today.",
        "in_progress",
    ),
)
