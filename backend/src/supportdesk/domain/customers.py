"""A customer as staff see them: what they bought, what came back, and whether that is
unusual for the shop (docs/customers.md).

Pure: the customer's orders and refunds and the moment go in; totals and flags come out.
A flag is a prompt to look closer, never a decision: it changes nothing a customer may do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from supportdesk.domain.money import format_amount
from supportdesk.domain.orders import Order
from supportdesk.domain.refunds import Refund, RefundStatus

RECENT = timedelta(days=90)
YEAR = timedelta(days=365)

# Refunds that gave nothing back and never will: the customer withdrew it, or staff refused.
_GAVE_NOTHING = frozenset({RefundStatus.CANCELLED, RefundStatus.REJECTED})


@dataclass(frozen=True, slots=True)
class FlagPolicy:
    """When a customer's refunds are unusual for the shop: more than ``most_refunds`` of
    them in the last 90 days, or more than ``most_share_percent`` % of what they spent in
    the last 90 days coming back. Settings: ``CUSTOMER_FLAG_MOST_REFUNDS_90D`` and
    ``CUSTOMER_FLAG_MOST_REFUND_SHARE_PERCENT``."""

    most_refunds: int = 3
    most_share_percent: int = 30


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # many_refunds, high_refund_share
    explanation: str


@dataclass(frozen=True, slots=True)
class CustomerTotals:
    """Sums in the minor unit of ``currency`` (the currency of most of the customer's
    orders; orders and refunds in another currency are left out of the sums)."""

    currency: str | None
    refunded: int  # refunds paid back through the gateway, all time
    settled: int  # settlements recorded instead, all time
    count_90d: int  # refunds asked for in the last 90 days, except cancelled and rejected
    spent_90d: int  # what orders placed in the last 90 days cost
    returned_90d: int  # what refunds asked for in the last 90 days gave or may give back
    spent_12m: int
    returned_12m: int

    @property
    def refund_rate_12m_percent(self) -> float | None:
        """What came back of what was spent over the last 12 months, in percent (one
        decimal); None without any spending."""
        if self.spent_12m <= 0:
            return None
        return round(100 * self.returned_12m / self.spent_12m, 1)


def returned_amount(refund: Refund) -> int:
    """What a refund gave back or may still give back: a settlement its agreed amount, a
    refused or withdrawn one nothing, any other its total."""
    if refund.status in _GAVE_NOTHING:
        return 0
    if refund.status is RefundStatus.SETTLED and refund.settlement is not None:
        return refund.settlement.amount
    return refund.total_amount


def totals_of(orders: list[Order], refunds: list[Refund], *, now: datetime) -> CustomerTotals:
    """The customer's figures at ``now``."""
    currencies = Counter(o.currency for o in orders) or Counter(r.currency for r in refunds)
    currency = currencies.most_common(1)[0][0] if currencies else None
    orders = [o for o in orders if o.currency == currency]
    refunds = [r for r in refunds if r.currency == currency]

    def spent(since: datetime) -> int:
        return sum(o.gross for o in orders if o.placed_at >= since)

    def returned(since: datetime) -> int:
        return sum(returned_amount(r) for r in refunds if r.created_at >= since)

    return CustomerTotals(
        currency=currency,
        refunded=sum(r.total_amount for r in refunds if r.status is RefundStatus.REFUNDED),
        settled=sum(
            r.settlement.amount
            for r in refunds
            if r.status is RefundStatus.SETTLED and r.settlement is not None
        ),
        count_90d=sum(
            1 for r in refunds if r.created_at >= now - RECENT and r.status not in _GAVE_NOTHING
        ),
        spent_90d=spent(now - RECENT),
        returned_90d=returned(now - RECENT),
        spent_12m=spent(now - YEAR),
        returned_12m=returned(now - YEAR),
    )


def flags_for(totals: CustomerTotals, policy: FlagPolicy) -> list[Flag]:
    """The flags the figures raise, each with the rule in words. The share needs spending
    in the window: refunds of older orders alone are counted, not shared."""
    flags: list[Flag] = []
    if totals.count_90d > policy.most_refunds:
        flags.append(
            Flag(
                "many_refunds",
                f"{totals.count_90d} refunds asked for in the last 90 days "
                f"(the shop flags more than {policy.most_refunds})",
            )
        )
    if (
        totals.currency is not None
        and totals.spent_90d > 0
        and totals.returned_90d * 100 > policy.most_share_percent * totals.spent_90d
    ):
        share = round(100 * totals.returned_90d / totals.spent_90d)
        flags.append(
            Flag(
                "high_refund_share",
                f"{format_amount(totals.returned_90d, totals.currency)} of "
                f"{format_amount(totals.spent_90d, totals.currency)} spent in the last 90 days "
                f"came back or is asked back ({share} %; the shop flags more than "
                f"{policy.most_share_percent} %)",
            )
        )
    return flags
