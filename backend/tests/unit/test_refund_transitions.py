"""SPEC section 4: the refund status machine, the window, the threshold and settlements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest

from supportdesk.domain.access import SYSTEM, Actor, Role
from supportdesk.domain.cases import Category
from supportdesk.domain.errors import (
    Forbidden,
    InvalidTransition,
    OutsideRefundWindow,
    SupervisorApprovalRequired,
    ValidationFailed,
)
from supportdesk.domain.orders import Order, OrderLine, OrderStatus, Shipping
from supportdesk.domain.refunds import (
    FINAL_STATUSES,
    REFUND_TRANSITIONS,
    RELEASING_STATUSES,
    Action,
    Refund,
    RefundStatus,
    RequestedItem,
    Settlement,
    SettlementType,
    calculate_refund,
)
from supportdesk.domain.window import RefundWindow, RefundWindowPolicy, WindowBasis

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OWNER_ID = "CUST-1001"
THRESHOLD = 50000

REQUESTED = RefundStatus.REQUESTED
APPROVED = RefundStatus.APPROVED
PROCESSING = RefundStatus.PROCESSING
REFUNDED = RefundStatus.REFUNDED
FAILED = RefundStatus.FAILED
REJECTED = RefundStatus.REJECTED
CANCELLED = RefundStatus.CANCELLED
SETTLED = RefundStatus.SETTLED

# SPEC section 4's diagram, edge by edge: (from, action) -> to. Every other pair is refused.
EXPECTED_TRANSITIONS: dict[tuple[RefundStatus, Action], RefundStatus] = {
    (REQUESTED, Action.APPROVE): APPROVED,
    (REQUESTED, Action.REJECT): REJECTED,
    (REQUESTED, Action.CANCEL): CANCELLED,
    (REQUESTED, Action.SETTLE): SETTLED,
    (APPROVED, Action.EXECUTE): PROCESSING,
    (PROCESSING, Action.GATEWAY_SUCCEEDED): REFUNDED,
    (PROCESSING, Action.GATEWAY_FAILED): FAILED,
    (FAILED, Action.EXECUTE): PROCESSING,
    (FAILED, Action.SETTLE): SETTLED,
    # Issue 16: the card network sends a refund back after it succeeded.
    (REFUNDED, Action.GATEWAY_REVERSED): FAILED,
}
# What a person may do never leaves a final status; the gateway's reversal does.
PEOPLES_ACTIONS = [a for a in Action if a is not Action.GATEWAY_REVERSED]


def make_actor(role: Role = Role.AGENT, **overrides: Any) -> Actor:
    values: dict[str, Any] = {
        "id": f"usr-{role.value}",
        "role": role,
        "customer_id": OWNER_ID if role is Role.CUSTOMER else None,
    }
    values.update(overrides)
    return Actor(**values)


def make_order(**overrides: Any) -> Order:
    """The demo order ORD-1001, delivered three days ago."""
    delivered_at = NOW - timedelta(days=3)
    values: dict[str, Any] = {
        "id": "ORD-1001",
        "customer_id": OWNER_ID,
        "currency": "EUR",
        "status": OrderStatus.DELIVERED,
        "placed_at": delivered_at - timedelta(days=2),
        "shipped_at": delivered_at - timedelta(days=1),
        "delivered_at": delivered_at,
        "payment_reference": "pi_demo_1001",
        "lines": (
            OrderLine("L1", "HP-100", "Wireless Headphones", 1, 8999, 0, 1710),
            OrderLine("L2", "CBL-2", "USB-C Cable", 3, 999, 300, 512),
        ),
        "shipping": Shipping(amount=499, tax=95),
    }
    values.update(overrides)
    return Order(**values)


def make_refund(
    *,
    status: RefundStatus = REQUESTED,
    order: Order | None = None,
    items: tuple[RequestedItem, ...] = (RequestedItem("L2", 2),),
    include_shipping: bool = False,
    **overrides: Any,
) -> Refund:
    """A refund of two demo cables (2140 cents), put straight into ``status``."""
    order = order or make_order()
    calculation = calculate_refund(
        order, items, units_taken={}, shipping_taken=False, include_shipping=include_shipping
    )
    refund = Refund.request(
        id="ref-1",
        support_case_id="case-1",
        order=order,
        calculation=calculation,
        reason="broken cables",
        by=make_actor(Role.CUSTOMER),
        now=NOW,
    )
    refund.status = status
    refund.new_events.clear()
    for name, value in overrides.items():
        setattr(refund, name, value)
    return refund


def make_window(*, delivered_days_ago: float | None = 3, now: datetime = NOW) -> RefundWindow:
    delivered_at = None if delivered_days_ago is None else now - timedelta(days=delivered_days_ago)
    return RefundWindowPolicy(days=14).window_for(delivered_at, now)


def make_settlement(**overrides: Any) -> Settlement:
    values: dict[str, Any] = {
        "type": SettlementType.STORE_CREDIT,
        "amount": 1000,
        "note": "store credit instead",
    }
    values.update(overrides)
    return Settlement(**values)


def do(action: Action, refund: Refund) -> None:
    """Perform ``action`` the way it is meant to be done (right actor, open window, fine
    amount), so only the refund's status decides whether it is allowed."""
    agent = make_actor(Role.AGENT)
    actions: dict[Action, Callable[[], None]] = {
        Action.APPROVE: lambda: refund.approve(
            by=agent, now=NOW, window=make_window(), supervisor_threshold=THRESHOLD
        ),
        Action.REJECT: lambda: refund.reject(by=agent, now=NOW, reason="not broken"),
        Action.CANCEL: lambda: refund.cancel(by=make_actor(Role.CUSTOMER), now=NOW),
        Action.SETTLE: lambda: refund.settle(make_settlement(amount=0), by=agent, now=NOW),
        Action.EXECUTE: lambda: refund.start_attempt(by=agent, now=NOW),
        Action.GATEWAY_SUCCEEDED: lambda: refund.gateway_succeeded("re_1", by=SYSTEM, now=NOW),
        Action.GATEWAY_FAILED: lambda: refund.gateway_failed("card_declined", by=SYSTEM, now=NOW),
        Action.GATEWAY_REVERSED: lambda: refund.gateway_reversed(
            "expired_or_canceled_card", by=SYSTEM, now=NOW
        ),
    }
    actions[action]()


