"""SPEC section 4: who may move a support case from which status to which."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest

from supportdesk.domain.access import SYSTEM, Actor, Role
from supportdesk.domain.cases import (
    CaseStatus,
    Category,
    Mover,
    OrderReference,
    Priority,
    SupportCase,
    may_move,
)
from supportdesk.domain.errors import CaseHasOpenRefunds, Forbidden, InvalidTransition

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OWNER_ID = "CUST-1001"

OPEN = CaseStatus.OPEN
IN_PROGRESS = CaseStatus.IN_PROGRESS
WAITING = CaseStatus.WAITING_ON_CUSTOMER
RESOLVED = CaseStatus.RESOLVED
CLOSED = CaseStatus.CLOSED

STAFF = Mover.STAFF
OWNER = Mover.OWNER
MESSAGE = Mover.CUSTOMER_MESSAGE

# The SPEC's rule, written out move by move: (from, to, who). Anything else is refused.
ALLOWED_MOVES: frozenset[tuple[CaseStatus, CaseStatus, Mover]] = frozenset(
    {
        # An agent moves a case between any of the working states ...
        (OPEN, IN_PROGRESS, STAFF),
        (OPEN, WAITING, STAFF),
        (OPEN, RESOLVED, STAFF),
        (IN_PROGRESS, OPEN, STAFF),
        (IN_PROGRESS, WAITING, STAFF),
        (IN_PROGRESS, RESOLVED, STAFF),
        (WAITING, OPEN, STAFF),
        (WAITING, IN_PROGRESS, STAFF),
        (WAITING, RESOLVED, STAFF),
        (RESOLVED, OPEN, STAFF),
        (RESOLVED, IN_PROGRESS, STAFF),
        (RESOLVED, WAITING, STAFF),
        # ... and closes it.
        (OPEN, CLOSED, STAFF),
        (IN_PROGRESS, CLOSED, STAFF),
        (WAITING, CLOSED, STAFF),
        (RESOLVED, CLOSED, STAFF),
        # The customer closes their own case from any state but closed ...
        (OPEN, CLOSED, OWNER),
        (IN_PROGRESS, CLOSED, OWNER),
        (WAITING, CLOSED, OWNER),
        (RESOLVED, CLOSED, OWNER),
        # ... and reopens a resolved one.
        (RESOLVED, OPEN, OWNER),
        # The customer's message on a case waiting on them puts it back in progress.
        (WAITING, IN_PROGRESS, MESSAGE),
        # A refund that came back from the bank reopens a resolved or closed case: the
        # one move out of closed, and nobody's but the payment gateway's.
        (RESOLVED, OPEN, Mover.PAYMENT_GATEWAY),
        (CLOSED, OPEN, Mover.PAYMENT_GATEWAY),
    }
)

ROLE_MOVER = {
    Role.CUSTOMER: OWNER,
    Role.AGENT: STAFF,
    Role.SUPERVISOR: STAFF,
    Role.ADMIN: STAFF,
}


def make_actor(role: Role = Role.AGENT, **overrides: Any) -> Actor:
    values: dict[str, Any] = {
        "id": f"usr-{role.value}",
        "role": role,
        "customer_id": OWNER_ID if role is Role.CUSTOMER else None,
    }
    values.update(overrides)
    return Actor(**values)


def make_case(**overrides: Any) -> SupportCase:
    values: dict[str, Any] = {
        "id": "case-1",
        "customer_id": OWNER_ID,
        "order": OrderReference(order_id="ORD-1001", currency="EUR", lines=()),
        "subject": "Cable does not charge",
        "description": "One of the three cables is broken.",
        "category": Category.DAMAGED_ITEM,
        "priority": Priority.NORMAL,
        "status": OPEN,
        "assignee_id": None,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return SupportCase(**values)


def all_moves() -> list[Any]:
    return [
        pytest.param(source, target, mover, id=f"{source}->{target}-by-{mover}")
        for source, target, mover in product(CaseStatus, CaseStatus, Mover)
    ]


class TestTheCaseTransitionTable:
    @pytest.mark.parametrize(("source", "target", "mover"), all_moves())
    def test_may_move_follows_the_spec_for_every_pair_and_mover(
        self, source: CaseStatus, target: CaseStatus, mover: Mover
    ) -> None:
        assert may_move(source, target, mover) is ((source, target, mover) in ALLOWED_MOVES)

    @pytest.mark.parametrize("mover", [m for m in Mover if m is not Mover.PAYMENT_GATEWAY])
    @pytest.mark.parametrize("target", list(CaseStatus))
    def test_closed_is_final_for_people(self, target: CaseStatus, mover: Mover) -> None:
        assert may_move(CLOSED, target, mover) is False

    @pytest.mark.parametrize("mover", list(Mover))
    @pytest.mark.parametrize("status", list(CaseStatus))
    def test_no_move_stays_in_place(self, status: CaseStatus, mover: Mover) -> None:
        assert may_move(status, status, mover) is False


def change_status_params() -> list[Any]:
    return [
        pytest.param(role, source, target, id=f"{role}:{source}->{target}")
        for role, source, target in product(Role, CaseStatus, CaseStatus)
    ]


class TestChangingACaseStatus:
    @pytest.mark.parametrize(("role", "source", "target"), change_status_params())
    def test_a_change_is_allowed_exactly_when_the_spec_allows_it_for_the_role(
        self, role: Role, source: CaseStatus, target: CaseStatus
    ) -> None:
        actor = make_actor(role)
        case = make_case(status=source)
        allowed = (source, target, ROLE_MOVER[role]) in ALLOWED_MOVES

        if allowed:
            case.change_status(target, by=actor, now=NOW, has_open_refunds=False, note="why")

            assert case.status is target
            [event] = case.new_events
            assert (event.type, event.from_status, event.to_status) == (
                "status_changed",
                source.value,
                target.value,
            )
            assert (event.actor_id, event.actor_role) == (actor.id, role.value)
            assert (event.at, event.note, event.case_id) == (NOW, "why", case.id)
        else:
            with pytest.raises(InvalidTransition) as raised:
                case.change_status(target, by=actor, now=NOW, has_open_refunds=False)

            assert type(raised.value) is InvalidTransition
            assert case.status is source
            assert case.new_events == []

    @pytest.mark.parametrize("role", list(Role))
    @pytest.mark.parametrize("source", [OPEN, IN_PROGRESS, WAITING, RESOLVED])
    def test_a_case_with_a_refund_that_is_not_final_cannot_be_closed(
        self, role: Role, source: CaseStatus
    ) -> None:
        case = make_case(status=source)

        with pytest.raises(CaseHasOpenRefunds):
            case.change_status(CLOSED, by=make_actor(role), now=NOW, has_open_refunds=True)

        assert case.status is source
        assert case.new_events == []

    @pytest.mark.parametrize("target", [OPEN, IN_PROGRESS, WAITING])
    def test_open_refunds_do_not_block_moves_other_than_closing(self, target: CaseStatus) -> None:
        case = make_case(status=RESOLVED)

        case.change_status(target, by=make_actor(Role.AGENT), now=NOW, has_open_refunds=True)

        assert case.status is target

    def test_an_invalid_move_is_refused_before_open_refunds_are_considered(self) -> None:
        case = make_case(status=CLOSED)

        with pytest.raises(InvalidTransition) as raised:
            case.change_status(CLOSED, by=make_actor(), now=NOW, has_open_refunds=True)

        assert type(raised.value) is InvalidTransition

    def test_every_change_is_appended_to_the_history(self) -> None:
        agent = make_actor(Role.AGENT)
        customer = make_actor(Role.CUSTOMER)
        case = make_case(status=OPEN)

        case.change_status(RESOLVED, by=agent, now=NOW, has_open_refunds=False)
        case.change_status(OPEN, by=customer, now=NOW, has_open_refunds=False)
        case.change_status(CLOSED, by=customer, now=NOW, has_open_refunds=False)

        assert [(e.from_status, e.to_status, e.actor_role) for e in case.new_events] == [
            ("open", "resolved", "agent"),
            ("resolved", "open", "customer"),
            ("open", "closed", "customer"),
        ]


class TestACustomerReply:
    def test_a_reply_on_a_case_waiting_on_the_customer_puts_it_back_in_progress(self) -> None:
        customer = make_actor(Role.CUSTOMER)
        case = make_case(status=WAITING)

        case.customer_replied(by=customer, now=NOW)

        assert case.status is IN_PROGRESS
        [event] = case.new_events
        assert (event.from_status, event.to_status) == ("waiting_on_customer", "in_progress")
        assert (event.actor_id, event.actor_role) == (customer.id, "customer")

    @pytest.mark.parametrize("status", [OPEN, IN_PROGRESS, RESOLVED, CLOSED])
    def test_a_reply_on_a_case_not_waiting_moves_nothing(self, status: CaseStatus) -> None:
        case = make_case(status=status)

        case.customer_replied(by=make_actor(Role.CUSTOMER), now=NOW)

        assert case.status is status
        assert case.new_events == []

    def test_a_customer_cannot_move_a_waiting_case_to_in_progress_by_a_status_change(
        self,
    ) -> None:
        case = make_case(status=WAITING)

        with pytest.raises(InvalidTransition):
            case.change_status(
                IN_PROGRESS, by=make_actor(Role.CUSTOMER), now=NOW, has_open_refunds=False
            )


class TestPriorityAndAssignment:
    def test_a_customer_cannot_change_the_priority(self) -> None:
        case = make_case()

        with pytest.raises(Forbidden):
            case.change_priority(Priority.URGENT, by=make_actor(Role.CUSTOMER), now=NOW)

        assert case.priority is Priority.NORMAL
        assert case.new_events == []

    def test_a_customer_cannot_assign_the_case(self) -> None:
        case = make_case()

        with pytest.raises(Forbidden):
            case.assign("usr-agent", by=make_actor(Role.CUSTOMER), now=NOW)

        assert case.assignee_id is None
        assert case.new_events == []

    @pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
    def test_staff_change_priority_and_assignee_and_each_change_is_recorded(
        self, role: Role
    ) -> None:
        staff = make_actor(role)
        case = make_case()

        case.change_priority(Priority.HIGH, by=staff, now=NOW)
        case.assign("usr-agent", by=staff, now=NOW)

        assert (case.priority, case.assignee_id) == (Priority.HIGH, "usr-agent")
        assert [(e.type, e.actor_role) for e in case.new_events] == [
            ("priority_changed", role.value),
            ("assigned", role.value),
        ]

    def test_a_closed_case_cannot_be_reprioritised_or_reassigned(self) -> None:
        case = make_case(status=CLOSED)

        with pytest.raises(InvalidTransition):
            case.change_priority(Priority.HIGH, by=make_actor(), now=NOW)
        with pytest.raises(InvalidTransition):
            case.assign("usr-agent", by=make_actor(), now=NOW)


class TestEventsThatMoveNoStatus:
    """History shows a move only where there was one: a message, a note, an assignment or a
    priority change names no status at all, rather than the current one twice."""

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param(lambda c, s: c.change_priority(Priority.HIGH, by=s, now=NOW), id="prio"),
            pytest.param(lambda c, s: c.assign("usr-agent", by=s, now=NOW), id="assign"),
            pytest.param(lambda c, s: c.add_note("called the courier", by=s, now=NOW), id="note"),
            pytest.param(lambda c, s: c.add_event("message_added", by=s, now=NOW), id="message"),
        ],
    )
    def test_an_event_that_moves_no_status_carries_null_from_and_to(self, change: Any) -> None:
        case = make_case(status=IN_PROGRESS)

        change(case, make_actor(Role.AGENT))

        [event] = case.new_events
        assert (event.from_status, event.to_status) == (None, None)
        assert case.status is IN_PROGRESS


class TestARefundThatCameBack:
    @pytest.mark.parametrize("status", [RESOLVED, CLOSED])
    def test_a_resolved_or_closed_case_is_open_again_and_urgent(self, status: CaseStatus) -> None:
        case = make_case(status=status)

        case.refund_came_back(by=SYSTEM, now=NOW, note="refund rf_1 came back")

        assert (case.status, case.priority) == (OPEN, Priority.URGENT)
        assert [(e.type, e.from_status, e.to_status) for e in case.new_events] == [
            ("status_changed", status.value, "open"),
            ("priority_changed", None, None),
        ]

    @pytest.mark.parametrize("status", [OPEN, IN_PROGRESS, WAITING])
    def test_a_case_still_being_worked_on_keeps_its_status_and_becomes_urgent(
        self, status: CaseStatus
    ) -> None:
        case = make_case(status=status, priority=Priority.LOW)

        case.refund_came_back(by=SYSTEM, now=NOW, note="refund rf_1 came back")

        assert (case.status, case.priority) == (status, Priority.URGENT)
        assert [e.type for e in case.new_events] == ["priority_changed"]
