"""SPEC section 4: the 14-day refund window after delivery, inclusive, on aware times; and
issue 18's windows of orders that never arrived (not shipped, lost in transit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from supportdesk.domain.cases import Category
from supportdesk.domain.orders import Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.window import (
    RefundWindow,
    RefundWindowPolicy,
    WindowBasis,
    outside_because,
    window_basis,
)

DELIVERED_AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
FOURTEEN_DAYS = timedelta(days=14)
SECOND = timedelta(seconds=1)
INDIA = timezone(timedelta(hours=5, minutes=30))
PACIFIC = timezone(timedelta(hours=-8))


def make_policy(*, days: int = 14) -> RefundWindowPolicy:
    return RefundWindowPolicy(days=days)


class TestTheWindowAfterDelivery:
    def test_fourteen_days_minus_a_second_after_delivery_is_open(self) -> None:
        window = make_policy().window_for(DELIVERED_AT, DELIVERED_AT + FOURTEEN_DAYS - SECOND)

        assert window.open is True

    def test_exactly_fourteen_days_after_delivery_is_still_open(self) -> None:
        window = make_policy().window_for(DELIVERED_AT, DELIVERED_AT + FOURTEEN_DAYS)

        assert window.open is True

    def test_fourteen_days_plus_a_second_after_delivery_is_closed(self) -> None:
        window = make_policy().window_for(DELIVERED_AT, DELIVERED_AT + FOURTEEN_DAYS + SECOND)

        assert window.open is False

    def test_the_moment_of_delivery_is_inside_the_window(self) -> None:
        assert make_policy().window_for(DELIVERED_AT, DELIVERED_AT).open is True

    def test_the_window_records_delivery_and_closing_time(self) -> None:
        window = make_policy().window_for(DELIVERED_AT, DELIVERED_AT + timedelta(days=3))

        assert window.delivered_at == DELIVERED_AT
        assert window.closes_at == DELIVERED_AT + FOURTEEN_DAYS

    def test_the_configured_number_of_days_sets_the_window(self) -> None:
        policy = make_policy(days=30)

        assert policy.window_for(DELIVERED_AT, DELIVERED_AT + timedelta(days=30)).open is True
        assert policy.window_for(DELIVERED_AT, DELIVERED_AT + timedelta(days=31)).open is False

    def test_the_demo_order_delivered_20_days_ago_is_outside(self) -> None:
        now = DELIVERED_AT + timedelta(days=20)

        assert make_policy().window_for(DELIVERED_AT, now).open is False

    def test_the_demo_order_delivered_13_days_22_hours_ago_is_inside(self) -> None:
        now = DELIVERED_AT + timedelta(days=13, hours=22)

        assert make_policy().window_for(DELIVERED_AT, now).open is True


class TestAnOrderThatIsNotDelivered:
    def test_an_undelivered_order_is_outside_the_window_with_no_closing_time(self) -> None:
        window = make_policy().window_for(None, DELIVERED_AT)

        assert window.open is False
        assert window.delivered_at is None
        assert window.closes_at is None


class TestTimeZones:
    @pytest.mark.parametrize("zone", [INDIA, PACIFIC, UTC], ids=["+05:30", "-08:00", "UTC"])
    @pytest.mark.parametrize(
        ("after_delivery", "expected_open"),
        [
            (FOURTEEN_DAYS - SECOND, True),
            (FOURTEEN_DAYS, True),
            (FOURTEEN_DAYS + SECOND, False),
        ],
        ids=["minus-a-second", "exactly", "plus-a-second"],
    )
    def test_the_same_instant_in_another_zone_gives_the_same_answer(
        self, zone: timezone, after_delivery: timedelta, expected_open: bool
    ) -> None:
        delivered_elsewhere = DELIVERED_AT.astimezone(zone)
        now_utc = DELIVERED_AT + after_delivery

        window = make_policy().window_for(delivered_elsewhere, now_utc)

        assert delivered_elsewhere == DELIVERED_AT
        assert window.open is expected_open
        assert window.closes_at == DELIVERED_AT + FOURTEEN_DAYS

    def test_a_local_wall_clock_that_looks_inside_does_not_extend_the_window(self) -> None:
        # 09:30 UTC is 01:30 in -08:00: the local date is a day "earlier" but the instant is
        # the same, so 14 days and a second later (UTC) is closed.
        delivered_pacific = datetime(2026, 11, 1, 1, 30, tzinfo=PACIFIC)

        window = make_policy().window_for(delivered_pacific, DELIVERED_AT + FOURTEEN_DAYS + SECOND)

        assert window.open is False

    def test_now_in_another_zone_is_compared_as_an_instant(self) -> None:
        now_india = (DELIVERED_AT + FOURTEEN_DAYS).astimezone(INDIA)

        assert make_policy().window_for(DELIVERED_AT, now_india).open is True
        assert make_policy().window_for(DELIVERED_AT, now_india + SECOND).open is False


class TestNaiveTimesAreRejected:
    def test_a_naive_delivery_time_is_rejected(self) -> None:
        with pytest.raises(ValueError):
            make_policy().window_for(DELIVERED_AT.replace(tzinfo=None), DELIVERED_AT)

    def test_a_naive_now_is_rejected(self) -> None:
        with pytest.raises(ValueError):
            make_policy().window_for(DELIVERED_AT, DELIVERED_AT.replace(tzinfo=None))


# Issue 18 part 4: orders that never arrived.
SHIPPED_AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TEN_DAYS = timedelta(days=10)
LOST_AT = SHIPPED_AT + TEN_DAYS


def make_order(
    status: OrderStatus = OrderStatus.SHIPPED,
    *,
    shipped_at: datetime | None = SHIPPED_AT,
    delivered_at: datetime | None = None,
) -> Order:
    return Order(
        id="ORD-1003",
        customer_id="CUST-1001",
        currency="EUR",
        status=status,
        placed_at=SHIPPED_AT - timedelta(days=1),
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        payment_reference="pi_demo_ord1003",
        lines=(OrderLine("L1", "LMP-3", "Desk Lamp", 2, 2500, 0, 950),),
        shipping=Shipping(0, 0),
    )


def lost_window(now: datetime, category: Category | None = Category.NOT_DELIVERED) -> RefundWindow:
    return make_policy().window_of(make_order(), now, category=category)


class TestAParcelLostInTransit:
    @pytest.mark.parametrize(
        ("after_shipping", "expected_open"),
        [(TEN_DAYS - SECOND, False), (TEN_DAYS, False), (TEN_DAYS + SECOND, True)],
        ids=["minus-a-second", "exactly", "plus-a-second"],
    )
    def test_it_counts_as_lost_only_more_than_ten_days_after_shipping(
        self, after_shipping: timedelta, expected_open: bool
    ) -> None:
        window = lost_window(SHIPPED_AT + after_shipping)

        assert window.basis is WindowBasis.LOST_IN_TRANSIT
        assert window.open is expected_open
        assert window.opens_at == LOST_AT

    @pytest.mark.parametrize(
        ("after_lost", "expected_open"),
        [(FOURTEEN_DAYS - SECOND, True), (FOURTEEN_DAYS, True), (FOURTEEN_DAYS + SECOND, False)],
        ids=["minus-a-second", "exactly", "plus-a-second"],
    )
    def test_it_may_be_refunded_for_the_window_days_from_the_moment_it_counts_as_lost(
        self, after_lost: timedelta, expected_open: bool
    ) -> None:
        window = lost_window(LOST_AT + after_lost)

        assert window.open is expected_open
        assert window.closes_at == LOST_AT + FOURTEEN_DAYS

    def test_a_parcel_shipped_a_day_ago_is_outside_and_says_when_it_counts_as_lost(self) -> None:
        window = lost_window(SHIPPED_AT + timedelta(days=1))

        assert (window.open, window.basis) == (False, WindowBasis.LOST_IN_TRANSIT)
        assert (window.shipped_at, window.opens_at) == (SHIPPED_AT, LOST_AT)
        assert window.delivered_at is None
        assert outside_because(window) == (
            "the parcel shipped on 2026-11-01 09:30 UTC; it counts as lost in transit after "
            "10 days, on 2026-11-11 09:30 UTC, and may be refunded as lost until "
            "2026-11-25 09:30 UTC"
        )

    @pytest.mark.parametrize("category", [c for c in Category if c is not Category.NOT_DELIVERED])
    def test_only_a_case_about_an_order_not_delivered_is_refunded_as_lost(
        self, category: Category
    ) -> None:
        window = lost_window(SHIPPED_AT + timedelta(days=12), category)

        assert (window.open, window.basis) == (False, WindowBasis.NONE)
        assert window.shipped_at == SHIPPED_AT
        assert (window.opens_at, window.closes_at) == (None, None)
        assert "refunded as lost in transit in a case about an order not delivered" in (
            outside_because(window) or ""
        )

    def test_the_order_alone_is_judged_as_a_case_about_it_never_arriving(self) -> None:
        window = lost_window(SHIPPED_AT + timedelta(days=12), category=None)

        assert (window.open, window.basis) == (True, WindowBasis.LOST_IN_TRANSIT)

    def test_the_configured_days_set_when_a_parcel_counts_as_lost(self) -> None:
        policy = RefundWindowPolicy(days=14, lost_parcel_after_days=0)
        order = make_order()

        at_shipping = policy.window_of(order, SHIPPED_AT, category=Category.NOT_DELIVERED)
        after = policy.window_of(order, SHIPPED_AT + SECOND, category=Category.NOT_DELIVERED)

        assert (at_shipping.open, after.open) == (False, True)

    def test_an_order_cancelled_after_it_shipped_is_judged_by_the_same_rule(self) -> None:
        order = make_order(OrderStatus.CANCELLED)

        window = make_policy().window_of(order, LOST_AT + SECOND, category=Category.NOT_DELIVERED)

        assert (window.open, window.basis) == (True, WindowBasis.LOST_IN_TRANSIT)

    def test_a_parcel_that_arrives_after_all_is_judged_by_its_delivery(self) -> None:
        delivered_at = LOST_AT + timedelta(days=2)
        order = make_order(OrderStatus.DELIVERED, delivered_at=delivered_at)

        window = make_policy().window_of(order, delivered_at, category=Category.NOT_DELIVERED)

        assert (window.open, window.basis) == (True, WindowBasis.DELIVERED)
        assert window.closes_at == delivered_at + FOURTEEN_DAYS


class TestAnOrderNotShipped:
    @pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.CANCELLED])
    @pytest.mark.parametrize("category", list(Category))
    def test_it_is_refundable_as_a_cancellation_whatever_the_case_is_about(
        self, status: OrderStatus, category: Category
    ) -> None:
        order = make_order(status, shipped_at=None)

        window = make_policy().window_of(order, SHIPPED_AT + timedelta(days=400), category=category)

        assert (window.open, window.basis) == (True, WindowBasis.NOT_SHIPPED)
        assert (window.delivered_at, window.shipped_at, window.closes_at) == (None, None, None)
        assert outside_because(window) is None

    def test_once_it_ships_it_is_no_longer_a_cancellation(self) -> None:
        window = lost_window(SHIPPED_AT + SECOND)

        assert (window.open, window.basis) == (False, WindowBasis.LOST_IN_TRANSIT)


class TestTheBasisDoesNotChangeWithTime:
    @pytest.mark.parametrize("category", [None, *Category])
    @pytest.mark.parametrize(
        "order",
        [
            make_order(),
            make_order(OrderStatus.PLACED, shipped_at=None),
            make_order(OrderStatus.DELIVERED, delivered_at=LOST_AT),
        ],
        ids=["shipped", "placed", "delivered"],
    )
    def test_a_window_worked_out_again_from_its_basis_is_the_same(
        self, order: Order, category: Category | None
    ) -> None:
        policy = make_policy()
        basis = window_basis(order.shipped_at, order.delivered_at, category)

        for now in (SHIPPED_AT, LOST_AT, LOST_AT + SECOND, LOST_AT + timedelta(days=30)):
            again = policy.window_on(basis, order.shipped_at, order.delivered_at, now)
            assert again == policy.window_of(order, now, category=category)