def every_status_and_action() -> list[Any]:
    return [
        pytest.param(status, action, id=f"{status}-{action}")
        for status, action in product(RefundStatus, Action)
    ]


class TestTheRefundTransitionTable:
    def test_the_table_is_exactly_the_spec_diagram(self) -> None:
        assert REFUND_TRANSITIONS == EXPECTED_TRANSITIONS

    @pytest.mark.parametrize(("status", "action"), every_status_and_action())
    def test_every_status_and_action_pair_follows_the_spec(
        self, status: RefundStatus, action: Action
    ) -> None:
        refund = make_refund(status=status)
        expected = EXPECTED_TRANSITIONS.get((status, action))

        assert refund.allows(action) is (expected is not None)
        if expected is None:
            with pytest.raises(InvalidTransition) as raised:
                do(action, refund)
            assert type(raised.value) is InvalidTransition
            assert refund.status is status
            assert refund.new_events == []
        else:
            do(action, refund)
            assert refund.status is expected
            [event] = refund.new_events
            assert (event.from_status, event.to_status) == (status.value, expected.value)

    @pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
    @pytest.mark.parametrize("action", PEOPLES_ACTIONS)
    def test_nothing_a_person_or_the_first_answer_does_leaves_a_final_status(
        self, status: RefundStatus, action: Action
    ) -> None:
        with pytest.raises(InvalidTransition):
            do(action, make_refund(status=status))

    @pytest.mark.parametrize("status", sorted(FINAL_STATUSES - {REFUNDED}))
    def test_only_a_refunded_refund_can_come_back(self, status: RefundStatus) -> None:
        with pytest.raises(InvalidTransition):
            do(Action.GATEWAY_REVERSED, make_refund(status=status))

    def test_a_refund_that_came_back_is_failed_with_the_reason_as_its_own_event(self) -> None:
        refund = make_refund(status=REFUNDED, gateway_refund_id="re_1")

        refund.gateway_reversed("expired_or_canceled_card", by=SYSTEM, now=NOW)

        assert (refund.status, refund.failure_reason) == (FAILED, "expired_or_canceled_card")
        [event] = refund.new_events
        assert (event.type, event.from_status, event.to_status) == (
            "refund_reversed",
            "refunded",
            "failed",
        )
        assert refund.allows(Action.SETTLE)
        staff = [d.action for d in refund.next_actions(
            by=make_actor(Role.AGENT), window=make_window(), supervisor_threshold=THRESHOLD
        ) if d.allowed]  # fmt: skip
        assert "settle" in staff

    def test_a_pending_reason_is_recorded_once_and_only_while_processing(self) -> None:
        refund = make_refund(status=PROCESSING)

        first = refund.gateway_pending("charge_pending", by=SYSTEM, now=NOW)
        again = refund.gateway_pending("charge_pending", by=SYSTEM, now=NOW)
        refund.gateway_succeeded("re_1", by=SYSTEM, now=NOW)
        late = refund.gateway_pending("processing", by=SYSTEM, now=NOW)

        assert (first, again, late) == (True, False, False)
        assert refund.pending_reason is None  # cleared once it succeeded
        assert [e.type for e in refund.new_events] == ["refund_pending", "refund_succeeded"]

    def test_a_failed_refund_can_be_executed_again_and_then_succeed(self) -> None:
        refund = make_refund(status=APPROVED)
        agent = make_actor(Role.AGENT)

        refund.start_attempt(by=agent, now=NOW)
        refund.gateway_failed("timeout", by=SYSTEM, now=NOW)
        refund.start_attempt(by=agent, now=NOW)
        refund.gateway_succeeded("re_42", by=SYSTEM, now=NOW)

        assert refund.status is REFUNDED
        assert refund.gateway_refund_id == "re_42"
        assert [(e.from_status, e.to_status) for e in refund.new_events] == [
            ("approved", "processing"),
            ("processing", "failed"),
            ("failed", "processing"),
            ("processing", "refunded"),
        ]


