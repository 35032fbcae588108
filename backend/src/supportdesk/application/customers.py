"""A customer as staff see them: contact, orders, cases, refunds, figures and flags."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.application.orders import OrderService, OrderView
from supportdesk.application.ports import Clock, ReadQueries
from supportdesk.application.reads import CaseFilters
from supportdesk.domain.access import Actor
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.customers import CustomerTotals, Flag, FlagPolicy, flags_for, totals_of
from supportdesk.domain.errors import Forbidden, NotFound
from supportdesk.domain.orders import Customer
from supportdesk.domain.refunds import Refund

# The customer page lists this many of the newest cases; the figures count every refund.
CASES_SHOWN = 100


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    customer: Customer
    orders: list[OrderView]
    cases: list[tuple[SupportCase, list[Refund]]]
    refunds: list[Refund]
    totals: CustomerTotals
    flags: list[Flag]
    has_account: bool


class CustomerService:
    """Staff look up who a customer is and how their orders went."""

    def __init__(
        self, orders: OrderService, queries: ReadQueries, clock: Clock, policy: FlagPolicy
    ) -> None:
        self.orders = orders
        self.queries = queries
        self.clock = clock
        self.policy = policy

    async def profile(self, customer_id: str, actor: Actor) -> CustomerProfile:
        """Staff only: customers never see this page or these figures, not even their own
        (a customer's own orders, cases and refunds are theirs to list). The contact is
        what the order system says on the customer's orders, else what we last kept; a
        customer neither knows is unknown (404)."""
        if not actor.is_staff:
            raise Forbidden("customer profiles are for support staff")
        orders = await self.orders.of_customer(actor, customer_id)
        known = next((v.order.customer for v in orders if v.order.customer), None)
        customer = known or await self.queries.customer(customer_id)
        if customer is None:
            if not orders:
                raise NotFound(f"no customer '{customer_id}'")
            customer = Customer(id=customer_id, name="", email="")
        page = await self.queries.cases(
            actor, CaseFilters(customer_id=customer_id), limit=CASES_SHOWN, cursor=None
        )
        refunds = await self.queries.refunds_of_customer(customer_id)
        totals = totals_of([v.order for v in orders], refunds, now=self.clock.now())
        return CustomerProfile(
            customer=customer,
            orders=orders,
            cases=page.items,
            refunds=refunds,
            totals=totals,
            flags=flags_for(totals, self.policy),
            has_account=await self.queries.has_account(customer_id),
        )
