"""CaseService use cases against in-memory fakes of the ports."""

from __future__ import annotations

import pytest

from supportdesk.application.cases import ChangeCase
from supportdesk.domain.access import Actor
from supportdesk.domain.cases import CaseStatus, Channel, Priority
from supportdesk.domain.errors import (
    CaseHasOpenRefunds,
    Forbidden,
    InvalidTransition,
    NotFound,
    OrderNotFound,
    UpstreamUnavailable,
    ValidationFailed,
    VersionConflict,
)

from .builders import (
    AGENT,
    CUSTOMER,
    OTHER_CUSTOMER,
    a_case,
    a_desk,
    a_requested_refund,
    an_order,
    open_case_command,
)


class TestOpenCase:
    async def test_a_customer_opens_a_case_on_their_own_order_with_a_snapshot_of_its_lines(
        self,
    ) -> None:
        order = an_order()
        desk = a_desk(order)

        case = await desk.cases.open(open_case_command(order.id), CUSTOMER)

        stored = desk.store.cases[case.id]
        assert stored.status is CaseStatus.OPEN
        assert stored.customer_id == order.customer_id
        assert stored.version == 1
        assert stored.order.order_id == order.id
        assert stored.order.currency == "EUR"
        assert stored.order.lines == order.lines
        [event] = [e for e in desk.store.events if e.case_id == case.id]
        assert event.type == "case_opened"
        assert event.to_status == CaseStatus.OPEN.value
        assert event.actor_id == CUSTOMER.id

    async def test_the_snapshot_keeps_the_lines_as_they_were_when_the_case_was_opened(
        self,
    ) -> None:
        desk = a_desk(an_order())
        case = await a_case(desk)

        desk.orders.add(an_order(lines=an_order().lines[:1]))

        assert len(desk.store.cases[case.id].order.lines) == 2

    async def test_someone_elses_order_is_indistinguishable_from_an_unknown_one(self) -> None:
        desk = a_desk(an_order(id="ORD-BEN", customer_id="cust-ben"))

        with pytest.raises(OrderNotFound) as someone_elses:
            await desk.cases.open(open_case_command("ORD-BEN"), CUSTOMER)
        with pytest.raises(OrderNotFound) as unknown:
            await desk.cases.open(open_case_command("ORD-NOPE"), CUSTOMER)

        assert someone_elses.value.field == unknown.value.field == "order_id"
        assert desk.store.cases == {}
        assert desk.store.events == []

    async def test_an_order_system_that_cannot_answer_is_upstream_unavailable_and_stores_nothing(
        self,
    ) -> None:
        desk = a_desk(an_order())
        desk.orders.down = True

        with pytest.raises(UpstreamUnavailable):
            await desk.cases.open(open_case_command(), CUSTOMER)

        assert desk.store.cases == {}
        assert desk.store.events == []

    async def test_staff_open_a_case_that_belongs_to_the_orders_customer(self) -> None:
        order = an_order(customer_id="cust-ben")
        desk = a_desk(order)

        case = await desk.cases.open(open_case_command(order.id, Channel.PHONE), AGENT)

        stored = desk.store.cases[case.id]
        assert stored.customer_id == "cust-ben"
        assert stored.channel is Channel.PHONE
        [event] = [e for e in desk.store.events if e.case_id == case.id]
        assert (event.type, event.actor_id, event.actor_role) == ("case_opened", AGENT.id, "agent")

    async def test_staff_must_say_by_which_channel_the_customer_reached_them(self) -> None:
        desk = a_desk(an_order())

        with pytest.raises(ValidationFailed) as refused:
            await desk.cases.open(open_case_command(), AGENT)

        assert refused.value.field == "channel"
        assert desk.store.cases == {}

    async def test_staff_asking_for_an_unknown_order_get_order_not_found(self) -> None:
        desk = a_desk(an_order())

        with pytest.raises(OrderNotFound):
            await desk.cases.open(open_case_command("ORD-NOPE", Channel.EMAIL), AGENT)

        assert desk.store.cases == {}

    async def test_a_customers_own_case_comes_through_the_web_and_no_other_channel(
        self,
    ) -> None:
        desk = a_desk(an_order())

        web = await desk.cases.open(open_case_command(channel=Channel.WEB), CUSTOMER)
        with pytest.raises(ValidationFailed) as refused:
            await desk.cases.open(open_case_command(channel=Channel.PHONE), CUSTOMER)

        assert desk.store.cases[web.id].channel is Channel.WEB
        assert refused.value.field == "channel"
        assert list(desk.store.cases) == [web.id]


