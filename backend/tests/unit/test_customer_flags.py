"""A customer's figures and flags: the rule that tells staff a customer's refunds are
unusual for the shop (docs/customers.md), without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.customers import FlagPolicy, flags_for, returned_amount, totals_of
from supportdesk.domain.money import LineRefund
from supportdesk.domain.orders import Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.refunds import (
    Refund,
    RefundCalculation,
    RefundStatus,
    Settlement,
    SettlementType,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
AGENT = Actor(id="usr_bob", role=Role.AGENT)
POLICY = FlagPolicy(most_refunds=3, most_share_percent=30)


def an_order(*, gross: int = 10000, days_ago: int = 10, currency: str = "EUR") -> Order:
    return Order(
        id=f"ORD-{days_ago}-{gross}",
        customer_id="CUST-1",
        currency=currency,
        status=OrderStatus.DELIVERED,
        placed_at=NOW - timedelta(days=days_ago),
        shipped_at=None,
        delivered_at=NOW - timedelta(days=days_ago),
        payment_reference="pi_x",
        lines=(OrderLine("L1", "SKU", "Thing", 1, gross, 0, 0),),
        shipping=Shipping(0, 0),
    )


def a_refund(
    *,
    amount: int = 1000,
    days_ago: int = 5,
    status: RefundStatus = RefundStatus.REQUESTED,
    settled: int | None = None,
    currency: str = "EUR",
) -> Refund:
    at = NOW - timedelta(days=days_ago)
    return Refund(
        id=f"rf_{days_ago}_{amount}_{status}",
        support_case_id="case_1",
        order_id="ORD-1",
        customer_id="CUST-1",
        payment_reference="pi_x",
        delivered_at=at,
        status=status,
        calculation=RefundCalculation(
            currency=currency,
            items=(LineRefund("L1", "SKU", "Thing", 1, (amount,)),),
            include_shipping=False,
            shipping_amount=0,
        ),
        reason="broken",
        version=1,
        created_at=at,
        updated_at=at,
        settlement=None
        if settled is None
        else Settlement(type=SettlementType.VOUCHER, amount=settled, note="voucher"),
    )


def codes(orders: list[Order], refunds: list[Refund], policy: FlagPolicy = POLICY) -> list[str]:
    return [f.code for f in flags_for(totals_of(orders, refunds, now=NOW), policy)]


class TestTotals:
    def test_refunded_and_settled_are_what_was_paid_back_and_agreed_all_time(self) -> None:
        refunds = [
            a_refund(amount=1500, status=RefundStatus.REFUNDED, days_ago=400),
            a_refund(amount=2000, status=RefundStatus.SETTLED, settled=700),
            a_refund(amount=900, status=RefundStatus.REQUESTED),
        ]

        totals = totals_of([an_order()], refunds, now=NOW)

        assert (totals.refunded, totals.settled) == (1500, 700)

    def test_refunds_cancelled_or_rejected_count_for_nothing(self) -> None:
        refunds = [
            a_refund(status=RefundStatus.CANCELLED),
            a_refund(status=RefundStatus.REJECTED),
        ]

        totals = totals_of([an_order()], refunds, now=NOW)

        assert (totals.count_90d, totals.returned_90d) == (0, 0)
        assert all(returned_amount(r) == 0 for r in refunds)

    def test_the_90_day_window_leaves_older_orders_and_refunds_out(self) -> None:
        orders = [an_order(gross=5000, days_ago=10), an_order(gross=8000, days_ago=91)]
        refunds = [a_refund(amount=1000, days_ago=89), a_refund(amount=3000, days_ago=95)]

        totals = totals_of(orders, refunds, now=NOW)

        assert (totals.spent_90d, totals.returned_90d, totals.count_90d) == (5000, 1000, 1)
        assert (totals.spent_12m, totals.returned_12m) == (13000, 4000)

    def test_the_12_month_rate_is_what_came_back_of_what_was_spent(self) -> None:
        totals = totals_of([an_order(gross=8000)], [a_refund(amount=1000)], now=NOW)

        assert totals.refund_rate_12m_percent == 12.5

    def test_without_spending_there_is_no_rate(self) -> None:
        totals = totals_of([], [a_refund(amount=1000, days_ago=10)], now=NOW)

        assert totals.refund_rate_12m_percent is None

    def test_sums_keep_to_one_currency_the_one_of_most_orders(self) -> None:
        orders = [an_order(gross=5000), an_order(gross=6000, days_ago=11), an_order(currency="GBP")]
        refunds = [a_refund(amount=1000), a_refund(amount=99999, currency="GBP")]

        totals = totals_of(orders, refunds, now=NOW)

        assert (totals.currency, totals.spent_90d, totals.returned_90d) == ("EUR", 11000, 1000)


class TestFlags:
    def test_a_customer_with_few_small_refunds_is_not_flagged(self) -> None:
        assert codes([an_order(gross=10000)], [a_refund(amount=1000)] * 3) == []

    def test_more_refunds_than_the_limit_in_90_days_is_flagged_with_the_rule_in_words(
        self,
    ) -> None:
        refunds = [replace(a_refund(amount=100), id=f"rf_{i}") for i in range(4)]

        [flag] = flags_for(totals_of([an_order(gross=100000)], refunds, now=NOW), POLICY)

        assert flag.code == "many_refunds"
        assert flag.explanation == (
            "4 refunds asked for in the last 90 days (the shop flags more than 3)"
        )

    def test_exactly_the_limit_is_not_flagged(self) -> None:
        assert codes([an_order(gross=100000)], [a_refund(amount=100)] * 3) == []

    def test_more_than_the_share_of_spending_coming_back_is_flagged(self) -> None:
        [flag] = flags_for(
            totals_of([an_order(gross=10000)], [a_refund(amount=3001)], now=NOW), POLICY
        )

        assert flag.code == "high_refund_share"
        assert "30.01 EUR of 100.00 EUR" in flag.explanation
        assert "more than 30 %" in flag.explanation

    def test_exactly_the_share_is_not_flagged(self) -> None:
        assert codes([an_order(gross=10000)], [a_refund(amount=3000)]) == []

    def test_a_settlement_counts_its_agreed_amount_not_the_refunds_total(self) -> None:
        settled = a_refund(amount=9000, status=RefundStatus.SETTLED, settled=1000)

        assert codes([an_order(gross=10000)], [settled]) == []

    def test_refunds_of_older_orders_alone_raise_no_share_flag(self) -> None:
        assert codes([an_order(gross=10000, days_ago=200)], [a_refund(amount=9000)]) == []

    def test_the_thresholds_are_the_policys(self) -> None:
        lenient = FlagPolicy(most_refunds=10, most_share_percent=95)
        strict = FlagPolicy(most_refunds=0, most_share_percent=0)
        figures = ([an_order(gross=10000)], [a_refund(amount=5000)])

        assert codes(*figures, policy=lenient) == []
        assert codes(*figures, policy=strict) == ["many_refunds", "high_refund_share"]

    @given(
        spent=st.integers(min_value=1, max_value=10**9),
        returned=st.integers(min_value=0, max_value=10**9),
        percent=st.integers(min_value=0, max_value=100),
    )
    def test_the_share_flag_is_exactly_returned_over_spent_above_the_percentage(
        self, spent: int, returned: int, percent: int
    ) -> None:
        orders = [an_order(gross=spent)]
        refunds = [a_refund(amount=returned)] if returned else []
        policy = FlagPolicy(most_refunds=10, most_share_percent=percent)

        flagged = "high_refund_share" in codes(orders, refunds, policy)

        assert flagged == (returned * 100 > percent * spent)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RefundStatus.REQUESTED, 1000),
        (RefundStatus.APPROVED, 1000),
        (RefundStatus.PROCESSING, 1000),
        (RefundStatus.FAILED, 1000),
        (RefundStatus.REFUNDED, 1000),
        (RefundStatus.REJECTED, 0),
        (RefundStatus.CANCELLED, 0),
    ],
)
def test_what_a_refund_gives_back_by_its_status(status: RefundStatus, expected: int) -> None:
    assert returned_amount(a_refund(amount=1000, status=status)) == expected
