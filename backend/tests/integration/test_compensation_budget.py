"""No sequence of refunds of units and of amounts, settlements, rejections and cancellations,
run one after another or several at once, ever gives a customer back more than they paid for
the order: one compensation budget per order, kept under the order's lock, on SQLite and on
PostgreSQL (the PostgreSQL pass runs this file against a real server).

Each example works on an order of its own (the order system here is a stand-in that knows any
order id as a copy of ORD-1001), so examples never share a budget; the database, the unit of
work, the locks and the use cases are the real ones."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.application.cases import CaseService, OpenCase
from supportdesk.application.refunds import AmountRefundRequest, RefundRequest, RefundService
from supportdesk.bootstrap import Container
from supportdesk.devdata.demo import demo_orders
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.cases import Category
from supportdesk.domain.errors import DomainError
from supportdesk.domain.orders import Order
from supportdesk.domain.refunds import (
    RefundStatus,
    RequestedItem,
    Settlement,
    SettlementType,
    compensation_of,
)

ALICE = Actor(id="usr_alice_budget", role=Role.CUSTOMER, customer_id="CUST-1001")
BOB = Actor(id="usr_bob_budget", role=Role.AGENT)
SAM = Actor(id="usr_sam_budget", role=Role.SUPERVISOR)
TEMPLATE = next(o for o in demo_orders(datetime.now(UTC)) if o.id == "ORD-1001")
_numbers = itertools.count()


class AnyOrder:
    """The order system, knowing every order id as a copy of ORD-1001 (€145.12 paid)."""

    async def get_order(self, order_id: str) -> Order | None:
        return replace(TEMPLATE, id=order_id, payment_reference=f"pay_{order_id}")

    async def orders_of_customer(self, customer_id: str) -> list[Order]:
        return []

    async def ping(self) -> bool:
        return True


# One step: a few operations at once. Refund operations name a refund by its index among those
# the example has made so far (modulo how many there are).
units = st.tuples(st.just("units"), st.sampled_from(["L1", "L2"]), st.integers(1, 3))
amount = st.tuples(st.just("amount"), st.integers(1, 16000))
decision = st.tuples(st.sampled_from(["approve", "reject", "cancel"]), st.integers(0, 9))
settle = st.tuples(st.just("settle"), st.integers(0, 9), st.integers(0, 16000))
operation = st.one_of(units, amount, decision, settle)
steps = st.lists(st.lists(operation, min_size=1, max_size=3), min_size=1, max_size=5)


async def run(
    container: Container, orders: AnyOrder, case_id: str, refunds: list[str], op: tuple[Any, ...]
) -> None:
    service = RefundService(
        container.uow(),
        orders,
        container.integrations.gateway,
        container.clock,
        container.refund_policy,
        reads=container.reads(),
    )
    kind = op[0]
    try:
        if kind == "units":
            request = RefundRequest(items=[RequestedItem(op[1], op[2])], reason="broken")
            refunds.append((await service.request(case_id, request, ALICE)).id)
        elif kind == "amount":
            given = AmountRefundRequest(amount=op[1], reason_code="goodwill")
            refunds.append((await service.request(case_id, given, BOB)).id)
        elif refunds:
            refund_id = refunds[op[1] % len(refunds)]
            if kind == "approve":
                await service.approve(refund_id, SAM, note=None, expected_version=None)
            elif kind == "reject":
                await service.reject(refund_id, BOB, reason="no", expected_version=None)
            elif kind == "cancel":
                await service.cancel(refund_id, ALICE, expected_version=None)
            else:
                settlement = Settlement(SettlementType.STORE_CREDIT, op[2], "agreed")
                await service.settle(refund_id, settlement, SAM, expected_version=None)
    except DomainError:
        pass  # refused (more than remains, a status that does not allow it, a conflict): fine


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_no_sequence_of_refunds_and_settlements_gives_back_more_than_was_paid(
    container: Container,
) -> None:
    orders = AnyOrder()
    cases = CaseService(container.uow(), orders, container.clock, reads=container.reads())

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=steps)
    def example(steps: list[list[tuple[Any, ...]]]) -> None:
        async def body() -> None:
            order_id = f"ORD-H{next(_numbers)}"
            case = await cases.open(
                OpenCase(order_id, "Budget", "Several refunds", Category.DAMAGED_ITEM), ALICE
            )
            refunds: list[str] = []
            for step in steps:
                await asyncio.gather(*(run(container, orders, case.id, refunds, op) for op in step))
                async with container.reads() as reads:
                    stored = await reads.refunds.of_order(order_id)
                budget = compensation_of(TEMPLATE, stored)
                assert budget.out + budget.held <= TEMPLATE.gross, (steps, stored)
                given_back = sum(
                    (r.settlement.amount if r.settlement else 0)
                    if r.status is RefundStatus.SETTLED
                    else r.total_amount
                    for r in stored
                    if r.status not in (RefundStatus.REJECTED, RefundStatus.CANCELLED)
                )
                assert given_back <= TEMPLATE.gross

        asyncio.run_coroutine_threadsafe(body(), loop).result()

    loop = asyncio.get_running_loop()
    # Hypothesis drives the examples synchronously; each runs on this test's loop (where the
    # container's engines live), from a worker thread, so the loop stays free to run it.
    await asyncio.to_thread(example)
