"""Orders from the shop's order system, with what is still refundable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from supportdesk.api.deps import CurrentActor, OrderServiceDep
from supportdesk.api.openapi import problems
from supportdesk.api.presenters import order_out
from supportdesk.api.schemas import OrderOut

router = APIRouter(tags=["orders"])


@router.get(
    "/orders",
    response_model=list[OrderOut],
    summary="A customer's orders",
)
async def list_orders(
    actor: CurrentActor,
    orders: OrderServiceDep,
    customer_id: Annotated[str | None, Query(max_length=64, description="staff only")] = None,
) -> list[OrderOut]:
    views = await orders.of_customer(actor, customer_id)
    return [order_out(view) for view in views]


@router.get(
    "/orders/{order_id}", response_model=OrderOut, summary="One order", responses=problems(404)
)
async def get_order(order_id: str, actor: CurrentActor, orders: OrderServiceDep) -> OrderOut:
    return order_out(await orders.get(order_id, actor))
