"""The refund window: how long after delivery a refund may go through the gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RefundWindow:
    """What the window looked like at one moment: recorded with every approval decision."""

    delivered_at: datetime | None
    closes_at: datetime | None
    open: bool


@dataclass(frozen=True, slots=True)
class RefundWindowPolicy:
    """A refund may be approved for the gateway only while ``now - delivered_at <= days``.

    An order that is not delivered is outside the window. The boundary is inclusive: at
    exactly ``days`` after delivery the window is still open.
    """

    days: int

    def window_for(self, delivered_at: datetime | None, now: datetime) -> RefundWindow:
        if delivered_at is None:
            return RefundWindow(delivered_at=None, closes_at=None, open=False)
        if delivered_at.tzinfo is None or now.tzinfo is None:
            raise ValueError("the window is computed on timezone-aware times only")
        closes_at = delivered_at + timedelta(days=self.days)
        return RefundWindow(delivered_at=delivered_at, closes_at=closes_at, open=now <= closes_at)
