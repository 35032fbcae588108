"""Orders as a customer or agent sees them here: with what is still refundable."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.application.ports import Clock, OrderSystem, UnitOfWork
from supportdesk.domain.access import Actor
from supportdesk.domain.errors import NotFound, ValidationFailed
from supportdesk.domain.orders import Order
from supportdesk.domain.window import RefundWindow, RefundWindowPolicy


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    units_taken: dict[str, int]
    shipping_taken: bool
    window: RefundWindow

    def refundable_quantity(self, line_id: str) -> int:
        line = self.order.line(line_id)
        return 0 if line is None else max(line.quantity - self.units_taken.get(line_id, 0), 0)


class OrderService:
    """Reads orders from the order system; a customer sees only their own."""

    def __init__(
        self, uow: UnitOfWork, orders: OrderSystem, clock: Clock, window: RefundWindowPolicy
    ) -> None:
        self.uow = uow
        self.orders = orders
        self.clock = clock
        self.window = window

    async def get(self, order_id: str, actor: Actor) -> OrderView:
        order = await self.orders.get_order(order_id)
        if order is None or not actor.may_see(order.customer_id):
            raise NotFound(f"no order '{order_id}'")
        return (await self._views([order]))[0]

    async def of_customer(self, actor: Actor, customer_id: str | None) -> list[OrderView]:
        """Customers list their own orders; staff name the customer."""
        if not actor.is_staff:
            customer_id = actor.customer_id
        if not customer_id:
            raise ValidationFailed("name the customer whose orders to list", field="customer_id")
        return await self._views(await self.orders.orders_of_customer(customer_id))

    async def _views(self, orders: list[Order]) -> list[OrderView]:
        now = self.clock.now()
        views = []
        async with self.uow:
            for order in orders:
                taken, shipping_taken = await self.uow.refunds.units_taken(order.id)
                views.append(
                    OrderView(
                        order,
                        taken,
                        shipping_taken,
                        self.window.window_for(order.delivered_at, now),
                    )
                )
        return views