class TestChangeCase:
    async def test_a_stale_expected_version_is_refused_and_nothing_is_stored(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        events_before = list(desk.store.events)

        with pytest.raises(VersionConflict):
            await desk.cases.change(
                case.id,
                ChangeCase(status=CaseStatus.IN_PROGRESS, priority=Priority.URGENT),
                AGENT,
                expected_version=case.version - 1,
            )

        stored = desk.store.cases[case.id]
        assert stored.version == case.version
        assert stored.status is CaseStatus.OPEN
        assert stored.priority is Priority.NORMAL
        assert desk.store.events == events_before

    async def test_the_current_version_is_accepted_and_bumped(self) -> None:
        desk = a_desk()
        case = await a_case(desk)

        view = await desk.cases.change(
            case.id, ChangeCase(status=CaseStatus.IN_PROGRESS), AGENT, expected_version=1
        )

        assert view.case.version == desk.store.cases[case.id].version == 2
        assert desk.store.cases[case.id].status is CaseStatus.IN_PROGRESS

    @pytest.mark.parametrize("closer", [AGENT, CUSTOMER], ids=["staff", "owner"])
    async def test_a_case_with_a_refund_that_is_not_final_cannot_be_closed(
        self, closer: Actor
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await a_requested_refund(desk, case=case)
        version_before = desk.store.cases[case.id].version

        with pytest.raises(CaseHasOpenRefunds):
            await desk.cases.change(
                case.id, ChangeCase(status=CaseStatus.CLOSED), closer, expected_version=None
            )

        assert desk.store.cases[case.id].status is CaseStatus.OPEN
        assert desk.store.cases[case.id].version == version_before

    async def test_a_case_whose_refunds_are_all_final_can_be_closed(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        refund = await a_requested_refund(desk, case=case)
        await desk.refunds.reject(refund.id, AGENT, reason="not damaged", expected_version=None)

        view = await desk.cases.change(
            case.id, ChangeCase(status=CaseStatus.CLOSED), AGENT, expected_version=None
        )

        assert view.case.status is CaseStatus.CLOSED
        assert desk.store.cases[case.id].status is CaseStatus.CLOSED

    async def test_the_owner_cannot_move_a_waiting_case_back_to_work_by_a_status_change(
        self,
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await desk.cases.change(
            case.id, ChangeCase(status=CaseStatus.WAITING_ON_CUSTOMER), AGENT, None
        )

        with pytest.raises(InvalidTransition):
            await desk.cases.change(
                case.id, ChangeCase(status=CaseStatus.IN_PROGRESS), CUSTOMER, None
            )

        assert desk.store.cases[case.id].status is CaseStatus.WAITING_ON_CUSTOMER


class TestChangeMany:
    async def test_each_case_is_changed_alone_and_a_refused_one_says_why(self) -> None:
        desk = a_desk()
        free = await a_case(desk)
        held = await a_case(desk)
        await a_requested_refund(desk, case=held)
        held_version = desk.store.cases[held.id].version

        outcomes = await desk.cases.change_many(
            [free.id, held.id, "case_missing"],
            ChangeCase(status=CaseStatus.CLOSED, priority=Priority.HIGH),
            AGENT,
        )

        assert [(o.case_id, o.ok, o.code) for o in outcomes] == [
            (free.id, True, None),
            (held.id, False, "case_has_open_refunds"),
            ("case_missing", False, "not_found"),
        ]
        assert desk.store.cases[free.id].status is CaseStatus.CLOSED
        assert desk.store.cases[free.id].priority is Priority.HIGH
        # Never half a row: the priority of the refused case did not move either.
        assert desk.store.cases[held.id].priority is Priority.NORMAL
        assert desk.store.cases[held.id].version == held_version

    async def test_customers_may_not_change_cases_in_bulk(self) -> None:
        desk = a_desk()
        case = await a_case(desk)

        with pytest.raises(Forbidden):
            await desk.cases.change_many([case.id], ChangeCase(status=CaseStatus.CLOSED), CUSTOMER)

        assert desk.store.cases[case.id].status is CaseStatus.OPEN


class TestAddMessage:
    async def test_the_customers_reply_on_a_case_waiting_on_them_puts_it_back_in_progress(
        self,
    ) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await desk.cases.change(
            case.id, ChangeCase(status=CaseStatus.WAITING_ON_CUSTOMER), AGENT, None
        )

        message = await desk.cases.add_message(case.id, "Photos attached", False, CUSTOMER)

        stored = desk.store.cases[case.id]
        assert stored.status is CaseStatus.IN_PROGRESS
        assert desk.store.messages[message.id].body == "Photos attached"
        moved = [e for e in desk.store.events if e.type == "status_changed"][-1]
        assert (moved.from_status, moved.to_status) == ("waiting_on_customer", "in_progress")
        assert moved.actor_id == CUSTOMER.id

    async def test_a_staff_reply_on_a_waiting_case_leaves_it_waiting(self) -> None:
        desk = a_desk()
        case = await a_case(desk)
        await desk.cases.change(
            case.id, ChangeCase(status=CaseStatus.WAITING_ON_CUSTOMER), AGENT, None
        )

        await desk.cases.add_message(case.id, "Any news?", False, AGENT)

        assert desk.store.cases[case.id].status is CaseStatus.WAITING_ON_CUSTOMER

    async def test_another_customer_cannot_write_on_the_case(self) -> None:
        desk = a_desk()
        case = await a_case(desk)

        with pytest.raises(NotFound):
            await desk.cases.add_message(case.id, "hello", False, OTHER_CUSTOMER)

        assert desk.store.messages == {}
