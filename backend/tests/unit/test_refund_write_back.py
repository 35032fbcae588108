"""Issue 16 (part 2): whether a refund's units go back in stock, and what the order system
is told once its money went back (docs/order-system.md, "Refunds written back")."""

from __future__ import annotations

import pytest

from supportdesk.domain.cases import Category, restock_by_default
from supportdesk.domain.errors import InvalidTransition
from supportdesk.domain.refunds import (
    RefundStatus,
    RequestedItem,
    WriteBackKind,
    WriteBackLine,
    write_back_of,
)
from tests.unit.test_refund_transitions import (
    NOW,
    make_actor,
    make_refund,
    make_settlement,
    make_window,
)


class TestRestockDefault:
    def test_a_return_is_restocked_by_default(self) -> None:
        assert restock_by_default(Category.RETURN_REFUND) is True

    @pytest.mark.parametrize("category", [c for c in Category if c is not Category.RETURN_REFUND])
    def test_no_other_category_is_restocked_by_default(self, category: Category) -> None:
        # A damaged item, one that never came, a billing question: nothing to put back.
        assert restock_by_default(category) is False


class TestRestockDecision:
    def test_an_approval_without_a_choice_keeps_the_refunds_default(self) -> None:
        refund = make_refund(restock=True)
        refund.approve(by=make_actor(), now=NOW, window=make_window(), supervisor_threshold=50000)
        assert refund.restock is True

    def test_the_approver_decides_whether_the_units_go_back_in_stock(self) -> None:
        refund = make_refund(restock=True)
        refund.approve(
            by=make_actor(),
            now=NOW,
            window=make_window(),
            supervisor_threshold=50000,
            restock=False,
        )
        assert refund.restock is False

    def test_a_refused_approval_changes_no_restock_decision(self) -> None:
        refund = make_refund(restock=False, status=RefundStatus.REJECTED)
        with pytest.raises(InvalidTransition):
            refund.approve(
                by=make_actor(),
                now=NOW,
                window=make_window(),
                supervisor_threshold=50000,
                restock=True,
            )
        assert refund.restock is False

    def test_a_settlement_may_decide_the_restock_too(self) -> None:
        refund = make_refund(restock=False)
        refund.settle(make_settlement(), by=make_actor(), now=NOW, restock=True)
        assert refund.restock is True


class TestWriteBack:
    @pytest.mark.parametrize(
        "status",
        [s for s in RefundStatus if s not in {RefundStatus.REFUNDED, RefundStatus.SETTLED}],
    )
    def test_only_a_refunded_or_settled_refund_is_written_back(self, status: RefundStatus) -> None:
        assert write_back_of(make_refund(status=status)) is None

    def test_a_gateway_refund_tells_its_lines_its_total_and_the_gateways_id(self) -> None:
        refund = make_refund(
            status=RefundStatus.REFUNDED,
            items=(RequestedItem("L2", 2),),
            include_shipping=True,
            gateway_refund_id="re_123",
            restock=True,
        )
        write_back = write_back_of(refund)
        assert write_back is not None
        assert write_back.refund_id == refund.id and write_back.order_id == "ORD-1001"
        assert write_back.lines == (WriteBackLine("L2", 2, 2140),)
        assert write_back.shipping_amount == 594
        assert write_back.total_amount == 2140 + 594 == refund.total_amount
        assert write_back.kind is WriteBackKind.GATEWAY
        assert write_back.settlement_type is None
        assert write_back.restock is True
        assert write_back.gateway_refund_id == "re_123"

    def test_a_settlement_tells_what_the_customer_got_and_how(self) -> None:
        refund = make_refund(status=RefundStatus.REQUESTED)
        refund.settle(make_settlement(amount=1000), by=make_actor(), now=NOW)
        write_back = write_back_of(refund)
        assert write_back is not None
        assert write_back.kind is WriteBackKind.SETTLEMENT
        assert write_back.settlement_type == "store_credit"
        assert write_back.total_amount == 1000  # not the lines' 2140: that is what was given up
        assert write_back.lines == (WriteBackLine("L2", 2, 2140),)
        assert write_back.gateway_refund_id is None

    def test_the_same_refund_always_writes_back_the_same_body(self) -> None:
        # At least once: every try of the outbox row must send an identical body, or the
        # order system's idempotency would answer a repeat with 409.
        refund = make_refund(status=RefundStatus.REFUNDED, gateway_refund_id="re_1")
        assert write_back_of(refund) == write_back_of(refund)
