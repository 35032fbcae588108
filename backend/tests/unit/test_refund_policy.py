"""Issue 18 part 6: one policy object judges every refund decision, names its version and
rule in words, refuses a draft that contradicts itself, and re-judges the last decisions
under a draft (the dry run)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.domain.access import Role
from supportdesk.domain.errors import ValidationFailed
from supportdesk.domain.policy import (
    DecidedRefund,
    DecisionFacts,
    DryRunOutcome,
    LineFacts,
    Money,
    PolicyRules,
    PublishedPolicy,
    Rule,
    decide,
    dry_run,
    judge,
)
from supportdesk.domain.window import WindowBasis

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HEADPHONES = LineFacts(sku="HP-100", category="audio", name="Wireless Headphones")
TV = LineFacts(sku="TV-55", category="electronics", name="Television")


def facts(
    *,
    action: str = "approved",
    delivered_days_ago: float | None = 5,
    shipped_days_ago: float | None = None,
    basis: WindowBasis | None = WindowBasis.DELIVERED,
    amount: int = 8999,
    decided_on_order: int = 0,
    role: Role = Role.AGENT,
    money: Money = Money.UNITS,
    lines: tuple[LineFacts, ...] = (HEADPHONES,),
) -> DecisionFacts:
    delivered = None if delivered_days_ago is None else NOW - delivered_days_ago * DAY
    if shipped_days_ago is None and delivered is not None:
        shipped_days_ago = (delivered_days_ago or 0) + 2
    shipped = None if shipped_days_ago is None else NOW - shipped_days_ago * DAY
    return DecisionFacts(
        action=action,
        at=NOW,
        role=role,
        money=money,
        amount=amount,
        currency="EUR",
        decided_on_order=decided_on_order,
        basis=basis,
        shipped_at=shipped,
        delivered_at=delivered,
        lines=lines,
    )


class TestADraftThatContradictsItselfIsRefusedWithTheFieldNamed:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"window_days": -1}, "window_days"),
            ({"lost_parcel_after_days": -3}, "lost_parcel_after_days"),
            ({"window_days": 5000}, "window_days"),
            ({"approval_threshold": -1}, "approval_threshold"),
            ({"settlement_threshold": -100}, "settlement_threshold"),
            ({"amount_refund_threshold": -1}, "amount_refund_threshold"),
            ({"final_sale_skus": ("TV-55", "TV-55")}, "final_sale_skus.1"),
            ({"final_sale_categories": ("",)}, "final_sale_categories.0"),
            ({"category_window_days": {"home": 7, "audio": -2}}, "category_windows.1.days"),
            (
                {"final_sale_categories": ("audio",), "category_window_days": {"audio": 30}},
                "category_windows.0.category",
            ),
        ],
    )
    def test_refused(self, change: dict[str, object], field: str) -> None:
        rules = replace(PolicyRules(), **change)  # type: ignore[arg-type]

        with pytest.raises(ValidationFailed) as refused:
            rules.check()

        assert refused.value.field == field

    def test_the_defaults_hold(self) -> None:
        PolicyRules().check()

    def test_rules_survive_storage(self) -> None:
        rules = PolicyRules(
            window_days=30,
            final_sale_skus=("GC-1",),
            final_sale_categories=("gift_cards",),
            category_window_days={"electronics": 30, "audio": 7},
        )

        assert PolicyRules.from_data(rules.to_data()) == rules


class TestTheWindowByCategory:
    def test_a_refund_of_several_categories_gets_the_shortest_window(self) -> None:
        rules = PolicyRules(window_days=14, category_window_days={"electronics": 30, "audio": 7})

        assert rules.window_days_for(["electronics", "audio"]) == 7
        assert rules.window_days_for(["electronics"]) == 30
        assert rules.window_days_for(["kitchen", "electronics"]) == 14

    def test_no_line_and_no_category_get_the_policys_window(self) -> None:
        rules = PolicyRules(window_days=21, category_window_days={"audio": 7})

        assert rules.window_days_for([]) == 21
        assert rules.window_days_for([None]) == 21

    def test_a_category_with_a_longer_window_is_refundable_after_the_default_one(self) -> None:
        rules = PolicyRules(category_window_days={"electronics": 30})

        assert judge(rules, facts(delivered_days_ago=20, lines=(TV,))).gateway_open is True
        assert judge(rules, facts(delivered_days_ago=20)).gateway_open is False


class TestTheGateway:
    def test_exactly_the_windows_last_moment_is_inside(self) -> None:
        judgement = judge(PolicyRules(window_days=14), facts(delivered_days_ago=14))

        assert (judgement.gateway_open, judgement.gateway_rule) == (True, Rule.DELIVERED)

    def test_a_second_after_the_window_is_outside(self) -> None:
        late = facts(delivered_days_ago=14 + 1 / 86400)

        judgement = judge(PolicyRules(window_days=14), late)

        assert (judgement.gateway_open, judgement.gateway_rule) == (False, Rule.OUTSIDE_WINDOW)
        assert judgement.gateway_words == "delivered 14 days ago, outside the 14-day window"

    def test_a_final_sale_sku_closes_the_gateway_whatever_the_window(self) -> None:
        judgement = judge(PolicyRules(final_sale_skus=("TV-55",)), facts(lines=(HEADPHONES, TV)))

        assert (judgement.gateway_open, judgement.gateway_rule) == (False, Rule.FINAL_SALE)
        assert judgement.gateway_words == "Television sold as final sale"

    def test_a_final_sale_category_closes_it_too(self) -> None:
        judgement = judge(PolicyRules(final_sale_categories=("audio",)), facts())

        assert judgement.gateway_rule is Rule.FINAL_SALE

    def test_final_sale_does_not_apply_to_an_amount(self) -> None:
        amount = facts(money=Money.AMOUNT, lines=())

        judgement = judge(PolicyRules(final_sale_categories=("audio",)), amount)

        assert judgement.gateway_open is True

    def test_a_parcel_lost_in_transit_opens_it_after_the_lost_parcel_days(self) -> None:
        lost = facts(
            delivered_days_ago=None, shipped_days_ago=12, basis=WindowBasis.LOST_IN_TRANSIT
        )

        assert judge(PolicyRules(lost_parcel_after_days=10), lost).gateway_open is True
        waiting = judge(PolicyRules(lost_parcel_after_days=12), lost)
        assert (waiting.gateway_open, waiting.gateway_words) == (
            False,
            "shipped 12 days ago, not yet lost after 12 days",
        )

    def test_an_order_not_shipped_is_a_cancellation(self) -> None:
        cancel = facts(
            delivered_days_ago=None, shipped_days_ago=None, basis=WindowBasis.NOT_SHIPPED
        )

        judgement = judge(PolicyRules(), cancel)

        assert (judgement.gateway_rule, judgement.gateway_words) == (
            Rule.NOT_SHIPPED,
            "not shipped: a cancellation",
        )


class TestTheLimits:
    def test_an_agent_is_within_the_limit_counting_the_orders_other_money(self) -> None:
        rules = PolicyRules(approval_threshold=50000)

        assert judge(rules, facts(amount=30000, decided_on_order=20000)).within_limit is True
        assert judge(rules, facts(amount=30000, decided_on_order=20001)).within_limit is False

    def test_the_words_count_the_orders_other_money(self) -> None:
        judgement = judge(PolicyRules(), facts(amount=500, decided_on_order=3000))

        assert judgement.limit_words == (
            "amount €5, €35 with the order's other refunds, within the agent limit of €500"
        )

    def test_each_kind_of_money_has_its_own_limit(self) -> None:
        rules = PolicyRules(
            approval_threshold=50000, amount_refund_threshold=2000, settlement_threshold=10000
        )

        assert judge(rules, facts(amount=3000, money=Money.AMOUNT)).within_limit is False
        assert judge(rules, facts(amount=3000, money=Money.SETTLEMENT)).within_limit is True
        assert judge(rules, facts(amount=20000, money=Money.SETTLEMENT)).within_limit is False

    def test_a_supervisor_decides_above_the_agent_limit(self) -> None:
        judgement = judge(PolicyRules(), facts(amount=89900, role=Role.SUPERVISOR))

        assert (judgement.within_limit, judgement.limit_rule) == (True, Rule.ABOVE_AGENT_LIMIT)
        assert judgement.limit_words == (
            "amount €899 above the agent limit of €500, decided by a supervisor"
        )


class TestADecisionNamesItsVersionAndRuleInWords:
    def test_an_approval(self) -> None:
        policy = PublishedPolicy(version=3, rules=PolicyRules())

        decision = decide(policy, facts())

        assert (decision.policy_version, decision.rule) == (3, Rule.DELIVERED)
        assert decision.explanation == (
            "approved under policy v3: delivered 5 days ago, window 14 days; amount €89.99 "
            "within the agent limit of €500"
        )

    def test_a_settlement_names_its_limit_and_what_the_gateway_said(self) -> None:
        policy = PublishedPolicy(version=1, rules=PolicyRules())
        settled = facts(
            action="settled", delivered_days_ago=20, amount=3000, money=Money.SETTLEMENT
        )

        decision = decide(policy, settled)

        assert decision.rule is Rule.AGENT_LIMIT
        assert decision.explanation == (
            "settled under policy v1: settlement of €30 within the agent limit for settlements "
            "of €500 (delivered 20 days ago, outside the 14-day window)"
        )
        assert decision.gateway_open is False

    def test_a_rejection_says_whether_the_gateway_was_open(self) -> None:
        policy = PublishedPolicy(version=2, rules=PolicyRules())

        decision = decide(policy, facts(action="rejected", delivered_days_ago=20))

        assert decision.rule is Rule.OUTSIDE_WINDOW
        assert decision.explanation == (
            "rejected under policy v2: delivered 20 days ago, outside the 14-day window (the "
            "gateway was closed)"
        )

    def test_a_decision_survives_storage(self) -> None:
        decision = decide(PublishedPolicy(version=4, rules=PolicyRules()), facts(lines=(TV,)))

        assert type(decision).from_data(decision.to_data()) == decision


class TestTheDryRunOverFixedHistory:
    def test_each_decision_is_judged_again_under_the_draft(self) -> None:
        v1 = PublishedPolicy(version=1, rules=PolicyRules())
        history = [
            # rejected outside the 14-day window: a 30-day window would have taken it
            ("rf_rejected_late", decide(v1, facts(action="rejected", delivered_days_ago=20))),
            # approved on day 5: the same under the draft
            ("rf_approved", decide(v1, facts())),
            # approved by an agent at €450: above the draft's €400 limit
            ("rf_agent_450", decide(v1, facts(amount=45000))),
            # settled outside the window: the draft's gateway would take it
            (
                "rf_settled_late",
                decide(
                    v1,
                    facts(
                        action="settled",
                        delivered_days_ago=25,
                        amount=3000,
                        money=Money.SETTLEMENT,
                    ),
                ),
            ),
            # approved a TV on day 3: the draft sells electronics as final sale
            ("rf_tv", decide(v1, facts(delivered_days_ago=3, lines=(TV,), role=Role.SUPERVISOR))),
            # rejected inside the window: the agent's choice, the same under any draft
            ("rf_rejected_inside", decide(v1, facts(action="rejected"))),
        ]
        draft = PolicyRules(
            window_days=30, approval_threshold=40000, final_sale_categories=("electronics",)
        )

        rows = dry_run(draft, [DecidedRefund(rf, "ORD-1", d) for rf, d in history])

        assert [(row.refund_id, row.outcome, row.draft_rule) for row in rows] == [
            ("rf_rejected_late", DryRunOutcome.COULD_APPROVE, Rule.DELIVERED),
            ("rf_approved", DryRunOutcome.SAME, Rule.DELIVERED),
            ("rf_agent_450", DryRunOutcome.NEEDS_SUPERVISOR, Rule.DELIVERED),
            ("rf_settled_late", DryRunOutcome.COULD_APPROVE, Rule.AGENT_LIMIT),
            ("rf_tv", DryRunOutcome.NOW_REFUSED, Rule.FINAL_SALE),
            ("rf_rejected_inside", DryRunOutcome.SAME, Rule.DELIVERED),
        ]
        assert rows[0].draft_explanation == "delivered 20 days ago, window 30 days"
        assert [row.changed for row in rows] == [True, False, True, True, True, False]

    def test_the_policy_in_force_as_a_draft_changes_nothing(self) -> None:
        v1 = PublishedPolicy(version=1, rules=PolicyRules())
        decided = [
            DecidedRefund(
                "rf_a", "ORD-1", decide(v1, facts(action="rejected", delivered_days_ago=20))
            ),
            DecidedRefund("rf_b", "ORD-1", decide(v1, facts(amount=89900, role=Role.ADMIN))),
        ]

        assert all(not row.changed for row in dry_run(v1.rules, decided))
