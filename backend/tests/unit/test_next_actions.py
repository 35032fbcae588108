"""What may happen next is decided by the domain, and the decision is the action's own rule:
an action is offered exactly when doing it succeeds, and a refused one carries the very code
and words the action raises."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import product

import pytest

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.cases import (
    CaseAction,
    CaseStatus,
    Category,
    Channel,
    Priority,
    SupportCase,
)
from supportdesk.domain.errors import DomainError
from supportdesk.domain.permissions import Decision, allowed_actions, refused_actions
from supportdesk.domain.refunds import Refund, RefundStatus
from tests.unit.test_case_transitions import make_actor as make_case_actor
from tests.unit.test_case_transitions import make_case
from tests.unit.test_refund_transitions import (
    NOW,
    THRESHOLD,
    make_actor,
    make_refund,
    make_settlement,
    make_window,
)

STRANGER = Actor(id="usr-other", role=Role.CUSTOMER, customer_id="CUST-9999")


def outcome(attempt: Callable[[], object]) -> DomainError | None:
    try:
        attempt()
    except DomainError as refused:
        return refused
    return None


def same_refusal(decided: DomainError | None, raised: DomainError | None) -> bool:
    if decided is None or raised is None:
        return decided is raised
    return (type(decided), decided.code, decided.detail) == (
        type(raised),
        raised.code,
        raised.detail,
    )


# --- refunds ------------------------------------------------------------------------------


def refund_decisions(refund: Refund, actor: Actor, *, window_open: bool) -> dict[str, Decision]:
    window = make_window(delivered_days_ago=3 if window_open else 20)
    return {
        d.action: d
        for d in refund.next_actions(by=actor, window=window, supervisor_threshold=THRESHOLD)
    }


def perform(refund: Refund, action: str, actor: Actor, *, window_open: bool) -> None:
    window = make_window(delivered_days_ago=3 if window_open else 20)
    actions: dict[str, Callable[[], None]] = {
        "approve": lambda: refund.approve(
            by=actor, now=NOW, window=window, supervisor_threshold=THRESHOLD
        ),
        "reject": lambda: refund.reject(by=actor, now=NOW, reason="no"),
        "cancel": lambda: refund.cancel(by=actor, now=NOW),
        "settle": lambda: refund.settle(make_settlement(amount=0), by=actor, now=NOW),
        "execute": lambda: refund.start_attempt(by=actor, now=NOW),
    }
    actions[action]()


REFUND_ROLES = [Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR]


class TestWhatMayHappenToARefund:
    @pytest.mark.parametrize(
        ("status", "role", "window_open"),
        [
            pytest.param(status, role, window_open, id=f"{status}-{role}-window_{window_open}")
            for status, role, window_open in product(RefundStatus, REFUND_ROLES, [True, False])
        ],
    )
    def test_an_action_is_offered_exactly_when_it_succeeds_and_refused_with_its_own_error(
        self, status: RefundStatus, role: Role, window_open: bool
    ) -> None:
        actor = make_actor(role)
        decisions = refund_decisions(make_refund(status=status), actor, window_open=window_open)

        for action, decision in decisions.items():
            refund = make_refund(status=status)
            raised = outcome(partial(perform, refund, action, actor, window_open=window_open))
            assert same_refusal(decision.refusal, raised), (action, decision, raised)

    def test_staff_are_offered_the_decisions_and_the_owner_only_withdrawing(self) -> None:
        refund = make_refund()

        staff = refund_decisions(refund, make_actor(Role.AGENT), window_open=True)
        owner = refund_decisions(refund, make_actor(Role.CUSTOMER), window_open=True)

        assert list(staff) == ["approve", "reject", "execute", "settle"]
        assert list(owner) == ["cancel"]

    def test_another_customer_is_offered_nothing(self) -> None:
        assert (
            make_refund().next_actions(
                by=STRANGER, window=make_window(), supervisor_threshold=THRESHOLD
            )
            == ()
        )

    def test_outside_the_window_approval_is_refused_as_approving_would_be(self) -> None:
        decisions = refund_decisions(make_refund(), make_actor(Role.AGENT), window_open=False)

        assert allowed_actions(decisions.values()) == ["reject", "settle"]
        approve = decisions["approve"].refusal
        assert approve is not None
        assert approve.code == "outside_refund_window"
        assert "record a settlement" in approve.detail

    def test_above_the_threshold_an_agent_is_told_a_supervisor_must_approve(self) -> None:
        refund = make_refund()

        agent = refund.next_actions(
            by=make_actor(Role.AGENT), window=make_window(), supervisor_threshold=1
        )
        supervisor = refund.next_actions(
            by=make_actor(Role.SUPERVISOR), window=make_window(), supervisor_threshold=1
        )

        assert [(d.action, d.refusal.code) for d in refused_actions(agent) if d.refusal] == [
            ("approve", "supervisor_approval_required"),
            ("execute", "invalid_transition"),
        ]
        assert allowed_actions(supervisor) == ["approve", "reject", "settle"]

    def test_a_refusal_by_status_names_the_statuses_that_would_allow_it(self) -> None:
        decisions = refund_decisions(
            make_refund(status=RefundStatus.REQUESTED), make_actor(Role.AGENT), window_open=True
        )

        execute = decisions["execute"].refusal
        assert execute is not None
        assert execute.detail == (
            "a refund can be sent to the payment provider only while it is approved or failed; "
            "this one is requested"
        )

    def test_a_final_refund_offers_nothing_and_says_it_is_final(self) -> None:
        decisions = refund_decisions(
            make_refund(status=RefundStatus.REFUNDED), make_actor(Role.AGENT), window_open=True
        )

        assert allowed_actions(decisions.values()) == []
        assert all(
            d.refusal is not None and d.refusal.detail.endswith("which is final")
            for d in decisions.values()
        )


# --- cases --------------------------------------------------------------------------------


def perform_on_case(
    case: SupportCase, action: CaseAction, actor: Actor, open_refunds: bool
) -> None:
    """Do ``action`` through the domain as the use case does."""

    def message(internal: bool) -> None:
        refusal = case.message_refusal(by=actor, internal=internal)
        if refusal is not None:
            raise refusal

    def request_refund() -> None:
        refusal = case.refund_request_refusal(by=actor)
        if refusal is not None:
            raise refusal

    def move(target: CaseStatus) -> Callable[[], None]:
        return lambda: case.change_status(target, by=actor, now=NOW, has_open_refunds=open_refunds)

    def reopen() -> None:
        # A reopening is the move of a resolved case back to open.
        if case.status is not CaseStatus.RESOLVED:
            raise case.refusal(CaseAction.REOPEN, by=actor, has_open_refunds=open_refunds) or (
                AssertionError("a case that is not resolved was offered a reopening")
            )
        move(CaseStatus.OPEN)()

    actions: dict[CaseAction, Callable[[], None]] = {
        CaseAction.REPLY: lambda: message(False),
        CaseAction.ADD_INTERNAL_NOTE: lambda: message(True),
        CaseAction.ASSIGN: lambda: case.assign("usr-agent-2", by=actor, now=NOW),
        CaseAction.CHANGE_PRIORITY: lambda: case.change_priority(
            Priority.URGENT, by=actor, now=NOW
        ),
        CaseAction.REQUEST_REFUND: request_refund,
        CaseAction.CLOSE: move(CaseStatus.CLOSED),
        CaseAction.REOPEN: reopen,
    }
    actions[action]()


CASE_ROLES = [Role.CUSTOMER, Role.AGENT, Role.ADMIN]


class TestWhatMayHappenToACase:
    @pytest.mark.parametrize(
        ("status", "role", "open_refunds"),
        [
            pytest.param(status, role, open_refunds, id=f"{status}-{role}-open_{open_refunds}")
            for status, role, open_refunds in product(CaseStatus, CASE_ROLES, [False, True])
        ],
    )
    def test_an_action_is_offered_exactly_when_it_succeeds_and_refused_with_its_own_error(
        self, status: CaseStatus, role: Role, open_refunds: bool
    ) -> None:
        actor = make_case_actor(role)
        decisions = make_case(status=status).next_actions(by=actor, has_open_refunds=open_refunds)

        for decision in decisions:
            case = make_case(status=status)
            action = CaseAction(decision.action)
            raised = outcome(partial(perform_on_case, case, action, actor, open_refunds))
            assert same_refusal(decision.refusal, raised), (action, decision, raised)

    @pytest.mark.parametrize(
        ("status", "role", "open_refunds"),
        [
            pytest.param(status, role, open_refunds, id=f"{status}-{role}-open_{open_refunds}")
            for status, role, open_refunds in product(CaseStatus, CASE_ROLES, [False, True])
        ],
    )
    def test_the_moves_offered_are_exactly_the_status_changes_that_succeed(
        self, status: CaseStatus, role: Role, open_refunds: bool
    ) -> None:
        actor = make_case_actor(role)
        offered = make_case(status=status).allowed_moves(by=actor, has_open_refunds=open_refunds)

        succeeding = []
        for target in CaseStatus:
            case = make_case(status=status)
            change = partial(
                case.change_status, target, by=actor, now=NOW, has_open_refunds=open_refunds
            )
            if target is not status and outcome(change) is None:
                succeeding.append(target)
        assert list(offered) == succeeding

    def test_staff_handle_the_case_and_ask_refunds_for_the_owner_who_replies_closes_reopens(
        self,
    ) -> None:
        case = make_case(status=CaseStatus.RESOLVED)

        staff = case.next_actions(by=make_case_actor(Role.AGENT), has_open_refunds=False)
        owner = case.next_actions(by=make_case_actor(Role.CUSTOMER), has_open_refunds=False)

        assert allowed_actions(staff) == [
            "reply",
            "add_internal_note",
            "assign",
            "change_priority",
            "request_refund",
            "close",
            "reopen",
        ]
        assert allowed_actions(owner) == ["reply", "request_refund", "close", "reopen"]

    def test_another_customer_is_offered_nothing(self) -> None:
        case = make_case()

        assert case.next_actions(by=STRANGER, has_open_refunds=False) == ()
        assert case.allowed_moves(by=STRANGER, has_open_refunds=False) == ()

    def test_a_case_with_an_open_refund_is_not_offered_closing_and_says_why(self) -> None:
        decisions = make_case().next_actions(
            by=make_case_actor(Role.CUSTOMER), has_open_refunds=True
        )

        [close] = [d for d in refused_actions(decisions) if d.action == "close"]
        assert close.refusal is not None
        assert close.refusal.code == "case_has_open_refunds"
        assert CaseStatus.CLOSED not in make_case().allowed_moves(
            by=make_case_actor(Role.AGENT), has_open_refunds=True
        )

    def test_a_closed_case_offers_nothing_to_anyone(self) -> None:
        closed = make_case(status=CaseStatus.CLOSED)

        for role in CASE_ROLES:
            actor = make_case_actor(role)
            assert allowed_actions(closed.next_actions(by=actor, has_open_refunds=False)) == []
            assert closed.allowed_moves(by=actor, has_open_refunds=False) == ()

    def test_only_a_resolved_case_offers_its_owner_a_reopening(self) -> None:
        owner = make_case_actor(Role.CUSTOMER)

        offered = {
            status: "reopen"
            in allowed_actions(
                make_case(status=status).next_actions(by=owner, has_open_refunds=False)
            )
            for status in CaseStatus
        }

        assert offered == {status: status is CaseStatus.RESOLVED for status in CaseStatus}

    def test_a_customer_is_never_told_about_staff_actions(self) -> None:
        decisions = make_case().next_actions(
            by=make_case_actor(Role.CUSTOMER), has_open_refunds=False
        )

        assert {d.action for d in decisions}.isdisjoint(
            {"add_internal_note", "assign", "change_priority"}
        )


class TestWhatMayHappenNextIsKeptPerKey:
    """A case keeps what may happen next per status, role, ownership and open refunds
    (``SupportCase._next_key``): no other field of the case or the actor may change it."""

    @pytest.mark.parametrize(
        ("status", "role", "open_refunds"),
        [
            pytest.param(status, role, open_refunds, id=f"{status}-{role}-open_{open_refunds}")
            for status, role, open_refunds in product(CaseStatus, Role, [False, True])
        ],
    )
    def test_the_kept_answer_is_the_one_worked_out_afresh_for_any_case_and_actor(
        self, status: CaseStatus, role: Role, open_refunds: bool
    ) -> None:
        cases = [
            make_case(status=status),
            make_case(
                status=status,
                id="case-2",
                priority=Priority.URGENT,
                category=Category.BILLING,
                channel=Channel.PHONE,
                assignee_id="usr-agent-2",
                version=7,
            ),
        ]
        actors = [make_case_actor(role), make_case_actor(role, id="usr-someone-else")]
        if role is Role.CUSTOMER:
            actors += [STRANGER, make_case_actor(role, customer_id=None)]
        for case, actor in product(cases, actors):
            kept = case.next_actions(by=actor, has_open_refunds=open_refunds)
            fresh = case._next_actions(actor, open_refunds)
            assert [d.action for d in kept] == [d.action for d in fresh]
            for mine, afresh in zip(kept, fresh, strict=True):
                assert same_refusal(mine.refusal, afresh.refusal), (case, actor, mine)
            moves = case.allowed_moves(by=actor, has_open_refunds=open_refunds)
            assert moves == case._allowed_moves(actor, open_refunds)