class TestFinalAndReleasingStatuses:
    @pytest.mark.parametrize("status", list(RefundStatus))
    def test_only_refunded_rejected_cancelled_and_settled_are_final(
        self, status: RefundStatus
    ) -> None:
        expected = status in {REFUNDED, REJECTED, CANCELLED, SETTLED}

        assert make_refund(status=status).is_final is expected
        assert (status in FINAL_STATUSES) is expected

    @pytest.mark.parametrize("status", list(RefundStatus))
    def test_only_rejected_and_cancelled_refunds_release_their_units(
        self, status: RefundStatus
    ) -> None:
        releases = status in {REJECTED, CANCELLED}

        assert make_refund(status=status).holds_units is not releases
        assert (status in RELEASING_STATUSES) is releases


class TestApprovingInsideTheWindow:
    def test_approving_outside_the_window_is_refused(self) -> None:
        refund = make_refund()

        with pytest.raises(OutsideRefundWindow) as raised:
            refund.approve(
                by=make_actor(),
                now=NOW,
                window=make_window(delivered_days_ago=20),
                supervisor_threshold=THRESHOLD,
            )

        assert raised.value.code == "outside_refund_window"
        assert raised.value.context["closes_at"] == (NOW - timedelta(days=6)).isoformat()
        assert refund.status is REQUESTED
        assert refund.approval_window is None
        assert refund.new_events == []

    def test_approving_an_order_that_was_never_delivered_is_refused(self) -> None:
        refund = make_refund()

        with pytest.raises(OutsideRefundWindow) as raised:
            refund.approve(
                by=make_actor(),
                now=NOW,
                window=make_window(delivered_days_ago=None),
                supervisor_threshold=THRESHOLD,
            )

        assert raised.value.context == {"delivered_at": None, "closes_at": None, "basis": "none"}
        assert refund.status is REQUESTED

    def test_approving_exactly_at_the_end_of_the_window_is_allowed(self) -> None:
        refund = make_refund()

        refund.approve(
            by=make_actor(),
            now=NOW,
            window=make_window(delivered_days_ago=14),
            supervisor_threshold=THRESHOLD,
        )

        assert refund.status is APPROVED

    def test_approval_records_the_window_seen_and_the_decision(self) -> None:
        refund = make_refund()
        window = make_window(delivered_days_ago=3)
        agent = make_actor(Role.AGENT)

        refund.approve(by=agent, now=NOW, window=window, supervisor_threshold=THRESHOLD, note="ok")

        assert refund.approval_window == window
        assert refund.delivered_at == window.delivered_at
        [event] = refund.new_events
        assert (event.type, event.actor_id, event.actor_role, event.note) == (
            "refund_approved",
            agent.id,
            "agent",
            "ok",
        )

    def test_an_approved_refund_may_be_executed_after_the_window_closed(self) -> None:
        refund = make_refund()
        refund.approve(
            by=make_actor(), now=NOW, window=make_window(), supervisor_threshold=THRESHOLD
        )

        refund.start_attempt(by=make_actor(), now=NOW + timedelta(days=30))

        assert refund.status is PROCESSING


