"""The agents' overview: where all cases and refunds stand."""

from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.deps import CacheDep, ClockDep, ReadQueriesDep, StaffActor
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import (
    DayCount,
    MoneyTotal,
    ReasonStatsOut,
    StatsOut,
    WeekDuration,
)

router = APIRouter(tags=["overview"])


# The same figures serve every agent; a few seconds old is fresh enough for a dashboard and
# spares the database a scan of every case per page load.
STATS_FRESH_SECONDS = 15


@router.get(
    "/overview/stats",
    response_model=StatsOut,
    summary="Counts and sums for agents",
    responses=problems(403),
)
async def stats(
    actor: StaffActor, read: ReadQueriesDep, cache: CacheDep, clock: ClockDep
) -> StatsOut:
    cached = await cache.get("overview-stats")
    if cached is not None:
        return StatsOut.model_validate_json(cached)
    now = clock.now()
    figures = await read.stats(now)
    answer = StatsOut(
        as_of=now,
        cases_by_status=figures.cases_by_status,
        refunds_by_status=figures.refunds_by_status,
        refunded_totals=[
            MoneyTotal(currency=k, amount=v) for k, v in figures.refunded_totals.items()
        ],
        settled_totals=[
            MoneyTotal(currency=k, amount=v) for k, v in figures.settled_totals.items()
        ],
        median_seconds_to_final_30d=figures.median_seconds_to_final_30d,
        refunds_per_day=[DayCount(day=d, count=n) for d, n in figures.refunds_per_day],
        sla_breaches_30d=figures.sla_breaches_30d,
        cases_by_sla_status=figures.cases_by_sla_status,
        time_to_money_weeks=[
            WeekDuration(week=w, median_seconds=m, refunds=n)
            for w, m, n in figures.time_to_money_weeks
        ],
        refunds_by_reason=[
            ReasonStatsOut(
                reason_code=f.reason_code,
                reason_label=f.reason_label,
                currency=f.currency,
                refunds=f.refunds,
                refunded_amount=f.refunded_amount,
                settled_amount=f.settled_amount,
            )
            for f in figures.by_reason
        ],
    )
    await cache.set("overview-stats", answer.model_dump_json(), STATS_FRESH_SECONDS)
    return answer
