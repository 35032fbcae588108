"""The refund window: when a refund may go through the gateway, and by which rule.

Three rules open it (docs/refund-window.md):

- ``delivered``: for ``days`` after delivery (SPEC section 4);
- ``not_shipped``: while the order has not shipped, whatever the case is about: the refund
  is a cancellation of everything not shipped;
- ``lost_in_transit``: an order that shipped and was not delivered counts as lost once
  more than ``lost_parcel_after_days`` have passed since it shipped; a case about an order
  that never arrived (``not_delivered``) may then be refunded, for ``days`` from that
  moment, as a delivered order would be for ``days`` after delivery.

Any other undelivered order is outside the window (basis ``none``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from supportdesk.domain.cases import Category
from supportdesk.domain.orders import Order


class WindowBasis(StrEnum):
    """Which rule decides a refund's window."""

    DELIVERED = "delivered"
    NOT_SHIPPED = "not_shipped"
    LOST_IN_TRANSIT = "lost_in_transit"
    NONE = "none"


# The case categories a lost parcel is refunded for: a case about the parcel that never came.
LOST_PARCEL_CATEGORIES = frozenset({Category.NOT_DELIVERED})


def window_basis(
    shipped_at: datetime | None, delivered_at: datetime | None, category: Category | None
) -> WindowBasis:
    """The rule for an order that shipped and was delivered when these say, for a case of
    ``category``. ``None``: the order on its own, before any case (its page), judged as a
    case about a parcel that never came would be, the case such an order leads to.

    The rule does not change with time, only with the order's fulfilment: a refund keeps
    it, and its window is worked out again from it whenever it is shown."""
    if delivered_at is not None:
        return WindowBasis.DELIVERED
    if shipped_at is None:
        return WindowBasis.NOT_SHIPPED
    if category is None or category in LOST_PARCEL_CATEGORIES:
        return WindowBasis.LOST_IN_TRANSIT
    return WindowBasis.NONE


@dataclass(frozen=True, slots=True)
class RefundWindow:
    """What the window looked like at one moment: recorded with every approval decision.

    ``opens_at`` is set only where the window opens later than the fact it rests on (the
    moment a parcel counts as lost); ``closes_at`` is None while nothing closes it (an
    order not shipped) or nothing opens it (basis ``none``)."""

    delivered_at: datetime | None
    closes_at: datetime | None
    open: bool
    basis: WindowBasis
    shipped_at: datetime | None = None
    opens_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefundWindowPolicy:
    """A refund may be approved for the gateway only inside the window of its basis.

    Delivered: while ``now - delivered_at <= days`` (inclusive: at exactly ``days`` after
    delivery it is still open). Lost in transit: from strictly more than
    ``lost_parcel_after_days`` after shipping (at exactly that moment the parcel may still
    come), for ``days`` after that moment, inclusive again.
    """

    days: int
    lost_parcel_after_days: int = 10

    def window_for(
        self, delivered_at: datetime | None, now: datetime, *, shipped_at: datetime | None = None
    ) -> RefundWindow:
        """The window by the delivery time alone: every delivered order, and a refund
        recorded before the rules of undelivered orders (its basis was not kept)."""
        if delivered_at is None:
            return RefundWindow(
                delivered_at=None,
                closes_at=None,
                open=False,
                basis=WindowBasis.NONE,
                shipped_at=shipped_at,
            )
        _aware(delivered_at, now)
        closes_at = delivered_at + timedelta(days=self.days)
        return RefundWindow(
            delivered_at=delivered_at,
            closes_at=closes_at,
            open=now <= closes_at,
            basis=WindowBasis.DELIVERED,
            shipped_at=shipped_at,
        )

    def window_of(self, order: Order, now: datetime, *, category: Category | None) -> RefundWindow:
        """The window of ``order`` now, for a case of ``category`` (None: the order alone)."""
        basis = window_basis(order.shipped_at, order.delivered_at, category)
        return self.window_on(basis, order.shipped_at, order.delivered_at, now)

    def window_on(
        self,
        basis: WindowBasis,
        shipped_at: datetime | None,
        delivered_at: datetime | None,
        now: datetime,
    ) -> RefundWindow:
        """The window of a known basis (a refund's) at ``now``."""
        if basis is WindowBasis.DELIVERED:
            return self.window_for(delivered_at, now, shipped_at=shipped_at)
        if basis is WindowBasis.NOT_SHIPPED:
            return RefundWindow(delivered_at=None, closes_at=None, open=True, basis=basis)
        if basis is WindowBasis.LOST_IN_TRANSIT and shipped_at is not None:
            _aware(shipped_at, now)
            lost_at = shipped_at + timedelta(days=self.lost_parcel_after_days)
            closes_at = lost_at + timedelta(days=self.days)
            return RefundWindow(
                delivered_at=None,
                closes_at=closes_at,
                open=lost_at < now <= closes_at,
                basis=basis,
                shipped_at=shipped_at,
                opens_at=lost_at,
            )
        return self.window_for(None, now, shipped_at=shipped_at)


def outside_because(window: RefundWindow) -> str | None:
    """Why an undelivered order is outside the window, in words for staff; None for a
    delivered one (its closing time says it all)."""
    shipped_at, opens_at, closes_at = window.shipped_at, window.opens_at, window.closes_at
    if window.basis is WindowBasis.LOST_IN_TRANSIT and shipped_at and opens_at and closes_at:
        lost_days = (opens_at - shipped_at).days
        return (
            f"the parcel shipped on {_when(shipped_at)}; it counts as lost in transit after "
            f"{lost_days} days, on {_when(opens_at)}, and may be refunded as lost until "
            f"{_when(closes_at)}"
        )
    if window.basis is WindowBasis.NONE:
        if shipped_at is not None:
            return (
                f"it shipped on {_when(shipped_at)} and is not delivered; a parcel that never "
                "arrives is refunded as lost in transit in a case about an order not delivered"
            )
        return "it is not delivered"
    return None


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _aware(moment: datetime, now: datetime) -> None:
    if moment.tzinfo is None or now.tzinfo is None:
        raise ValueError("the window is computed on timezone-aware times only")
