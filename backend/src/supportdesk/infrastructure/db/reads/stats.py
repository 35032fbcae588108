"""The agents' overview: counts, sums and how long refunds take, over every row."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.application.reads import Stats
from supportdesk.domain.sla import SlaClock
from supportdesk.infrastructure.db.models import EventRecord, RefundRecord, SupportCaseRecord
from supportdesk.infrastructure.db.reads.reason_stats import money_by_reason

# Time to money is reported for this many ISO weeks, the current one included.
TIME_TO_MONEY_WEEKS = 8
MONEY_SENT = ("refunded", "settled")


async def overview_stats(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Stats:
    """Counts by status, money refunded and settled per currency, how long refunds take
    from request to a final state over the last 30 days, SLA breaches, the time to money
    per week, and the money per reason."""
    c, r, e = SupportCaseRecord, RefundRecord, EventRecord
    since = now - timedelta(days=30)
    async with sessions() as session:
        cases = dict(
            (await session.execute(select(c.status, func.count()).group_by(c.status))).all()
        )
        refunds = dict(
            (await session.execute(select(r.status, func.count()).group_by(r.status))).all()
        )
        refunded = dict(
            (
                await session.execute(
                    select(r.currency, func.sum(r.total_amount))
                    .where(r.status == "refunded")
                    .group_by(r.currency)
                )
            ).all()
        )
        settled: dict[str, int | None] = dict(
            (
                await session.execute(
                    select(r.currency, func.sum(r.settlement["amount"].as_integer()))
                    .where(r.status == "settled")
                    .group_by(r.currency)
                )
            ).all()
        )
        durations = [
            (final_at - created_at).total_seconds()
            for created_at, final_at in await session.execute(
                select(r.created_at, r.final_at).where(r.final_at.is_not(None), r.final_at >= since)
            )
            if final_at is not None
        ]
        breaches = dict(
            (
                await session.execute(
                    select(e.note, func.count())
                    .where(e.type == "sla_breached", e.at >= since)
                    .group_by(e.note)
                )
            ).all()
        )
        by_sla = dict(
            (
                await session.execute(
                    select(c.sla_status, func.count())
                    .where(c.sla_status.is_not(None))
                    .group_by(c.sla_status)
                )
            ).all()
        )
        weeks_since = _week_start(now) - timedelta(weeks=TIME_TO_MONEY_WEEKS - 1)
        per_week: dict[str, list[float]] = {}
        for created_at, final_at in await session.execute(
            select(r.created_at, r.final_at).where(
                r.status.in_(MONEY_SENT), r.final_at >= weeks_since
            )
        ):
            if final_at is None:
                continue
            year, week, _ = final_at.isocalendar()
            per_week.setdefault(f"{year}-W{week:02d}", []).append(
                (final_at - created_at).total_seconds()
            )
        created = await session.scalars(select(r.created_at).where(r.created_at >= since))
        per_day: dict[str, int] = {}
        for at in created:
            day = at.date().isoformat()
            per_day[day] = per_day.get(day, 0) + 1
        by_reason = await money_by_reason(session)
    return Stats(
        cases_by_status={k: int(v) for k, v in cases.items()},
        refunds_by_status={k: int(v) for k, v in refunds.items()},
        refunded_totals={k: int(v or 0) for k, v in refunded.items()},
        settled_totals={k: int(v or 0) for k, v in settled.items()},
        median_seconds_to_final_30d=median(durations) if durations else None,
        refunds_per_day=sorted(per_day.items()),
        sla_breaches_30d={clock.value: int(breaches.get(clock.words, 0)) for clock in SlaClock},
        cases_by_sla_status={str(k): int(v) for k, v in by_sla.items()},
        time_to_money_weeks=[
            (week, median(seconds), len(seconds)) for week, seconds in sorted(per_week.items())
        ],
        by_reason=by_reason,
    )


def _week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of ``now``'s ISO week."""
    day = now.astimezone(UTC).date() - timedelta(days=now.astimezone(UTC).weekday())
    return datetime.combine(day, time(), UTC)
