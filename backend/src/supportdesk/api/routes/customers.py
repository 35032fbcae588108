"""Customers as staff see them: who they are and how their orders went."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from supportdesk.api.deps import CustomerServiceDep, RefundServiceDep, StaffActor
from supportdesk.api.openapi import problems
from supportdesk.api.presenters import customer_profile_out
from supportdesk.api.schemas import CustomerOut

router = APIRouter(tags=["customers"])

# As long as a customer id may be anywhere else (filters, the order system's contract).
CustomerId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerOut,
    summary="A customer: contact, orders, cases, refunds, figures and flags (staff only)",
    responses=problems(403, 404, 422, 503),
)
async def get_customer(
    customer_id: CustomerId,
    actor: StaffActor,
    customers: CustomerServiceDep,
    refunds: RefundServiceDep,
) -> CustomerOut:
    profile = await customers.profile(customer_id, actor)
    return customer_profile_out(
        profile, actor, await refunds.in_force(), refunds.clock.now(), await refunds.reason_labels()
    )
