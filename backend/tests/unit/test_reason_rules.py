"""Reasons that can be counted: which reason is chosen, and where a refund keeps it
(docs/refund-reasons.md)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from supportdesk.domain.access import Role
from supportdesk.domain.cases import Category
from supportdesk.domain.errors import ValidationFailed
from supportdesk.domain.reasons import (
    DEFAULT_REASONS,
    FALLBACK_REASON,
    ReasonCode,
    check_code,
    chosen_reason,
    default_reason,
)
from supportdesk.domain.refunds import Refund, RequestedItem, calculate_refund
from tests.unit.test_refund_transitions import (
    NOW,
    make_actor,
    make_order,
    make_settlement,
)

KNOWN = {
    code: ReasonCode(code, label, True, position, 1, NOW, NOW)
    for position, (code, label) in enumerate(DEFAULT_REASONS, start=1)
}


def _refund(reason_code: str | None, lines: dict[str, str]) -> Refund:
    order = make_order()
    items = (RequestedItem("L1", 1), RequestedItem("L2", 2))
    return Refund.request(
        id="ref-1",
        support_case_id="case-1",
        order=order,
        calculation=calculate_refund(
            order, items, units_taken={}, shipping_taken=False, include_shipping=False
        ),
        reason="in my words",
        by=make_actor(Role.CUSTOMER),
        now=NOW,
        reason_code=reason_code,
        line_reason_codes=lines,
    )


class TestChoosing:
    def test_an_offered_reason_is_chosen(self) -> None:
        assert chosen_reason("damaged", KNOWN, field="reason_code").label == "Damaged"

    @pytest.mark.parametrize("code", ["nope", "Damaged", ""])
    def test_an_unknown_reason_is_refused_naming_the_field(self, code: str) -> None:
        with pytest.raises(ValidationFailed) as refused:
            chosen_reason(code, KNOWN, field="items.0.reason_code")
        assert refused.value.field == "items.0.reason_code"

    def test_a_deactivated_reason_is_not_chosen_anew(self) -> None:
        known = {**KNOWN, "goodwill": replace(KNOWN["goodwill"], active=False)}
        with pytest.raises(ValidationFailed, match="no longer offered"):
            chosen_reason("goodwill", known, field="reason_code")

    @pytest.mark.parametrize(
        ("category", "reason"),
        [
            (Category.DAMAGED_ITEM, "damaged"),
            (Category.WRONG_ITEM, "wrong_item"),
            (Category.MISSING_ITEM, "missing_item"),
            (Category.NOT_DELIVERED, "not_delivered"),
            (Category.RETURN_REFUND, FALLBACK_REASON),
            (Category.BILLING, FALLBACK_REASON),
            (Category.OTHER, FALLBACK_REASON),
        ],
    )
    def test_a_request_naming_no_reason_gets_its_categorys(
        self, category: Category, reason: str
    ) -> None:
        assert default_reason(category, KNOWN) == reason

    def test_a_categorys_reason_no_longer_offered_gives_way_to_the_fallback(self) -> None:
        known = {**KNOWN, "damaged": replace(KNOWN["damaged"], active=False)}
        assert default_reason(Category.DAMAGED_ITEM, known) == FALLBACK_REASON

    def test_the_fallback_reason_cannot_be_deactivated(self) -> None:
        assert KNOWN[FALLBACK_REASON].deactivation_refusal() is not None
        assert KNOWN["goodwill"].deactivation_refusal() is None

    @pytest.mark.parametrize("code", ["a", "Upper", "9lives", "with space", "x" * 41, "é_x"])
    def test_a_code_is_lower_case_letters_digits_and_underscores(self, code: str) -> None:
        with pytest.raises(ValidationFailed):
            check_code(code)


class TestWhereARefundKeepsItsReasons:
    def test_a_line_keeps_a_reason_only_when_it_is_not_the_refunds(self) -> None:
        refund = _refund("wrong_item", {"L1": "damaged", "L2": "wrong_item"})
        assert refund.line_reason_codes == {"L1": "damaged"}
        assert refund.reason_of_line("L1") == "damaged"
        assert refund.reason_of_line("L2") == "wrong_item"

    def test_a_settlement_without_a_reason_takes_the_refunds(self) -> None:
        refund = _refund("late_delivery", {})
        refund.settle(make_settlement(), by=make_actor(), now=NOW)
        assert refund.settlement is not None
        assert refund.settlement.reason_code == "late_delivery"

    def test_a_settlement_keeps_the_reason_staff_chose(self) -> None:
        refund = _refund("late_delivery", {})
        refund.settle(make_settlement(reason_code="goodwill"), by=make_actor(), now=NOW)
        assert refund.settlement is not None and refund.settlement.reason_code == "goodwill"
