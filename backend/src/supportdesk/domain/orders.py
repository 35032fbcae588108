"""Orders as the shop's order system describes them, read-only for us."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict


class OrderStatus(StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class OrderLineFields(TypedDict):
    """An order line's fields as the order system sends them, as a case keeps them in its
    snapshot and as our API answers them: the same eight everywhere."""

    line_id: str
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int
    tax: int
    # The product's category in the shop's catalogue (the refund policy's final-sale
    # categories and category windows); None when the order system does not say.
    category: str | None


@dataclass(frozen=True, slots=True)
class OrderLine:
    """A line of an order: on the order system's order and, unchanged, in a case's
    snapshot of the order as it was when the case was opened."""

    line_id: str
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int
    tax: int
    category: str | None = None

    @property
    def gross(self) -> int:
        """What the customer paid for the line: quantity x unit price - discount + tax."""
        return self.quantity * self.unit_price - self.discount + self.tax

    def fields(self) -> OrderLineFields:
        """The line as plain data: what the snapshot stores and the wire carries."""
        return {
            "line_id": self.line_id,
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "discount": self.discount,
            "tax": self.tax,
            "category": self.category,
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> OrderLine:
        """The line from plain data already checked (a stored snapshot, a validated
        answer of the order system); other keys, such as a ``gross``, are ignored."""
        return cls(
            line_id=fields["line_id"],
            sku=fields["sku"],
            name=fields["name"],
            quantity=fields["quantity"],
            unit_price=fields["unit_price"],
            discount=fields["discount"],
            tax=fields["tax"],
            category=fields.get("category"),
        )


@dataclass(frozen=True, slots=True)
class Shipping:
    amount: int
    tax: int

    @property
    def gross(self) -> int:
        return self.amount + self.tax


@dataclass(frozen=True, slots=True)
class Customer:
    """The shop's customer an order belongs to, as the order system names them."""

    id: str
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    customer_id: str
    currency: str
    status: OrderStatus
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    payment_reference: str
    lines: tuple[OrderLine, ...]
    shipping: Shipping
    # Who the order system says the customer is; an order system may leave it out.
    customer: Customer | None = None

    @property
    def gross(self) -> int:
        """What the customer paid for the order: every line's gross plus shipping's."""
        return sum(line.gross for line in self.lines) + self.shipping.gross

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)