class TestTheWindowARefundKeeps:
    """Issue 18 part 4: a refund keeps the rule of its window (the case's category picks it
    for an order that has not arrived), so lists show the window without the order system."""

    SHIPPED = {"status": OrderStatus.SHIPPED, "delivered_at": None, "shipped_at": NOW}
    POLICY = RefundWindowPolicy(days=14)

    @pytest.mark.parametrize(
        ("category", "basis"),
        [
            (Category.NOT_DELIVERED, WindowBasis.LOST_IN_TRANSIT),
            (Category.DAMAGED_ITEM, WindowBasis.NONE),
        ],
    )
    def test_a_request_keeps_the_rule_its_case_category_picks(
        self, category: Category, basis: WindowBasis
    ) -> None:
        refund = Refund.request(
            id="ref-1",
            support_case_id="case-1",
            order=make_order(**self.SHIPPED),
            calculation=make_refund().calculation,
            reason="never came",
            by=make_actor(Role.CUSTOMER),
            now=NOW,
            category=category,
        )

        assert (refund.window_basis, refund.shipped_at) == (basis, NOW)
        window = refund.window_at(self.POLICY, NOW + timedelta(days=11))
        assert window.basis is basis
        assert window.open is (basis is WindowBasis.LOST_IN_TRANSIT)

    def test_a_refund_from_before_the_rule_was_kept_has_the_window_of_its_delivery(
        self,
    ) -> None:
        undelivered = make_refund(window_basis=None, delivered_at=None, shipped_at=None)
        delivered = make_refund(window_basis=None)

        assert undelivered.window_at(self.POLICY, NOW).basis is WindowBasis.NONE
        assert undelivered.window_at(self.POLICY, NOW).open is False
        assert delivered.window_at(self.POLICY, NOW).basis is WindowBasis.DELIVERED
        assert delivered.window_at(self.POLICY, NOW).open is True

    def test_approval_keeps_the_rule_and_the_shipping_it_saw(self) -> None:
        not_shipped = make_order(status=OrderStatus.PLACED, delivered_at=None, shipped_at=None)
        refund = make_refund(order=not_shipped)
        assert refund.window_basis is WindowBasis.NOT_SHIPPED
        # It shipped eleven days ago by the time staff look: lost in transit.
        shipped = make_order(**{**self.SHIPPED, "shipped_at": NOW - timedelta(days=11)})
        window = self.POLICY.window_of(shipped, NOW, category=Category.NOT_DELIVERED)

        refund.approve(by=make_actor(), now=NOW, window=window, supervisor_threshold=THRESHOLD)

        assert refund.approval_window == window
        assert (refund.window_basis, refund.shipped_at) == (
            WindowBasis.LOST_IN_TRANSIT,
            NOW - timedelta(days=11),
        )
        assert refund.window_at(self.POLICY, NOW) == window

    def test_a_refusal_says_when_the_parcel_counts_as_lost(self) -> None:
        refund = make_refund(order=make_order(**self.SHIPPED))
        window = self.POLICY.window_of(
            make_order(**self.SHIPPED), NOW + timedelta(days=1), category=Category.NOT_DELIVERED
        )

        with pytest.raises(OutsideRefundWindow) as raised:
            refund.approve(by=make_actor(), now=NOW, window=window, supervisor_threshold=THRESHOLD)

        assert "counts as lost in transit after 10 days, on 2026-12-06 12:00 UTC" in str(
            raised.value
        )
        assert raised.value.context["basis"] == "lost_in_transit"
        assert raised.value.context["opens_at"] == (NOW + timedelta(days=10)).isoformat()


