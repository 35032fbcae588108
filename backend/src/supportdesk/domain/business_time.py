"""Business time: the hours a support team works, in the shop's time zone.

A clock of business time runs only inside the working hours of working days that are not
public holidays, measured in the zone's wall time (so a day on which the clocks change is
still "09:00 to 17:00" there, and a day open 00:00-24:00 lasts 23 or 25 hours). Plain
Python: the public holidays come in as any container of dates (the ``holidays`` package's
calendars are one; the infrastructure builds it from a country code).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# A calendar whose working days never come (every day a holiday, say) would make a clock
# that never runs; past ten years of days without a working hour we stop looking.
MOST_DAYS_SEARCHED = 3660
# Days whose working hours an instance keeps (``window``): decades of them, a few MB at most.
MOST_DAYS_KEPT = 20_000

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _RunningTotals:
    """The business time of consecutive days from ``first``: ``totals[i]`` is that of the
    days before ``first + i`` (from ``first``). Grows to cover the days asked about, and
    starts again from them when it would keep more than ``MOST_DAYS_KEPT`` days."""

    __slots__ = ("first", "totals")

    def __init__(self) -> None:
        self.first = date.min
        self.totals: list[timedelta] = []

    def cover(self, first: date, last: date, length: Callable[[date], timedelta]) -> None:
        if not self.totals:
            self.first, self.totals = first, [timedelta(0)]
        elif first < self.first:
            if (self.first - first).days + len(self.totals) > MOST_DAYS_KEPT:
                self.first, self.totals = first, [timedelta(0)]
            else:
                earlier = [timedelta(0)]
                day = first
                while day < self.first:
                    earlier.append(earlier[-1] + length(day))
                    day += timedelta(days=1)
                shift = earlier.pop()
                self.totals = earlier + [shift + total for total in self.totals]
                self.first = first
        end = (last - self.first).days
        if end >= MOST_DAYS_KEPT:
            self.first, self.totals = first, [timedelta(0)]
            end = (last - first).days
        totals = self.totals
        day = self.first + timedelta(days=len(totals) - 1)
        while len(totals) <= end:
            totals.append(totals[-1] + length(day))
            day += timedelta(days=1)

    def before(self, day: date) -> timedelta:
        return self.totals[(day - self.first).days]


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Working weekdays (0 = Monday), opening and closing as minutes after local midnight
    (``closes`` may be 1440: open until midnight), and the public holidays (local dates)."""

    zone: ZoneInfo
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    opens: int = 9 * 60
    closes: int = 17 * 60
    holidays: Container[date] = field(default_factory=frozenset)
    # Each day's window, worked out once. Reading a case's clocks walks every day from its
    # opening to now several times (the time spent, the due time, the time at risk, per
    # clock): for an open case of last year that was ~2 000 conversions from the zone's
    # wall time, a quarter of the CPU of reading a case. A day's window depends on nothing
    # but the fields above, which never change.
    _days: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Running totals of the days' working hours, so that the business time between two
    # moments is two lookups, not a walk over every day between them (reading one case
    # measured its clocks by walking ~30 days, 18 % of the read's CPU).
    _totals: _RunningTotals = field(
        default_factory=_RunningTotals, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self.working_days or not self.working_days <= set(range(7)):
            raise ValueError("at least one working day, numbered 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.opens < self.closes <= MINUTES_PER_DAY:
            raise ValueError("the opening time must come before the closing time")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours as UTC moments, or None on a day off."""
        try:
            return self._days[day]
        except KeyError:
            pass
        span = (
            (self._at(day, self.opens), self._at(day, self.closes))
            if self.is_working_day(day)
            else None
        )
        if len(self._days) >= MOST_DAYS_KEPT:
            self._days.clear()
        self._days[day] = span
        return span

    def _at(self, day: date, minutes: int) -> datetime:
        # Wall time of the zone; a time that does not exist on a day the clocks go forward
        # is read with the offset before the change (zoneinfo's fold=0).
        wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.zone).astimezone(UTC)

    def _windows_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working windows that end after ``moment``, in order."""
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for _ in range(MOST_DAYS_SEARCHED):
            span = self.window(day)
            day += timedelta(days=1)
            if span is not None and span[1] > moment:
                yield span
        raise ValueError("no working hours in the next ten years: check the calendar")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of business time has passed since ``start``. A
        start outside working hours waits for the next opening; nothing to wait for is
        ``start`` itself."""
        if duration <= timedelta(0):
            return start
        remaining = duration
        for opens, closes in self._windows_from(start):
            begin = max(opens, start)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable: _windows_from ends by raising")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from ``a`` to ``b``; negative when ``b`` comes first.

        A day's working hours lie inside that local day, so the business time up to a
        moment is that of the days before its local day plus the part of its own day's
        hours that has passed; the difference of two such sums is the answer."""
        if b < a:
            return -self.between(b, a)
        if b == a:
            return timedelta(0)
        first, last = self._local_day(a), self._local_day(b)
        if (last - first).days >= MOST_DAYS_KEPT:
            return self._walked_between(a, b)
        totals = self._totals
        totals.cover(first, last, self._length)
        return (
            totals.before(last)
            + self._passed_on(last, b)
            - totals.before(first)
            - self._passed_on(first, a)
        )

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _length(self, day: date) -> timedelta:
        span = self.window(day)
        return timedelta(0) if span is None else span[1] - span[0]

    def _passed_on(self, day: date, moment: datetime) -> timedelta:
        """How much of ``day``'s working hours lies before ``moment`` (a moment of that
        local day)."""
        span = self.window(day)
        if span is None or moment <= span[0]:
            return timedelta(0)
        return min(moment, span[1]) - span[0]

    def _walked_between(self, a: datetime, b: datetime) -> timedelta:
        """``between`` for ``a`` before ``b`` by walking every working day between them: for
        spans longer than the running totals keep."""
        total = timedelta(0)
        for opens, closes in self._windows_from(a):
            if opens >= b:
                break
            total += min(closes, b) - max(opens, a)
        return total


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    return hours.add(start, duration)


def business_time_between(hours: BusinessHours, a: datetime, b: datetime) -> timedelta:
    return hours.between(a, b)


def parse_working_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``mon,wed,fri``, ``mon-sun``, ``sat-sun,mon``: weekday names (``mon`` or
    ``monday``) or ranges of them (a range may wrap past Sunday). Raises ValueError naming
    what it could not read."""
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        first, _, last = part.partition("-")
        start = _weekday(first)
        end = _weekday(last) if last else start
        day = start
        days.add(day)
        while day != end:
            day = (day + 1) % 7
            days.add(day)
    if not days:
        raise ValueError("name at least one working day, like mon-fri")
    return frozenset(days)


_FULL_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(name: str) -> int:
    key = name.strip().lower()
    for names in (WEEKDAY_NAMES, _FULL_WEEKDAY_NAMES):
        if key in names:
            return names.index(key)
    raise ValueError(f"{name.strip()!r} is not a weekday like mon or a range like mon-fri")


def parse_working_hours(text: str) -> tuple[int, int]:
    """``09:00-17:00`` as minutes after midnight; ``24:00`` closes at midnight."""
    opens_text, sep, closes_text = text.strip().partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a span like 09:00-17:00")
    opens, closes = _minutes(opens_text), _minutes(closes_text)
    if opens >= closes:
        raise ValueError(f"{text!r}: the opening time must come before the closing time")
    return opens, closes


def _minutes(text: str) -> int:
    hours_text, sep, minutes_text = text.strip().partition(":")
    if not sep or not hours_text.isdigit() or not minutes_text.isdigit():
        raise ValueError(f"{text.strip()!r} is not a time like 09:00")
    hours, minutes = int(hours_text), int(minutes_text)
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text.strip()!r} is not a time between 00:00 and 24:00")
    return hours * 60 + minutes
