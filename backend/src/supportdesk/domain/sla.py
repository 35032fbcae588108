"""SLA clocks: how long the shop promises to take, per priority, in business time.

Two clocks run on every case from its opening: the first response (until the first public
reply of staff) and the resolution (until the case is resolved or closed). Both are pure
functions of the case's history and the business calendar (docs/sla.md):

- a clock counts only while the case is ``open`` or ``in_progress``: waiting on the customer
  pauses it, resolved or closed stops it; a reopened case resumes where it stopped (the time
  it spent resolved does not count);
- the target is the case's current priority's, counted from the opening (a change of
  priority re-reads the whole history with the new target, as if it had always been so);
- a case that staff opened for a customer who phoned, wrote or chatted has had its first
  response: the customer was talking to the agent who opened it;
- a clock whose due time passed before it was met is breached, once: the history gets one
  ``sla_breached`` event per clock and case, whatever happens after.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from supportdesk.domain.access import STAFF_ROLES, SYSTEM
from supportdesk.domain.business_time import BusinessHours
from supportdesk.domain.cases import CaseStatus, Priority
from supportdesk.domain.events import EntityKind, Event

SLA_BREACHED = "sla_breached"
# The last fifth of a target is "at risk".
AT_RISK_SHARE = 0.2
# Statuses in which the clocks run; waiting on the customer pauses them, resolved and
# closed stop them.
COUNTING = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS})
DONE = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})
_STAFF_ROLE_NAMES = frozenset(role.value for role in STAFF_ROLES)


class SlaClock(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"

    @property
    def words(self) -> str:
        """How the history names the clock (the ``sla_breached`` event's note)."""
        return self.value.replace("_", " ")


class SlaStatus(StrEnum):
    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"


# Which status a case shows when its clocks disagree: the worst one.
_SEVERITY = (SlaStatus.OK, SlaStatus.AT_RISK, SlaStatus.PAUSED, SlaStatus.BREACHED)


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """Business time per priority, for each clock."""

    first_response: Mapping[Priority, timedelta]
    resolution: Mapping[Priority, timedelta]

    def of(self, clock: SlaClock, priority: Priority) -> timedelta:
        table = self.first_response if clock is SlaClock.FIRST_RESPONSE else self.resolution
        return table[priority]


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    hours: BusinessHours
    targets: SlaTargets


@dataclass(frozen=True, slots=True)
class ClockReading:
    clock: SlaClock
    target: timedelta
    # When the target is (or was) reached, counting only the running spans; None while
    # the clock is paused or stopped short of it.
    due_at: datetime | None
    at_risk_at: datetime | None
    # When it was met: the first reply, or the last move to resolved or closed.
    met_at: datetime | None
    # Whether it still waits for something (not met, case not resolved or closed).
    pending: bool
    running: bool
    # Business time left at ``now`` (negative past the due time).
    left: timedelta
    breach_recorded: bool

    @property
    def breached_at(self) -> datetime | None:
        """The due time, if it came before the clock was met (or stopped)."""
        if self.due_at is None:
            return None
        if self.met_at is not None and self.met_at < self.due_at:
            return None
        return self.due_at

    def status(self, now: datetime) -> SlaStatus | None:
        if not self.pending:
            return None
        if self.due_at is not None and self.due_at <= now:
            return SlaStatus.BREACHED
        if not self.running:
            return SlaStatus.PAUSED
        if self.at_risk_at is not None and self.at_risk_at <= now:
            return SlaStatus.AT_RISK
        return SlaStatus.OK


@dataclass(frozen=True, slots=True)
class SlaState:
    first_response: ClockReading
    resolution: ClockReading
    # None when no clock waits for anything (resolved or closed).
    status: SlaStatus | None
    # The next moment the status changes by time alone (None: only a change of the case
    # can change it).
    next_check_at: datetime | None
    # Clocks past their due time whose breach the history does not hold yet.
    breaches_to_record: tuple[SlaClock, ...]
    first_responded_at: datetime | None

    @property
    def first_response_due_at(self) -> datetime | None:
        return self.first_response.due_at if self.first_response.pending else None

    @property
    def resolution_due_at(self) -> datetime | None:
        return self.resolution.due_at if self.resolution.pending else None

    @property
    def due_at(self) -> datetime | None:
        """The earliest due time that still waits for something: the list's ``due_at``."""
        pending = [d for d in (self.first_response_due_at, self.resolution_due_at) if d]
        return min(pending) if pending else None

    @property
    def clocks(self) -> tuple[ClockReading, ClockReading]:
        return self.first_response, self.resolution


def sla_state(
    policy: SlaPolicy,
    *,
    opened_at: datetime,
    priority: Priority,
    events: Sequence[Event],
    now: datetime,
) -> SlaState:
    """The case's clocks at ``now``, from its history events (oldest first; its refunds'
    events, if given, change nothing)."""
    events = [e for e in events if e.entity is EntityKind.SUPPORT_CASE]
    spans, status = _status_spans(opened_at, events, now)
    first_reply = _first_reply(events)
    recorded = {e.note for e in events if e.type == SLA_BREACHED}
    done = status in DONE
    last_done = _last_move_to_done(events) if done else None
    readings = (
        _reading(
            policy,
            SlaClock.FIRST_RESPONSE,
            priority,
            _until(spans, first_reply),
            met_at=first_reply,
            pending=first_reply is None and not done,
            recorded=recorded,
            now=now,
        ),
        _reading(
            policy,
            SlaClock.RESOLUTION,
            priority,
            spans,
            met_at=last_done,
            pending=not done,
            recorded=recorded,
            now=now,
        ),
    )
    statuses = [s for s in (r.status(now) for r in readings) if s is not None]
    upcoming = [
        moment
        for r in readings
        if r.pending and r.running
        for moment in (r.at_risk_at, r.due_at)
        if moment is not None and moment > now
    ]
    return SlaState(
        first_response=readings[0],
        resolution=readings[1],
        status=max(statuses, key=_SEVERITY.index) if statuses else None,
        next_check_at=min(upcoming) if upcoming else None,
        breaches_to_record=tuple(
            r.clock
            for r in readings
            if r.breached_at is not None and r.breached_at <= now and not r.breach_recorded
        ),
        first_responded_at=first_reply,
    )


# A span of time during which the clocks ran: [start, end); end None means "still running".
Span = tuple[datetime, datetime | None]


def _status_spans(
    opened_at: datetime, events: Iterable[Event], now: datetime
) -> tuple[list[Span], CaseStatus]:
    """The spans in which the case was open or in progress, and its status now."""
    status = CaseStatus.OPEN
    since: datetime | None = opened_at
    spans: list[Span] = []
    for event in events:
        if event.type != "status_changed" or event.to_status is None:
            continue
        target = CaseStatus(event.to_status)
        if since is not None and target not in COUNTING:
            spans.append((since, max(event.at, since)))
            since = None
        elif since is None and target in COUNTING:
            since = event.at
        status = target
    if since is not None:
        spans.append((since, None))
    return spans, status


def _until(spans: list[Span], end: datetime | None) -> list[Span]:
    """The spans cut at ``end``: a first response stops its clock for good."""
    if end is None:
        return spans
    cut: list[Span] = []
    for start, stop in spans:
        if start >= end:
            break
        cut.append((start, end if stop is None or stop > end else stop))
    return cut


def _first_reply(events: Iterable[Event]) -> datetime | None:
    """The first public message of staff, or the opening of a case staff opened for the
    customer (who was talking to them at that moment)."""
    for event in events:
        if event.actor_role not in _STAFF_ROLE_NAMES or event.actor_id == SYSTEM.id:
            continue
        if event.type in ("message_added", "case_opened"):
            return event.at
    return None


def _last_move_to_done(events: Sequence[Event]) -> datetime | None:
    for event in reversed(events):
        if event.type == "status_changed" and event.to_status in DONE:
            return event.at
    return None


def _reading(
    policy: SlaPolicy,
    clock: SlaClock,
    priority: Priority,
    spans: list[Span],
    *,
    met_at: datetime | None,
    pending: bool,
    recorded: set[str | None],
    now: datetime,
) -> ClockReading:
    target = policy.targets.of(clock, priority)
    hours = policy.hours
    running = pending and bool(spans) and spans[-1][1] is None
    spent = sum(
        (
            hours.between(start, stop if stop is not None else max(now, start))
            for start, stop in spans
        ),
        timedelta(0),
    )
    return ClockReading(
        clock=clock,
        target=target,
        due_at=_reached(hours, spans, target),
        at_risk_at=_reached(hours, spans, target * (1 - AT_RISK_SHARE)),
        met_at=met_at,
        pending=pending,
        running=running,
        left=target - spent,
        breach_recorded=clock.words in recorded,
    )


def _reached(hours: BusinessHours, spans: list[Span], amount: timedelta) -> datetime | None:
    """When the running spans add up to ``amount`` of business time: in a past span, in the
    span still running, or None if they stopped short of it."""
    remaining = amount
    for start, stop in spans:
        if stop is None:
            return hours.add(start, remaining)
        spent = hours.between(start, stop)
        if spent >= remaining:
            return hours.add(start, remaining)
        remaining -= spent
    return None


_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str) -> timedelta:
    """``8h``, ``30m``, ``1h30m``, ``90s``: business time."""
    shape = _DURATION.fullmatch(text.strip().lower())
    if shape is None or not any(shape.groups()):
        raise ValueError(f"{text.strip()!r} is not a duration like 8h, 30m or 1h30m")
    hours, minutes, seconds = (int(g or 0) for g in shape.groups())
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if duration <= timedelta(0):
        raise ValueError(f"{text.strip()!r}: a target must be longer than nothing")
    return duration


def parse_targets(text: str) -> dict[Priority, timedelta]:
    """``urgent=1h,high=4h,normal=8h,low=16h``: a target for every priority."""
    targets: dict[Priority, timedelta] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            priority = Priority(name.strip().lower())
        except ValueError:
            raise ValueError(
                f"{name.strip()!r} is not a priority ({', '.join(p.value for p in Priority)})"
            ) from None
        if not sep:
            raise ValueError(f"{part!r} is not priority=duration, like urgent=1h")
        targets[priority] = parse_duration(value)
    missing = [p.value for p in Priority if p not in targets]
    if missing:
        raise ValueError(f"no target for {', '.join(missing)}")
    return targets
