"""SPEC section 4: the 14-day refund window after delivery, inclusive, on aware times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from supportdesk.domain.window import RefundWindowPolicy

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
