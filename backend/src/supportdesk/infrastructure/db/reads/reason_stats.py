"""The overview's money per reason (docs/refund-reasons.md): four grouped reads, whatever
the number of refunds, and a look at the few refunds whose lines have reasons of their own."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.application.reads import ReasonFigures
from supportdesk.infrastructure.db.models import ReasonCodeRecord, RefundRecord

Key = tuple[str | None, str]  # (reason code, currency)


async def money_by_reason(session: AsyncSession) -> list[ReasonFigures]:
    """Per reason and currency: how many refunds were asked for with it, what the gateway
    paid back for it and what settlements gave for it.

    A refunded refund's lines count under their own reasons (shipping under the refund's);
    a settlement under the settlement's reason, which is the refund's unless staff chose
    another. Refunds from before the reasons list count under no reason."""
    r = RefundRecord
    counts = await _grouped(session, select(r.reason_code, r.currency, func.count()))
    refunded = await _grouped(
        session,
        select(r.reason_code, r.currency, func.sum(r.total_amount)).where(r.status == "refunded"),
    )
    settled_reason = func.coalesce(r.settlement["reason_code"].as_string(), r.reason_code)
    settled = await _grouped(
        session,
        select(settled_reason, r.currency, func.sum(r.settlement["amount"].as_integer())).where(
            r.status == "settled"
        ),
        group_by=(settled_reason, r.currency),
    )
    # Only a line whose reason is not its refund's stores one (mapping.refund_row), so
    # these are the refunds whose money is split over reasons: move each such line's
    # amount from the refund's reason to its own.
    split = await session.execute(
        select(r.reason_code, r.currency, r.items).where(
            r.status == "refunded", cast(r.items, String).contains('"reason_code"', autoescape=True)
        )
    )
    for reason_code, currency, items in split:
        for item in items:
            if "reason_code" in item:
                amount = sum(item["parts"])
                refunded[(reason_code, currency)] -= amount
                refunded[(item["reason_code"], currency)] += amount
    reasons = {
        code: (label, position)
        for code, label, position in await session.execute(
            select(ReasonCodeRecord.code, ReasonCodeRecord.label, ReasonCodeRecord.position)
        )
    }
    keys = set(counts) | {k for k, v in refunded.items() if v} | set(settled)

    def order(key: Key) -> tuple[int, int, str, str]:
        code, currency = key
        known = reasons.get(code) if code is not None else None
        return (0 if known else 1, known[1] if known else 0, code or "", currency)

    return [
        ReasonFigures(
            reason_code=code,
            reason_label=reasons[code][0] if code in reasons else None,
            currency=currency,
            refunds=counts.get((code, currency), 0),
            refunded_amount=refunded.get((code, currency), 0),
            settled_amount=settled.get((code, currency), 0),
        )
        for code, currency in sorted(keys, key=order)
    ]


async def _grouped(
    session: AsyncSession, query: Any, group_by: tuple[Any, ...] | None = None
) -> defaultdict[Key, int]:
    columns = group_by or (RefundRecord.reason_code, RefundRecord.currency)
    rows = await session.execute(query.group_by(*columns))
    return defaultdict(int, {(code, currency): int(n or 0) for code, currency, n in rows})
