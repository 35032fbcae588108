"""Reasons that can be counted: why money goes back, chosen from a list admins keep
(docs/refund-reasons.md).

A reason is a stable ``code`` (what history, stats and exports count by) with a ``label``
people read. Codes are never deleted nor renamed: the refunds that name one keep naming it.
An admin renames the label, or deactivates the reason, which takes it off the choices for
new refunds and settlements while the old ones keep it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from supportdesk.domain.cases import Category
from supportdesk.domain.errors import ValidationFailed

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"
_CODE = re.compile(CODE_PATTERN)
MOST_LABEL = 80

# The list a new installation starts with (migration 0017 writes the same rows).
DEFAULT_REASONS: tuple[tuple[str, str], ...] = (
    ("damaged", "Damaged"),
    ("wrong_item", "Wrong item"),
    ("missing_item", "Missing item"),
    ("not_delivered", "Not delivered"),
    ("late_delivery", "Late delivery"),
    ("changed_mind", "Changed mind"),
    ("goodwill", "Goodwill"),
    ("price_adjustment", "Price adjustment"),
    ("duplicate_charge", "Duplicate charge"),
    ("other", "Other"),
)

# The reason of a request that names none and whose case's category suggests none. It is
# always offered, so that a client which predates reasons is never refused for lack of one.
FALLBACK_REASON = "other"

# A request that names no reason gets the one its case's category says, when offered.
_REASON_OF_CATEGORY = {
    Category.DAMAGED_ITEM: "damaged",
    Category.WRONG_ITEM: "wrong_item",
    Category.MISSING_ITEM: "missing_item",
    Category.NOT_DELIVERED: "not_delivered",
}


@dataclass(slots=True)
class ReasonCode:
    code: str
    label: str
    active: bool
    # Where it stands in the choices: the defaults in the order above, new ones after.
    position: int
    version: int
    created_at: datetime
    updated_at: datetime

    def deactivation_refusal(self) -> ValidationFailed | None:
        """The fallback reason stays offered: requests that name none get it."""
        if self.code == FALLBACK_REASON:
            return ValidationFailed(
                f"'{FALLBACK_REASON}' is the reason of requests that name none, so it stays "
                "offered; rename its label if you like",
                field="active",
            )
        return None


def check_code(code: str) -> None:
    if not _CODE.match(code):
        raise ValidationFailed(
            "a reason code is 2 to 40 lower-case letters, digits and underscores, "
            "beginning with a letter",
            field="code",
        )


def suggested_reason(category: Category) -> str:
    """The reason a refund request on a case of ``category`` gets unless it names one."""
    return _REASON_OF_CATEGORY.get(category, FALLBACK_REASON)


def chosen_reason(code: str, known: Mapping[str, ReasonCode], *, field: str) -> ReasonCode:
    """A reason chosen for a new refund, line or settlement: one of the list, and offered.
    A deactivated one stays on the refunds that have it, but is not chosen anew."""
    reason = known.get(code)
    if reason is None:
        offered = ", ".join(r.code for r in known.values() if r.active)
        raise ValidationFailed(
            f"unknown reason code '{code}'; the reasons offered are {offered}", field=field
        )
    if not reason.active:
        raise ValidationFailed(
            f"the reason '{reason.label}' ({code}) is no longer offered; choose another",
            field=field,
        )
    return reason


def default_reason(category: Category, known: Mapping[str, ReasonCode]) -> str:
    """The reason of a request that names none: its category's, while that is offered."""
    suggested = suggested_reason(category)
    reason = known.get(suggested)
    return suggested if reason is not None and reason.active else FALLBACK_REASON