class TestTheSupervisorThreshold:
    def big_refund(self) -> Refund:
        """The demo television: 89900 + 17081 = 106981 cents, above 50000."""
        order = make_order(lines=(OrderLine("L1", "TV-55", "Television", 1, 89900, 0, 17081),))
        return make_refund(order=order, items=(RequestedItem("L1", 1),))

    def test_an_agent_cannot_approve_above_the_threshold(self) -> None:
        refund = self.big_refund()

        with pytest.raises(SupervisorApprovalRequired):
            refund.approve(
                by=make_actor(Role.AGENT),
                now=NOW,
                window=make_window(),
                supervisor_threshold=THRESHOLD,
            )

        assert refund.status is REQUESTED
        assert refund.approval_window is None

    @pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
    def test_a_supervisor_or_admin_approves_above_the_threshold(self, role: Role) -> None:
        refund = self.big_refund()

        refund.approve(
            by=make_actor(role), now=NOW, window=make_window(), supervisor_threshold=THRESHOLD
        )

        assert refund.status is APPROVED

    def test_an_agent_approves_a_refund_exactly_at_the_threshold(self) -> None:
        refund = self.big_refund()

        refund.approve(
            by=make_actor(Role.AGENT),
            now=NOW,
            window=make_window(),
            supervisor_threshold=refund.total_amount,
        )

        assert refund.status is APPROVED

    def test_an_agent_cannot_approve_one_cent_above_the_threshold(self) -> None:
        refund = self.big_refund()

        with pytest.raises(SupervisorApprovalRequired):
            refund.approve(
                by=make_actor(Role.AGENT),
                now=NOW,
                window=make_window(),
                supervisor_threshold=refund.total_amount - 1,
            )


class TestOnlyStaffDecide:
    @pytest.mark.parametrize(
        ("status", "action"),
        [
            (REQUESTED, Action.APPROVE),
            (REQUESTED, Action.REJECT),
            (REQUESTED, Action.SETTLE),
            (APPROVED, Action.EXECUTE),
        ],
    )
    def test_a_customer_cannot_approve_reject_settle_or_execute(
        self, status: RefundStatus, action: Action
    ) -> None:
        refund = make_refund(status=status)
        customer = make_actor(Role.CUSTOMER)
        calls: dict[Action, Callable[[], None]] = {
            Action.APPROVE: lambda: refund.approve(
                by=customer, now=NOW, window=make_window(), supervisor_threshold=THRESHOLD
            ),
            Action.REJECT: lambda: refund.reject(by=customer, now=NOW, reason="no"),
            Action.SETTLE: lambda: refund.settle(make_settlement(), by=customer, now=NOW),
            Action.EXECUTE: lambda: refund.start_attempt(by=customer, now=NOW),
        }

        with pytest.raises(Forbidden) as raised:
            calls[action]()

        assert type(raised.value) is Forbidden
        assert refund.status is status
        assert refund.attempt == 0


class TestCancelling:
    def test_the_owning_customer_cancels_a_requested_refund(self) -> None:
        refund = make_refund()
        customer = make_actor(Role.CUSTOMER)

        refund.cancel(by=customer, now=NOW)

        assert refund.status is CANCELLED
        assert not refund.holds_units
        [event] = refund.new_events
        assert (event.type, event.actor_id, event.actor_role) == (
            "refund_cancelled",
            customer.id,
            "customer",
        )

    @pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
    def test_staff_cannot_cancel_a_refund(self, role: Role) -> None:
        refund = make_refund()

        with pytest.raises(Forbidden):
            refund.cancel(by=make_actor(role), now=NOW)

        assert refund.status is REQUESTED

    def test_another_customer_cannot_cancel_a_refund(self) -> None:
        refund = make_refund()
        other = make_actor(Role.CUSTOMER, id="usr-carol", customer_id="CUST-1002")

        with pytest.raises(Forbidden):
            refund.cancel(by=other, now=NOW)

        assert refund.status is REQUESTED

    def test_the_owner_cannot_cancel_an_approved_refund(self) -> None:
        refund = make_refund(status=APPROVED)

        with pytest.raises(InvalidTransition):
            refund.cancel(by=make_actor(Role.CUSTOMER), now=NOW)


