"""The agents' overview: counts, sums and how long refunds take, over every row."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.application.reads import Stats
from supportdesk.infrastructure.db.models import RefundRecord, SupportCaseRecord


async def overview_stats(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Stats:
    """Counts by status, money refunded and settled per currency, and how long refunds take
    from request to a final state over the last 30 days."""
    c, r = SupportCaseRecord, RefundRecord
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
        created = await session.scalars(select(r.created_at).where(r.created_at >= since))
        per_day: dict[str, int] = {}
        for at in created:
            day = at.date().isoformat()
            per_day[day] = per_day.get(day, 0) + 1
    return Stats(
        cases_by_status={k: int(v) for k, v in cases.items()},
        refunds_by_status={k: int(v) for k, v in refunds.items()},
        refunded_totals={k: int(v or 0) for k, v in refunded.items()},
        settled_totals={k: int(v or 0) for k, v in settled.items()},
        median_seconds_to_final_30d=median(durations) if durations else None,
        refunds_per_day=sorted(per_day.items()),
    )
