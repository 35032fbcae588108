"""Orders as the shop's order system describes them, read-only for us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OrderStatus(StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int
    tax: int

    @property
    def gross(self) -> int:
        """What the customer paid for the line: quantity x unit price - discount + tax."""
        return self.quantity * self.unit_price - self.discount + self.tax


@dataclass(frozen=True, slots=True)
class Shipping:
    amount: int
    tax: int

    @property
    def gross(self) -> int:
        return self.amount + self.tax


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

    def line(self, line_id: str) -> OrderLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)