class TestRecordingASettlement:
    @pytest.mark.parametrize("source", [REQUESTED, FAILED])
    @pytest.mark.parametrize("amount", ["zero", "total"])
    def test_an_amount_from_zero_to_the_total_is_accepted(
        self, source: RefundStatus, amount: str
    ) -> None:
        refund = make_refund(status=source)
        value = 0 if amount == "zero" else refund.total_amount
        settlement = make_settlement(amount=value, type=SettlementType.VOUCHER)

        refund.settle(settlement, by=make_actor(), now=NOW)

        assert refund.status is SETTLED
        assert refund.settlement == settlement
        [event] = refund.new_events
        assert event.type == "refund_settled"

    @pytest.mark.parametrize("amount", ["minus-one", "total-plus-one"])
    def test_an_amount_outside_zero_to_total_is_refused_on_amount(self, amount: str) -> None:
        refund = make_refund()
        value = -1 if amount == "minus-one" else refund.total_amount + 1

        with pytest.raises(ValidationFailed) as raised:
            refund.settle(make_settlement(amount=value), by=make_actor(), now=NOW)

        assert raised.value.field == "amount"
        assert refund.status is REQUESTED
        assert refund.settlement is None
        assert refund.new_events == []

    def test_the_demo_cable_refund_totals_2140(self) -> None:
        assert make_refund().total_amount == 2140
        assert make_refund(include_shipping=True).total_amount == 2140 + 594


class TestExecutionAttempts:
    def test_starting_an_attempt_increments_it_and_changes_the_idempotency_key(self) -> None:
        refund = make_refund(status=APPROVED)
        before = refund.gateway_idempotency_key

        refund.start_attempt(by=make_actor(), now=NOW)

        assert refund.attempt == 1
        assert refund.gateway_idempotency_key != before
        assert refund.new_events[-1].type == "execution_started"

    def test_every_attempt_has_its_own_idempotency_key(self) -> None:
        refund = make_refund(status=APPROVED)
        keys = []
        for _ in range(3):
            refund.start_attempt(by=make_actor(), now=NOW)
            keys.append(refund.gateway_idempotency_key)
            refund.gateway_failed("timeout", by=SYSTEM, now=NOW)

        assert refund.attempt == 3
        assert len(set(keys)) == 3

    def test_the_idempotency_key_is_stable_within_an_attempt(self) -> None:
        refund = make_refund(status=APPROVED)
        refund.start_attempt(by=make_actor(), now=NOW)

        assert refund.gateway_idempotency_key == refund.gateway_idempotency_key

    def test_different_refunds_never_share_a_key(self) -> None:
        first = make_refund(status=APPROVED)
        second = make_refund(status=APPROVED, id="ref-2")

        assert first.gateway_idempotency_key != second.gateway_idempotency_key

    def test_a_refused_attempt_does_not_increment_the_attempt(self) -> None:
        refund = make_refund(status=PROCESSING, attempt=1)
        key = refund.gateway_idempotency_key

        with pytest.raises(InvalidTransition):
            refund.start_attempt(by=make_actor(), now=NOW)

        assert refund.attempt == 1
        assert refund.gateway_idempotency_key == key

    def test_a_gateway_failure_records_its_reason(self) -> None:
        refund = make_refund(status=PROCESSING, attempt=1)

        refund.gateway_failed("card_declined", by=SYSTEM, now=NOW)

        assert refund.status is FAILED
        assert refund.failure_reason == "card_declined"
        assert refund.new_events[-1].note == "card_declined"

    def test_a_gateway_success_records_the_gateway_refund_id(self) -> None:
        refund = make_refund(status=PROCESSING, attempt=1)

        refund.gateway_succeeded("re_123", by=SYSTEM, now=NOW)

        assert refund.status is REFUNDED
        assert refund.gateway_refund_id == "re_123"


class TestARefusedGatewayOutcomeChangesNothing:
    def test_a_late_success_on_a_refunded_refund_keeps_the_recorded_gateway_refund_id(
        self,
    ) -> None:
        refund = make_refund(status=REFUNDED, attempt=1, gateway_refund_id="re_first")

        with pytest.raises(InvalidTransition):
            refund.gateway_succeeded("re_second", by=SYSTEM, now=NOW)

        assert refund.gateway_refund_id == "re_first"

    def test_a_late_failure_on_a_refunded_refund_records_no_failure_reason(self) -> None:
        refund = make_refund(status=REFUNDED, attempt=1, gateway_refund_id="re_first")

        with pytest.raises(InvalidTransition):
            refund.gateway_failed("timeout", by=SYSTEM, now=NOW)

        assert refund.failure_reason is None
