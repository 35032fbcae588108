"""SPEC section 3: money and the refund amount, on integer minor units."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.domain.errors import RefundQuantityExceeded, ValidationFailed
from supportdesk.domain.money import refund_line, split_over_units
from supportdesk.domain.orders import Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.refunds import RefundCalculation, RequestedItem, calculate_refund

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make_line(**overrides: Any) -> OrderLine:
    """The demo USB-C cable line: 3 x 999, discount 300, tax 512 (gross 3209)."""
    values: dict[str, Any] = {
        "line_id": "L2",
        "sku": "CBL-2",
        "name": "USB-C Cable",
        "quantity": 3,
        "unit_price": 999,
        "discount": 300,
        "tax": 512,
    }
    values.update(overrides)
    return OrderLine(**values)


def make_order(**overrides: Any) -> Order:
    """The demo order ORD-1001: headphones, three cables and shipping 499 + 95."""
    values: dict[str, Any] = {
        "id": "ORD-1001",
        "customer_id": "CUST-1001",
        "currency": "EUR",
        "status": OrderStatus.DELIVERED,
        "placed_at": NOW,
        "shipped_at": NOW,
        "delivered_at": NOW,
        "payment_reference": "pi_demo_1001",
        "lines": (
            make_line(
                line_id="L1",
                sku="HP-100",
                name="Wireless Headphones",
                quantity=1,
                unit_price=8999,
                discount=0,
                tax=1710,
            ),
            make_line(),
        ),
        "shipping": Shipping(amount=499, tax=95),
    }
    values.update(overrides)
    return Order(**values)


def calculate(
    order: Order | None = None,
    items: list[RequestedItem] | None = None,
    *,
    units_taken: dict[str, int] | None = None,
    shipping_taken: bool = False,
    include_shipping: bool = False,
) -> RefundCalculation:
    return calculate_refund(
        order if order is not None else make_order(),
        items if items is not None else [RequestedItem("L2", 1)],
        units_taken=units_taken or {},
        shipping_taken=shipping_taken,
        include_shipping=include_shipping,
    )


@st.composite
def order_lines(draw: st.DrawFn, line_id: str = "L1") -> OrderLine:
    quantity = draw(st.integers(1, 50))
    unit_price = draw(st.integers(0, 10**6))
    discount = draw(st.integers(0, quantity * unit_price))
    tax = draw(st.integers(0, 10**6))
    return make_line(
        line_id=line_id, quantity=quantity, unit_price=unit_price, discount=discount, tax=tax
    )


@st.composite
def lines_with_refund_quantities(draw: st.DrawFn) -> tuple[OrderLine, list[int]]:
    """A line and the quantities of a sequence of refunds that consume its units in order
    (possibly leaving some units unrefunded)."""
    line = draw(order_lines())
    quantities: list[int] = []
    left = line.quantity
    while left > 0 and (not quantities or draw(st.booleans())):
        quantity = draw(st.integers(1, left))
        quantities.append(quantity)
        left -= quantity
    return line, quantities


def refund_everything(line: OrderLine, quantities: list[int]) -> list[int]:
    """Refund ``quantities`` of the line one refund after the other; the amounts returned."""
    amounts = []
    taken = 0
    for quantity in quantities:
        amounts.append(refund_line(line, taken, quantity).amount)
        taken += quantity
    return amounts


def in_chunks(total: int, chunks: list[int]) -> list[int]:
    """Cut ``total`` units into the drawn chunk sizes, the last chunk taking the rest."""
    quantities = []
    left = total
    for chunk in chunks:
        if left == 0:
            break
        quantity = min(chunk, left)
        quantities.append(quantity)
        left -= quantity
    if left:
        quantities.append(left)
    return quantities


class TestSplittingALineOverItsUnits:
    def test_the_first_units_take_the_extra_cents(self) -> None:
        assert split_over_units(3209, 3) == (1070, 1070, 1069)

    def test_an_even_gross_splits_into_equal_parts(self) -> None:
        assert split_over_units(3000, 3) == (1000, 1000, 1000)

    def test_a_gross_smaller_than_the_units_gives_single_cents_to_the_first_units(self) -> None:
        assert split_over_units(2, 4) == (1, 1, 0, 0)

    def test_a_line_without_units_is_refused(self) -> None:
        with pytest.raises(ValueError):
            split_over_units(100, 0)

    def test_a_negative_gross_is_refused(self) -> None:
        with pytest.raises(ValueError):
            split_over_units(-1, 1)

    @settings(deadline=None)
    @given(gross=st.integers(0, 10**8), units=st.integers(1, 50))
    def test_parts_are_non_negative_non_increasing_differ_by_at_most_one_and_sum_to_gross(
        self, gross: int, units: int
    ) -> None:
        parts = split_over_units(gross, units)

        assert len(parts) == units
        assert sum(parts) == gross
        assert all(part >= 0 for part in parts)
        assert max(parts) - min(parts) <= 1
        assert list(parts) == sorted(parts, reverse=True)

    @settings(deadline=None)
    @given(line=order_lines())
    def test_every_line_splits_into_parts_that_sum_to_its_gross(self, line: OrderLine) -> None:
        parts = split_over_units(line.gross, line.quantity)

        assert sum(parts) == line.gross
        assert all(part >= 0 for part in parts)
        assert max(parts) - min(parts) <= 1
        assert list(parts) == sorted(parts, reverse=True)


class TestRefundingUnitsOfALine:
    def test_the_demo_cable_line_has_a_gross_of_3209(self) -> None:
        assert make_line().gross == 3 * 999 - 300 + 512 == 3209

    def test_two_units_of_the_demo_cable_return_2140(self) -> None:
        refund = refund_line(make_line(), already_taken=0, quantity=2)

        assert refund.parts == (1070, 1070)
        assert refund.amount == 2140
        assert (refund.line_id, refund.sku, refund.quantity) == ("L2", "CBL-2", 2)

    def test_the_last_unit_after_two_refunded_returns_the_smallest_part(self) -> None:
        assert refund_line(make_line(), already_taken=2, quantity=1).amount == 1069

    def test_refunding_the_cable_one_unit_at_a_time_returns_exactly_its_gross(self) -> None:
        assert refund_everything(make_line(), [1, 1, 1]) == [1070, 1070, 1069]

    @pytest.mark.parametrize(
        ("already_taken", "quantity"), [(0, 0), (0, -1), (-1, 1), (0, 4), (2, 2), (3, 1)]
    )
    def test_a_quantity_outside_the_remaining_units_is_refused(
        self, already_taken: int, quantity: int
    ) -> None:
        with pytest.raises(ValueError):
            refund_line(make_line(), already_taken=already_taken, quantity=quantity)

    @settings(deadline=None)
    @given(case=lines_with_refund_quantities())
    def test_no_sequence_of_refunds_ever_returns_more_than_the_line_gross(
        self, case: tuple[OrderLine, list[int]]
    ) -> None:
        line, quantities = case
        returned = 0
        for amount in refund_everything(line, quantities):
            assert amount >= 0
            returned += amount
            assert returned <= line.gross

    @settings(deadline=None)
    @given(line=order_lines(), chunks=st.lists(st.integers(1, 50), max_size=50))
    def test_refunding_every_unit_returns_exactly_the_line_gross(
        self, line: OrderLine, chunks: list[int]
    ) -> None:
        quantities = in_chunks(line.quantity, chunks)

        assert sum(quantities) == line.quantity
        assert sum(refund_everything(line, quantities)) == line.gross

    @settings(deadline=None)
    @given(case=lines_with_refund_quantities())
    def test_each_refund_takes_the_parts_right_after_the_units_already_taken(
        self, case: tuple[OrderLine, list[int]]
    ) -> None:
        line, quantities = case
        parts = split_over_units(line.gross, line.quantity)
        taken = 0
        for quantity in quantities:
            refund = refund_line(line, taken, quantity)
            assert refund.parts == parts[taken : taken + quantity]
            assert all(part >= 0 for part in refund.parts)
            assert max(refund.parts) - min(refund.parts) <= 1
            assert list(refund.parts) == sorted(refund.parts, reverse=True)
            taken += quantity


class TestCalculatingARefund:
    def test_two_cables_and_the_headphones_make_the_breakdown(self) -> None:
        calculation = calculate(items=[RequestedItem("L1", 1), RequestedItem("L2", 2)])

        assert [(item.line_id, item.quantity, item.parts) for item in calculation.items] == [
            ("L1", 1, (10709,)),
            ("L2", 2, (1070, 1070)),
        ]
        assert calculation.shipping_amount == 0
        assert calculation.total_amount == 10709 + 2140
        assert calculation.currency == "EUR"

    def test_units_already_taken_move_the_refund_to_the_later_parts(self) -> None:
        calculation = calculate(items=[RequestedItem("L2", 1)], units_taken={"L2": 2})

        assert calculation.items[0].parts == (1069,)
        assert calculation.total_amount == 1069

    @settings(deadline=None)
    @given(
        lines=st.lists(order_lines(), min_size=1, max_size=5),
        data=st.data(),
        shipping_amount=st.integers(0, 10**5),
        shipping_tax=st.integers(0, 10**5),
        include_shipping=st.booleans(),
    )
    def test_the_breakdown_always_sums_to_the_total_amount(
        self,
        lines: list[OrderLine],
        data: st.DataObject,
        shipping_amount: int,
        shipping_tax: int,
        include_shipping: bool,
    ) -> None:
        lines = [
            make_line(
                line_id=f"L{index}",
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax=line.tax,
            )
            for index, line in enumerate(lines, start=1)
        ]
        order = make_order(
            lines=tuple(lines), shipping=Shipping(amount=shipping_amount, tax=shipping_tax)
        )
        units_taken: dict[str, int] = {}
        requested: list[RequestedItem] = []
        for line in lines:
            taken = data.draw(st.integers(0, line.quantity - 1))
            units_taken[line.line_id] = taken
            requested.append(
                RequestedItem(line.line_id, data.draw(st.integers(1, line.quantity - taken)))
            )

        calculation = calculate(
            order,
            requested,
            units_taken=units_taken,
            shipping_taken=False,
            include_shipping=include_shipping,
        )

        expected_shipping = shipping_amount + shipping_tax if include_shipping else 0
        assert calculation.shipping_amount == expected_shipping
        assert calculation.total_amount == (
            sum(sum(item.parts) for item in calculation.items) + expected_shipping
        )
        for item, asked in zip(calculation.items, requested, strict=True):
            assert (item.line_id, item.quantity, len(item.parts)) == (
                asked.line_id,
                asked.quantity,
                asked.quantity,
            )
            assert item.amount == sum(item.parts)


class TestShippingIsRefundedAtMostOncePerOrder:
    def test_shipping_is_added_only_when_asked_for(self) -> None:
        assert calculate(include_shipping=False).shipping_amount == 0
        assert calculate(include_shipping=True).shipping_amount == 499 + 95

    def test_shipping_is_part_of_the_total_when_included(self) -> None:
        assert calculate(include_shipping=True).total_amount == 1070 + 594

    def test_including_shipping_a_second_time_is_refused_on_include_shipping(self) -> None:
        with pytest.raises(ValidationFailed) as raised:
            calculate(include_shipping=True, shipping_taken=True)

        assert raised.value.field == "include_shipping"

    def test_a_refund_without_shipping_is_fine_after_shipping_was_taken(self) -> None:
        calculation = calculate(include_shipping=False, shipping_taken=True)

        assert calculation.shipping_amount == 0
        assert calculation.include_shipping is False


class TestQuantityBeyondWhatIsRefundable:
    def test_more_units_than_the_line_has_are_refused_on_the_item_quantity(self) -> None:
        with pytest.raises(RefundQuantityExceeded) as raised:
            calculate(items=[RequestedItem("L2", 4)])

        assert raised.value.field == "items.0.quantity"
        assert raised.value.context["refundable_quantity"] == 3

    def test_units_held_by_other_refunds_are_not_refundable_again(self) -> None:
        with pytest.raises(RefundQuantityExceeded) as raised:
            calculate(items=[RequestedItem("L1", 1), RequestedItem("L2", 2)], units_taken={"L2": 2})

        assert raised.value.field == "items.1.quantity"
        assert raised.value.context["refundable_quantity"] == 1

    def test_a_fully_refunded_line_has_nothing_left(self) -> None:
        with pytest.raises(RefundQuantityExceeded) as raised:
            calculate(items=[RequestedItem("L1", 1)], units_taken={"L1": 1})

        assert raised.value.field == "items.0.quantity"
        assert raised.value.context["refundable_quantity"] == 0


class TestInvalidRefundItems:
    def test_an_unknown_line_is_refused_on_its_line_id(self) -> None:
        with pytest.raises(ValidationFailed) as raised:
            calculate(items=[RequestedItem("L2", 1), RequestedItem("L9", 1)])

        assert type(raised.value) is ValidationFailed
        assert raised.value.field == "items.1.line_id"

    def test_a_line_named_twice_is_refused_on_the_second_line_id(self) -> None:
        with pytest.raises(ValidationFailed) as raised:
            calculate(items=[RequestedItem("L2", 1), RequestedItem("L2", 1)])

        assert type(raised.value) is ValidationFailed
        assert raised.value.field == "items.1.line_id"

    def test_a_request_without_items_is_refused_on_items(self) -> None:
        with pytest.raises(ValidationFailed) as raised:
            calculate(items=[])

        assert type(raised.value) is ValidationFailed
        assert raised.value.field == "items"

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_a_quantity_below_one_is_refused_on_the_item_quantity(self, quantity: int) -> None:
        with pytest.raises(ValidationFailed) as raised:
            calculate(items=[RequestedItem("L1", 1), RequestedItem("L2", quantity)])

        assert type(raised.value) is ValidationFailed
        assert raised.value.field == "items.1.quantity"


class TestFormatAmount:
    @pytest.mark.parametrize(
        ("amount", "currency", "text"),
        [
            (2140, "EUR", "21.40 EUR"),
            (5, "EUR", "0.05 EUR"),
            (1500, "JPY", "1500 JPY"),
            (12345, "KWD", "12.345 KWD"),
            (-250, "USD", "-2.50 USD"),
        ],
    )
    def test_minor_units_are_shown_in_the_currencys_own_decimals(
        self, amount: int, currency: str, text: str
    ) -> None:
        from supportdesk.domain.money import format_amount

        assert format_amount(amount, currency) == text
