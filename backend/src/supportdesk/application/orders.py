"""Orders as a customer or agent sees them here: with what is still refundable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from supportdesk.application.ports import (
    Clock,
    OrderSystem,
    OrderSystemUnavailable,
    UnitOfWork,
)
from supportdesk.domain.access import Actor
from supportdesk.domain.errors import NotFound, UpstreamUnavailable, ValidationFailed
from supportdesk.domain.orders import Order
from supportdesk.domain.refunds import Compensation, compensation_of
from supportdesk.domain.window import RefundWindow

if TYPE_CHECKING:
    from supportdesk.application.policy import PolicyStore


@contextmanager
def asking_the_order_system() -> Iterator[None]:
    """Where a use case asks the order system: the port's failure becomes the answer the
    use case gives (503 ``upstream_unavailable``, retry later), as the gateway's failures
    become ``PaymentGatewayError`` in the refund use cases."""
    try:
        yield
    except OrderSystemUnavailable as exc:
        raise UpstreamUnavailable(str(exc) or "the order system is not answering") from exc


@dataclass(frozen=True, slots=True)
class OrderView:
    order: Order
    units_taken: dict[str, int]
    shipping_taken: bool
    window: RefundWindow
    compensation: Compensation

    def refundable_quantity(self, line_id: str) -> int:
        line = self.order.line(line_id)
        return 0 if line is None else max(line.quantity - self.units_taken.get(line_id, 0), 0)


class OrderService:
    """Reads orders from the order system; a customer sees only their own."""

    def __init__(
        self, uow: UnitOfWork, orders: OrderSystem, clock: Clock, policies: PolicyStore
    ) -> None:
        self.uow = uow
        self.orders = orders
        self.clock = clock
        # The window shown is the policy's in force (its days for no category in particular).
        self.policies = policies

    async def get(self, order_id: str, actor: Actor) -> OrderView:
        with asking_the_order_system():
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
        with asking_the_order_system():
            orders = await self.orders.orders_of_customer(customer_id)
        return await self._views(orders)

    async def _views(self, orders: list[Order]) -> list[OrderView]:
        now = self.clock.now()
        window = (await self.policies.current()).rules.window()
        views = []
        async with self.uow:
            for order in orders:
                taken, shipping_taken = await self.uow.refunds.units_taken(order.id)
                views.append(
                    OrderView(
                        order,
                        taken,
                        shipping_taken,
                        # No case yet: as a case about a parcel that never came would see it.
                        window.window_of(order, now, category=None),
                        compensation_of(order, await self.uow.refunds.of_order(order.id)),
                    )
                )
        return views
