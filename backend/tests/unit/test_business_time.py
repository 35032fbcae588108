"""The business-hours clock: weekends, holidays, the zone's clock changes, starts outside
working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.domain.business_time import (
    BusinessHours,
    add_business_time,
    business_time_between,
    parse_working_days,
    parse_working_hours,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
# 2026-12-24 (Thursday) is a working day, 25 and 26 are holidays, 27 a Sunday.
CHRISTMAS = frozenset({date(2026, 12, 25), date(2026, 12, 26)})
OFFICE = BusinessHours(zone=BERLIN, holidays=CHRISTMAS)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


class TestAddingBusinessTime:
    def test_time_inside_a_day_adds_as_it_is(self) -> None:
        assert OFFICE.add(berlin(2026, 12, 1, 10), 2 * H) == berlin(2026, 12, 1, 12)

    def test_what_does_not_fit_before_closing_continues_at_the_next_opening(self) -> None:
        assert OFFICE.add(berlin(2026, 12, 1, 16), 2 * H) == berlin(2026, 12, 2, 10)

    def test_a_start_before_opening_waits_for_the_opening(self) -> None:
        assert OFFICE.add(berlin(2026, 12, 1, 6), H) == berlin(2026, 12, 1, 10)

    def test_a_start_after_closing_counts_from_the_next_opening(self) -> None:
        assert OFFICE.add(berlin(2026, 12, 1, 20), H) == berlin(2026, 12, 2, 10)

    def test_the_weekend_does_not_count(self) -> None:
        # Friday 16:00 + 2 h: one hour on Friday, one on Monday.
        assert OFFICE.add(berlin(2026, 12, 4, 16), 2 * H) == berlin(2026, 12, 7, 10)

    def test_public_holidays_do_not_count(self) -> None:
        # Thursday 24 December 16:00 + 2 h: 25, 26 (holidays) and 27 (Sunday) pass.
        assert OFFICE.add(berlin(2026, 12, 24, 16), 2 * H) == berlin(2026, 12, 28, 10)

    def test_a_day_on_which_the_clocks_go_forward_still_has_its_working_hours(self) -> None:
        # Summer time starts on Sunday 29 March 2026; the office works every day 09-17.
        every_day = BusinessHours(zone=BERLIN, working_days=frozenset(range(7)))
        assert every_day.add(berlin(2026, 3, 28, 16), 2 * H) == berlin(2026, 3, 29, 10)
        assert every_day.between(berlin(2026, 3, 29, 9), berlin(2026, 3, 29, 17)) == 8 * H

    def test_a_day_open_around_the_clock_lasts_23_hours_when_the_clocks_go_forward(
        self,
    ) -> None:
        always = BusinessHours(zone=BERLIN, working_days=frozenset(range(7)), opens=0, closes=1440)
        assert always.between(berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)) == 23 * H
        assert always.between(berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0)) == 25 * H

    def test_nothing_to_add_is_the_start_itself(self) -> None:
        assert OFFICE.add(berlin(2026, 12, 5, 3), timedelta(0)) == berlin(2026, 12, 5, 3)

    def test_the_module_functions_are_the_calendars(self) -> None:
        start = berlin(2026, 12, 4, 16)
        assert add_business_time(OFFICE, start, 2 * H) == OFFICE.add(start, 2 * H)
        end = berlin(2026, 12, 7, 10)
        assert business_time_between(OFFICE, start, end) == 2 * H


class TestBusinessTimeBetween:
    def test_a_weekend_in_between_counts_nothing(self) -> None:
        assert OFFICE.between(berlin(2026, 12, 4, 16), berlin(2026, 12, 7, 10)) == 2 * H

    def test_a_span_outside_working_hours_is_nothing(self) -> None:
        assert OFFICE.between(berlin(2026, 12, 5, 10), berlin(2026, 12, 6, 18)) == timedelta(0)

    def test_backwards_is_negative(self) -> None:
        assert OFFICE.between(berlin(2026, 12, 1, 12), berlin(2026, 12, 1, 10)) == -2 * H


class TestParsing:
    def test_working_days_are_names_and_ranges(self) -> None:
        assert parse_working_days("mon-fri") == frozenset(range(5))
        assert parse_working_days("sat-mon") == frozenset({5, 6, 0})
        assert parse_working_days("Monday, wed") == frozenset({0, 2})

    @pytest.mark.parametrize("text", ["", "mon-fr", "holiday", "1-5"])
    def test_working_days_that_are_not_weekdays_are_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_working_days(text)

    def test_working_hours_may_close_at_midnight(self) -> None:
        assert parse_working_hours("09:00-17:30") == (540, 1050)
        assert parse_working_hours("00:00-24:00") == (0, 1440)

    @pytest.mark.parametrize("text", ["9-17", "17:00-09:00", "09:00-24:30", "09:60-10:00", ""])
    def test_working_hours_that_do_not_parse_are_refused(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_working_hours(text)

    def test_a_calendar_without_working_days_is_refused(self) -> None:
        with pytest.raises(ValueError):
            BusinessHours(zone=BERLIN, working_days=frozenset())


# Moments over several years, around the clock changes, in any zone offset.
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))
calendars = st.sampled_from(
    [
        OFFICE,
        BusinessHours(zone=BERLIN, working_days=frozenset(range(7)), opens=0, closes=1440),
        BusinessHours(zone=ZoneInfo("America/New_York"), opens=8 * 60, closes=20 * 60),
        BusinessHours(zone=ZoneInfo("Australia/Lord_Howe"), working_days=frozenset({0, 3})),
    ]
)


class TestProperties:
    @given(calendars, moments, durations)
    def test_adding_then_measuring_gives_back_what_was_added(
        self, hours: BusinessHours, start: datetime, duration: timedelta
    ) -> None:
        assert hours.between(start, hours.add(start, duration)) == duration

    @given(calendars, moments, durations, durations)
    def test_adding_more_never_gives_an_earlier_moment(
        self, hours: BusinessHours, start: datetime, a: timedelta, b: timedelta
    ) -> None:
        shorter, longer = sorted((a, b))
        assert hours.add(start, shorter) <= hours.add(start, longer)

    @given(calendars, moments, moments)
    def test_business_time_between_is_the_working_hours_of_the_days_between(
        self, hours: BusinessHours, a: datetime, b: datetime
    ) -> None:
        # The definition, day by day: each local day's working hours, cut to [a, b).
        start, stop = sorted((a, b))
        day = start.astimezone(hours.zone).date()
        total = timedelta(0)
        while (span := hours.window(day)) is None or span[0] < stop:
            if span is not None:
                total += max(timedelta(0), min(span[1], stop) - max(span[0], start))
            day += timedelta(days=1)
        assert hours.between(a, b) == (total if a <= b else -total)

    @given(calendars, moments, moments)
    def test_business_time_is_never_more_than_the_time_between(
        self, hours: BusinessHours, a: datetime, b: datetime
    ) -> None:
        assert abs(hours.between(a, b)) <= abs(b - a)


class TestRememberedDays:
    @given(calendars, moments, durations)
    def test_a_remembered_day_answers_as_a_fresh_calendar_does(
        self, hours: BusinessHours, start: datetime, duration: timedelta
    ) -> None:
        fresh = BusinessHours(
            zone=hours.zone,
            working_days=hours.working_days,
            opens=hours.opens,
            closes=hours.closes,
            holidays=hours.holidays,
        )
        assert hours.add(start, duration) == fresh.add(start, duration)
        assert hours.between(start, start + duration) == fresh.between(start, start + duration)

    def test_the_days_kept_stay_bounded(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from supportdesk.domain import business_time

        monkeypatch.setattr(business_time, "MOST_DAYS_KEPT", 10)
        hours = BusinessHours(zone=BERLIN, holidays=CHRISTMAS)
        assert hours.between(berlin(2026, 1, 1), berlin(2026, 3, 1)) == OFFICE.between(
            berlin(2026, 1, 1), berlin(2026, 3, 1)
        )
        assert len(hours._days) <= 10

    def test_the_running_totals_stay_bounded_and_right(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from supportdesk.domain import business_time

        monkeypatch.setattr(business_time, "MOST_DAYS_KEPT", 10)
        hours = BusinessHours(zone=BERLIN, holidays=CHRISTMAS)
        # Later, earlier, then far apart: each time the totals grow or start again.
        for first, last in [
            ((2026, 12, 21), (2026, 12, 29)),
            ((2026, 12, 15), (2026, 12, 18)),
            ((2026, 3, 2), (2026, 3, 5)),
            ((2026, 12, 24), (2026, 12, 28)),
        ]:
            a, b = berlin(*first, 12), berlin(*last, 12)
            assert hours.between(a, b) == OFFICE._walked_between(a, b)
            assert len(hours._totals.totals) <= 10
