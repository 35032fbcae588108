"""RefundService use cases against in-memory fakes of the ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from supportdesk.application.cases import ChangeCase
from supportdesk.domain.cases import CaseStatus, Category
from supportdesk.domain.errors import (
    InvalidTransition,
    OutsideRefundWindow,
    PaymentGatewayError,
    RefundQuantityExceeded,
    ValidationFailed,
    VersionConflict,
)
from supportdesk.domain.refunds import RefundStatus

from .builders import (
    AGENT,
    CUSTOMER,
    DELIVERED_AT,
    WINDOW_DAYS,
    a_case,
    a_desk,
    a_requested_refund,
    an_approved_refund,
    open_case_command,
    refund_request,
)
from .fakes import Outcome


def key(refund_id: str, attempt: int) -> str:
    return f"supportdesk-refund-{refund_id}-attempt-{attempt}"


class TestRequestRefund:
    async def test_units_held_by_earlier_requests_are_not_refundable_again(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await a_requested_refund(desk, ("L2", 2), case=case)

        with pytest.raises(RefundQuantityExceeded) as exceeded:
            await desk.refunds.request(case.id, refund_request(("L2", 2)), CUSTOMER)

        assert exceeded.value.context["refundable_quantity"] == 1
        assert len(desk.store.refunds) == 1
        last = await desk.refunds.request(case.id, refund_request(("L2", 1)), CUSTOMER)
        assert desk.store.refunds[last.id].status is RefundStatus.REQUESTED

    async def test_the_remaining_unit_is_priced_from_the_parts_not_yet_taken(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        first = await a_requested_refund(desk, ("L2", 2), case=case)
        last = await desk.refunds.request(case.id, refund_request(("L2", 1)), CUSTOMER)

        gross = 3 * 1000 - 100 + 551
        assert first.total_amount + last.total_amount == gross

    async def test_shipping_already_requested_cannot_be_requested_again(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await desk.refunds.request(
            case.id, refund_request(("L1", 1), include_shipping=True), CUSTOMER
        )

        with pytest.raises(ValidationFailed) as refused:
            await desk.refunds.request(
                case.id, refund_request(("L2", 1), include_shipping=True), CUSTOMER
            )

        assert refused.value.field == "include_shipping"

    async def test_a_rejected_refund_releases_its_units(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        held = await a_requested_refund(desk, ("L2", 3), case=case)
        await desk.refunds.reject(held.id, AGENT, reason="no evidence", expected_version=None)

        again = await desk.refunds.request(case.id, refund_request(("L2", 3)), CUSTOMER)

        assert desk.store.refunds[again.id].calculation.items[0].quantity == 3

    async def test_a_cancelled_refund_releases_its_units(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        held = await a_requested_refund(desk, ("L2", 3), case=case)
        await desk.refunds.cancel(held.id, CUSTOMER, expected_version=None)

        again = await desk.refunds.request(case.id, refund_request(("L2", 3)), CUSTOMER)

        assert desk.store.refunds[again.id].status is RefundStatus.REQUESTED

    async def test_a_refund_on_a_closed_case_is_refused(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await desk.cases.change(case.id, ChangeCase(status=CaseStatus.CLOSED), AGENT, None)

        with pytest.raises(ValidationFailed) as refused:
            await desk.refunds.request(case.id, refund_request(("L2", 1)), CUSTOMER)

        assert type(refused.value) is ValidationFailed
        assert refused.value.field == "support_case_id"
        assert desk.store.refunds == {}

    async def test_a_case_closed_while_the_order_is_fetched_gets_no_refund(self) -> None:
        desk = a_desk()
        case = await a_case(desk)

        async def staff_close_the_case() -> None:
            await desk.cases.change(case.id, ChangeCase(status=CaseStatus.CLOSED), AGENT, None)

        desk.orders.while_asked = staff_close_the_case

        with pytest.raises(ValidationFailed):
            await desk.refunds.request(case.id, refund_request(("L2", 1)), CUSTOMER)

        assert desk.store.cases[case.id].status is CaseStatus.CLOSED
        assert desk.store.refunds == {}


class TestApproveRefund:
    async def test_a_refund_outside_the_window_cannot_be_approved(self) -> None:
        desk = a_desk()
        refund = await a_requested_refund(desk)
        desk.clock.current = DELIVERED_AT + timedelta(days=WINDOW_DAYS + 1)

        with pytest.raises(OutsideRefundWindow):
            await desk.refunds.approve(refund.id, AGENT, note=None, expected_version=None)

        stored = desk.store.refunds[refund.id]
        assert stored.status is RefundStatus.REQUESTED
        assert stored.approval_window is None

    async def test_exactly_the_last_day_of_the_window_is_inside_and_the_window_is_recorded(
        self,
    ) -> None:
        desk = a_desk()
        refund = await a_requested_refund(desk)
        desk.clock.current = DELIVERED_AT + timedelta(days=WINDOW_DAYS)

        approved = await desk.refunds.approve(
            refund.id, AGENT, note="photos ok", expected_version=refund.version
        )

        stored = desk.store.refunds[refund.id]
        assert approved.status is stored.status is RefundStatus.APPROVED
        assert stored.approval_window is not None
        assert stored.approval_window.open
        assert stored.approval_window.delivered_at == DELIVERED_AT
        assert stored.approval_window.closes_at == DELIVERED_AT + timedelta(days=WINDOW_DAYS)
        assert stored.version == refund.version + 1


class TestRestock:
    async def test_a_request_takes_its_case_categorys_restock_default(self) -> None:
        desk = a_desk()
        damaged = await a_requested_refund(desk, ("L1", 1))
        returned_case = await desk.cases.open(
            replace(open_case_command(), category=Category.RETURN_REFUND), CUSTOMER
        )
        returned = await a_requested_refund(desk, ("L2", 1), case=returned_case)

        assert desk.store.refunds[damaged.id].restock is False
        assert desk.store.refunds[returned.id].restock is True

    async def test_the_approver_decides_and_the_decision_is_stored(self) -> None:
        desk = a_desk()
        refund = await a_requested_refund(desk)

        await desk.refunds.approve(refund.id, AGENT, note=None, expected_version=None, restock=True)

        assert desk.store.refunds[refund.id].restock is True

    async def test_a_refused_approval_stores_no_restock_decision(self) -> None:
        desk = a_desk()
        refund = await a_requested_refund(desk)
        desk.clock.current = DELIVERED_AT + timedelta(days=WINDOW_DAYS + 1)

        with pytest.raises(OutsideRefundWindow):
            await desk.refunds.approve(
                refund.id, AGENT, note=None, expected_version=None, restock=True
            )

        assert desk.store.refunds[refund.id].restock is False


class TestExecuteRefund:
    async def test_a_successful_payout_is_refunded_with_the_gateway_id_after_one_call(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)

        done = await desk.refunds.execute(refund.id, AGENT, expected_version=refund.version)

        [create] = desk.gateway.creates
        assert create.kwargs["idempotency_key"] == key(refund.id, 1)
        assert create.kwargs["amount"] == refund.total_amount
        assert create.kwargs["payment_reference"] == "pi_ORD-1001"
        [made] = desk.gateway.made
        stored = desk.store.refunds[refund.id]
        assert done.status is stored.status is RefundStatus.REFUNDED
        assert stored.gateway_refund_id == made.refund.id
        assert stored.attempt == 1

    async def test_a_decline_fails_the_refund_and_the_next_execution_is_a_new_attempt(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.decline_reason = "insufficient_funds"
        desk.gateway.will(Outcome.DECLINE)

        failed = await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        assert failed.status is RefundStatus.FAILED
        assert desk.store.refunds[refund.id].failure_reason == "insufficient_funds"

        retried = await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        keys = [call.kwargs["idempotency_key"] for call in desk.gateway.creates]
        assert keys == [key(refund.id, 1), key(refund.id, 2)]
        stored = desk.store.refunds[refund.id]
        assert retried.status is stored.status is RefundStatus.REFUNDED
        assert stored.attempt == 2
        assert stored.failure_reason is None

    async def test_a_timeout_leaves_the_refund_processing(self) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.will(Outcome.TIMEOUT)

        pending = await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        assert pending.status is desk.store.refunds[refund.id].status is RefundStatus.PROCESSING

    async def test_reconciling_a_timeout_the_gateway_acted_on_finds_it_without_a_second_create(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.will(Outcome.TIMEOUT_AFTER_MAKING)
        await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        [settled] = await desk.refunds.reconcile(stale_after=timedelta(0))

        [made] = desk.gateway.made
        assert len(desk.gateway.creates) == 1
        assert [c.method for c in desk.gateway.calls].count("find_refund") == 1
        stored = desk.store.refunds[refund.id]
        assert settled.status is stored.status is RefundStatus.REFUNDED
        assert stored.gateway_refund_id == made.refund.id

    async def test_reconciling_a_timeout_the_gateway_never_acted_on_resends_under_the_same_key(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.will(Outcome.TIMEOUT)
        await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        [settled] = await desk.refunds.reconcile(stale_after=timedelta(0))

        keys = [call.kwargs["idempotency_key"] for call in desk.gateway.creates]
        assert keys == [key(refund.id, 1), key(refund.id, 1)]
        assert len(desk.gateway.made) == 1
        stored = desk.store.refunds[refund.id]
        assert settled.status is stored.status is RefundStatus.REFUNDED
        assert stored.attempt == 1

    async def test_reconciliation_leaves_a_refund_that_is_not_yet_stale_alone(self) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.will(Outcome.TIMEOUT)
        await desk.refunds.execute(refund.id, AGENT, expected_version=None)
        desk.clock.advance(timedelta(minutes=1))

        settled = await desk.refunds.reconcile(stale_after=timedelta(minutes=5))

        assert settled == []
        assert len(desk.gateway.calls) == 1
        assert desk.store.refunds[refund.id].status is RefundStatus.PROCESSING

    async def test_an_unreachable_gateway_is_an_error_and_the_refund_stays_processing(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)
        desk.gateway.will(Outcome.UNAVAILABLE)

        with pytest.raises(PaymentGatewayError):
            await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        stored = desk.store.refunds[refund.id]
        assert stored.status is RefundStatus.PROCESSING
        assert stored.attempt == 1
        assert desk.gateway.made == []

    async def test_a_requested_refund_cannot_be_executed_and_the_gateway_is_not_called(
        self,
    ) -> None:
        desk = a_desk()
        refund = await a_requested_refund(desk)

        with pytest.raises(InvalidTransition):
            await desk.refunds.execute(refund.id, AGENT, expected_version=None)

        assert desk.gateway.calls == []
        assert desk.store.refunds[refund.id].status is RefundStatus.REQUESTED

    async def test_a_stale_expected_version_is_refused_before_the_gateway_is_called(
        self,
    ) -> None:
        desk = a_desk()
        refund = await an_approved_refund(desk)

        with pytest.raises(VersionConflict):
            await desk.refunds.execute(refund.id, AGENT, expected_version=refund.version - 1)

        assert desk.gateway.calls == []
        stored = desk.store.refunds[refund.id]
        assert stored.status is RefundStatus.APPROVED
        assert stored.version == refund.version


class TestARefundChangesItsCase:
    async def test_requesting_a_refund_moves_the_case_version_so_a_stale_close_conflicts(
        self,
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        seen = case.version
        await a_requested_refund(desk, case=case)

        assert desk.store.cases[case.id].version == seen + 1
        with pytest.raises(VersionConflict):
            await desk.cases.change(
                case.id, ChangeCase(status=CaseStatus.CLOSED), CUSTOMER, expected_version=seen
            )
