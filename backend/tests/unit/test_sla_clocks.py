"""SLA clocks from a case's history: targets per priority in business time, paused while the
case waits on the customer, stopped when it is resolved, resumed when it is reopened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.domain.access import SYSTEM, Actor, Role
from supportdesk.domain.business_time import BusinessHours
from supportdesk.domain.cases import Priority
from supportdesk.domain.events import EntityKind, Event, new_event
from supportdesk.domain.sla import (
    SlaClock,
    SlaPolicy,
    SlaStatus,
    SlaTargets,
    parse_duration,
    parse_targets,
    sla_state,
)

H = timedelta(hours=1)
ALICE = Actor(id="u_alice", role=Role.CUSTOMER, customer_id="CUST-1001")
BOB = Actor(id="u_bob", role=Role.AGENT)
TARGETS = SlaTargets(
    first_response=parse_targets("urgent=1h,high=4h,normal=8h,low=16h"),
    resolution=parse_targets("urgent=8h,high=16h,normal=40h,low=80h"),
)
# Around the clock, every day: business time is plain time, so the arithmetic shows.
ALWAYS = SlaPolicy(
    hours=BusinessHours(
        zone=ZoneInfo("UTC"), working_days=frozenset(range(7)), opens=0, closes=1440
    ),
    targets=TARGETS,
)
# Monday to Friday, 09:00-17:00 in Berlin.
OFFICE = SlaPolicy(hours=BusinessHours(zone=ZoneInfo("Europe/Berlin")), targets=TARGETS)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a Tuesday, 09:00 in Berlin


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def opened(by: Actor = ALICE) -> Event:
    return _event(by, 0, "case_opened", to="open")


def moved(hours: float, source: str, target: str, by: Actor = BOB) -> Event:
    return _event(by, hours, "status_changed", source, target)


def message(hours: float, by: Actor = BOB) -> Event:
    return _event(by, hours, "message_added")


def _event(
    by: Actor, hours: float, type: str, source: str | None = None, to: str | None = None
) -> Event:
    return new_event(
        actor=by,
        at=at(hours),
        entity=EntityKind.SUPPORT_CASE,
        entity_id="case_1",
        case_id="case_1",
        type=type,
        from_status=source,
        to_status=to,
    )


def state(
    events: list[Event],
    now: float,
    priority: Priority = Priority.NORMAL,
    policy: SlaPolicy = ALWAYS,
):  # type: ignore[no-untyped-def]
    return sla_state(policy, opened_at=T0, priority=priority, events=events, now=at(now))


class TestFirstResponse:
    def test_the_first_reply_is_due_after_the_priority_s_target(self) -> None:
        s = state([opened()], now=1)
        assert s.first_response_due_at == at(8)
        assert s.resolution_due_at == at(40)
        assert s.status is SlaStatus.OK
        assert s.due_at == at(8)

    def test_an_internal_note_or_a_customer_s_message_is_not_a_first_response(self) -> None:
        events = [opened(), message(1, by=ALICE), _event(BOB, 2, "internal_note_added")]
        assert state(events, now=3).first_response_due_at == at(8)

    def test_a_public_reply_of_staff_meets_the_first_response(self) -> None:
        s = state([opened(), message(2)], now=3)
        assert s.first_response_due_at is None
        assert s.first_responded_at == at(2)
        assert s.due_at == at(40)

    def test_a_case_staff_opened_for_a_customer_has_had_its_first_response(self) -> None:
        s = state([opened(by=BOB)], now=1)
        assert s.first_response_due_at is None
        assert s.first_responded_at == T0

    def test_in_the_last_fifth_of_a_target_the_case_is_at_risk(self) -> None:
        assert state([opened()], now=6.3).status is SlaStatus.OK  # 8 h x 0.8 = 6.4 h
        assert state([opened()], now=6.4).status is SlaStatus.AT_RISK
        assert state([opened()], now=6.3).next_check_at == at(6.4)

    def test_past_the_due_time_the_case_is_breached_and_the_breach_is_to_be_recorded(
        self,
    ) -> None:
        s = state([opened()], now=8)
        assert s.status is SlaStatus.BREACHED
        assert s.breaches_to_record == (SlaClock.FIRST_RESPONSE,)

    def test_a_breach_the_history_holds_is_not_recorded_again(self) -> None:
        breach = _event(SYSTEM, 9, "sla_breached")
        breach = Event(**{**_fields(breach), "note": "first response"})
        s = state([opened(), breach], now=12)
        assert s.status is SlaStatus.BREACHED
        assert s.breaches_to_record == ()

    def test_a_reply_after_the_due_time_is_a_breach_too(self) -> None:
        s = state([opened(), message(9)], now=9)
        assert s.breaches_to_record == (SlaClock.FIRST_RESPONSE,)
        assert s.status is SlaStatus.OK  # nothing pending is late any more

    def test_the_urgent_target_is_shorter(self) -> None:
        assert state([opened()], now=0, priority=Priority.URGENT).first_response_due_at == at(1)

    def test_business_hours_push_the_due_time_past_the_weekend(self) -> None:
        friday_afternoon = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
        s = sla_state(
            OFFICE,
            opened_at=friday_afternoon,
            priority=Priority.HIGH,
            events=[Event(**{**_fields(opened()), "at": friday_afternoon})],
            now=friday_afternoon,
        )
        # One hour on Friday, three on Monday from 09:00 Berlin (08:00 UTC).
        assert s.first_response_due_at == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


class TestPauses:
    def test_waiting_on_the_customer_pauses_both_clocks(self) -> None:
        events = [opened(), moved(2, "open", "waiting_on_customer")]
        s = state(events, now=30)
        assert s.status is SlaStatus.PAUSED
        assert s.first_response_due_at is None
        assert s.resolution_due_at is None
        assert s.next_check_at is None
        assert s.first_response.left == 6 * H

    def test_the_paused_time_does_not_count_when_the_clock_runs_again(self) -> None:
        events = [
            opened(),
            moved(2, "open", "waiting_on_customer"),
            moved(5, "waiting_on_customer", "in_progress", by=ALICE),
        ]
        s = state(events, now=6)
        assert s.first_response_due_at == at(11)  # 2 h before, 6 h after the pause
        assert s.resolution_due_at == at(43)

    def test_a_breach_before_the_pause_stays_a_breach(self) -> None:
        events = [opened(), moved(9, "open", "waiting_on_customer")]
        s = state(events, now=10)
        assert s.status is SlaStatus.BREACHED
        assert s.first_response_due_at == at(8)


class TestResolution:
    def test_a_resolved_case_waits_for_nothing(self) -> None:
        events = [opened(), message(1), moved(3, "open", "resolved")]
        s = state(events, now=100)
        assert s.status is None
        assert s.due_at is None
        assert s.breaches_to_record == ()

    def test_a_case_reopened_after_resolution_resumes_without_the_resolved_time(self) -> None:
        events = [
            opened(),
            message(1),
            moved(10, "open", "resolved"),
            moved(50, "resolved", "open", by=ALICE),
        ]
        s = state(events, now=51)
        # 10 h before the resolution, 30 h more after the reopening.
        assert s.resolution_due_at == at(80)
        assert s.status is SlaStatus.OK

    def test_a_case_resolved_late_records_the_resolution_breach(self) -> None:
        events = [opened(), message(1), moved(41, "open", "resolved")]
        assert state(events, now=41).breaches_to_record == (SlaClock.RESOLUTION,)

    def test_a_first_response_never_given_before_resolution_is_not_pending(self) -> None:
        events = [opened(), moved(3, "open", "resolved")]
        s = state(events, now=20)
        assert s.first_response_due_at is None
        assert s.breaches_to_record == ()

    def test_a_higher_priority_reapplies_its_target_from_the_opening(self) -> None:
        s = state([opened()], now=2, priority=Priority.URGENT)
        assert s.status is SlaStatus.BREACHED
        assert s.breaches_to_record == (SlaClock.FIRST_RESPONSE,)

    def test_refund_events_change_no_clock(self) -> None:
        refund = Event(
            **{**_fields(moved(2, "requested", "approved")), "entity": EntityKind.REFUND}
        )
        assert state([opened(), refund], now=3).due_at == at(8)


class TestParsing:
    def test_durations_are_hours_minutes_and_seconds(self) -> None:
        assert parse_duration("1h30m") == 90 * timedelta(minutes=1)
        assert parse_duration("45s") == timedelta(seconds=45)

    @pytest.mark.parametrize(
        "text", ["", "0m", "1 day", "urgent=1h", "urgent=1h,high=4h,normal=8h", "rush=1h"]
    )
    def test_targets_that_do_not_parse_or_miss_a_priority_are_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_targets(text)


def _fields(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in Event.__slots__}  # type: ignore[attr-defined]


spans = st.lists(st.tuples(st.floats(0.1, 20), st.floats(0.1, 20)), max_size=5)


class TestProperties:
    @given(spans, st.sampled_from(list(Priority)))
    def test_pauses_never_make_a_due_time_earlier(
        self, pauses: list[tuple[float, float]], priority: Priority
    ) -> None:
        without = state([opened()], now=0, priority=priority, policy=OFFICE)
        events = [opened()]
        moment = 0.0
        for running, paused in pauses:
            moment += running
            events.append(moved(moment, "open", "waiting_on_customer"))
            moment += paused
            events.append(moved(moment, "waiting_on_customer", "open", by=ALICE))
        with_pauses = state(events, now=moment, priority=priority, policy=OFFICE)
        assert with_pauses.resolution.due_at is not None
        assert without.resolution.due_at is not None
        assert with_pauses.resolution.due_at >= without.resolution.due_at
