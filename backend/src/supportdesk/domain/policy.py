"""The refund policy: the rules that decide a refund, kept as versioned data.

One object holds every rule (docs/refund-policy.md): the window's days (and per product
category), the days after which a parcel counts as lost, what an agent may decide per order
for each kind of money, and the SKUs and categories sold as final sale. Admins publish a new
version to change any of it; every approval, rejection and settlement records the version
and the rule that decided it, with the facts it was judged on, so that a draft can be tried
on the last weeks' decisions (``dry_run``) before it is published.

One function judges (``judge``): the live decision and the dry run ask it the same question,
so a dry run says what the draft would really have done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from supportdesk.domain.access import Role
from supportdesk.domain.errors import ValidationFailed
from supportdesk.domain.money import format_amount
from supportdesk.domain.window import RefundWindow, RefundWindowPolicy, WindowBasis

MOST_DAYS = 3650
MOST_LISTED = 500


class Money(StrEnum):
    """The kinds of money an agent's limit is set for."""

    UNITS = "units"  # a refund of units through the gateway
    AMOUNT = "amount"  # a refund of an amount through the gateway
    SETTLEMENT = "settlement"  # store credit, voucher, transfer, replacement


class Rule(StrEnum):
    """The rules a decision names: which opened (or closed) the gateway, and which limit."""

    DELIVERED = "delivered_within_window"
    NOT_SHIPPED = "not_shipped"
    LOST_IN_TRANSIT = "lost_in_transit"
    OUTSIDE_WINDOW = "outside_window"
    FINAL_SALE = "final_sale"
    AGENT_LIMIT = "within_agent_limit"
    ABOVE_AGENT_LIMIT = "above_agent_limit"


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """Every rule a refund is decided by. Money in minor units, days in whole days."""

    window_days: int = 14
    lost_parcel_after_days: int = 10
    # What an agent may decide per order, counting the order's other decided money.
    approval_threshold: int = 50000
    amount_refund_threshold: int = 50000
    settlement_threshold: int = 50000
    final_sale_skus: tuple[str, ...] = ()
    final_sale_categories: tuple[str, ...] = ()
    # A product category's own window (days after delivery), instead of ``window_days``.
    category_window_days: Mapping[str, int] = field(default_factory=dict)

    def check(self) -> None:
        """Refuse a policy that contradicts itself, naming the field."""
        for name in ("window_days", "lost_parcel_after_days"):
            _days(getattr(self, name), name)
        for name in ("approval_threshold", "amount_refund_threshold", "settlement_threshold"):
            if getattr(self, name) < 0:
                raise ValidationFailed(f"{name} cannot be below zero", field=name)
        for name in ("final_sale_skus", "final_sale_categories"):
            values: tuple[str, ...] = getattr(self, name)
            if len(values) > MOST_LISTED:
                raise ValidationFailed(f"at most {MOST_LISTED} entries", field=name)
            for index, value in enumerate(values):
                if not value.strip() or value != value.strip():
                    raise ValidationFailed(
                        "entries are non-empty, without spaces around", field=f"{name}.{index}"
                    )
                if value in values[:index]:
                    raise ValidationFailed(f"'{value}' is listed twice", field=f"{name}.{index}")
        if len(self.category_window_days) > MOST_LISTED:
            raise ValidationFailed(f"at most {MOST_LISTED} entries", field="category_windows")
        # Named as the API lists them: category_windows.<index>.category / .days
        for index, (category, days) in enumerate(self.category_window_days.items()):
            where = f"category_windows.{index}"
            if not category.strip() or category != category.strip():
                raise ValidationFailed(
                    "a category is non-empty, without spaces around", f"{where}.category"
                )
            _days(days, f"{where}.days")
            if category in self.final_sale_categories:
                raise ValidationFailed(
                    f"'{category}' is final sale, so it has no window of its own",
                    f"{where}.category",
                )

    def threshold(self, money: Money) -> int:
        return {
            Money.UNITS: self.approval_threshold,
            Money.AMOUNT: self.amount_refund_threshold,
            Money.SETTLEMENT: self.settlement_threshold,
        }[money]

    def window_days_for(self, categories: Iterable[str | None]) -> int:
        """The days of a refund of lines of these categories: the shortest of theirs, so
        no line is refunded after its own window (an amount refund, of no line: the
        policy's)."""
        days = [self.category_window_days.get(c or "", self.window_days) for c in categories]
        return min(days, default=self.window_days)

    def window(self, categories: Iterable[str | None] = ()) -> RefundWindowPolicy:
        return RefundWindowPolicy(
            days=self.window_days_for(categories),
            lost_parcel_after_days=self.lost_parcel_after_days,
        )

    def final_sale(self, lines: Iterable[LineFacts]) -> list[LineFacts]:
        """The lines never refunded through the gateway."""
        skus, categories = set(self.final_sale_skus), set(self.final_sale_categories)
        return [line for line in lines if line.sku in skus or (line.category or "") in categories]

    def to_data(self) -> dict[str, object]:
        return {
            "window_days": self.window_days,
            "lost_parcel_after_days": self.lost_parcel_after_days,
            "approval_threshold": self.approval_threshold,
            "amount_refund_threshold": self.amount_refund_threshold,
            "settlement_threshold": self.settlement_threshold,
            "final_sale_skus": list(self.final_sale_skus),
            "final_sale_categories": list(self.final_sale_categories),
            "category_window_days": dict(sorted(self.category_window_days.items())),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> PolicyRules:
        def number(name: str) -> int:
            value = data[name]
            assert isinstance(value, int)
            return value

        def texts(name: str) -> tuple[str, ...]:
            value = data.get(name) or []
            assert isinstance(value, list)
            return tuple(str(v) for v in value)

        windows = data.get("category_window_days") or {}
        assert isinstance(windows, dict)
        return cls(
            window_days=number("window_days"),
            lost_parcel_after_days=number("lost_parcel_after_days"),
            approval_threshold=number("approval_threshold"),
            amount_refund_threshold=number("amount_refund_threshold"),
            settlement_threshold=number("settlement_threshold"),
            final_sale_skus=texts("final_sale_skus"),
            final_sale_categories=texts("final_sale_categories"),
            category_window_days={str(k): int(v) for k, v in windows.items()},
        )


def _days(value: int, name: str) -> None:
    if not 0 <= value <= MOST_DAYS:
        raise ValidationFailed(f"{name} must be between 0 and {MOST_DAYS} days", field=name)


@dataclass(frozen=True, slots=True)
class PublishedPolicy:
    """A version of the policy: version 1 is the service's settings, until an admin
    publishes another."""

    version: int
    rules: PolicyRules
    created_at: datetime | None = None
    created_by: str | None = None  # a user id; None for version 1 from the settings
    note: str = ""


@dataclass(frozen=True, slots=True)
class LineFacts:
    sku: str
    category: str | None
    name: str


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """What a decision was judged on, kept with it: enough to judge it again under
    another policy (the dry run) without asking the order system."""

    action: str  # approved, rejected, settled
    at: datetime
    role: Role
    money: Money
    amount: int  # what the decision gives: the refund's total, or the settlement's amount
    currency: str
    decided_on_order: int  # what the order's other refunds gave by decisions before
    basis: WindowBasis | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: tuple[LineFacts, ...] = ()

    def to_data(self) -> dict[str, object]:
        return {
            "action": self.action,
            "at": self.at.isoformat(),
            "role": self.role.value,
            "money": self.money.value,
            "amount": self.amount,
            "currency": self.currency,
            "decided_on_order": self.decided_on_order,
            "basis": self.basis.value if self.basis else None,
            "shipped_at": self.shipped_at.isoformat() if self.shipped_at else None,
            "delivered_at": self.delivered_at.isoformat() if self.delivered_at else None,
            "lines": [
                {"sku": line.sku, "category": line.category, "name": line.name}
                for line in self.lines
            ],
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> DecisionFacts:
        def moment(name: str) -> datetime | None:
            value = data.get(name)
            return datetime.fromisoformat(value) if isinstance(value, str) else None

        at = moment("at")
        assert at is not None
        lines = data.get("lines") or []
        assert isinstance(lines, list)
        basis = data.get("basis")
        amount, decided = data["amount"], data["decided_on_order"]
        assert isinstance(amount, int) and isinstance(decided, int)
        return cls(
            action=str(data["action"]),
            at=at,
            role=Role(str(data["role"])),
            money=Money(str(data["money"])),
            amount=amount,
            currency=str(data["currency"]),
            decided_on_order=decided,
            basis=WindowBasis(basis) if isinstance(basis, str) else None,
            shipped_at=moment("shipped_at"),
            delivered_at=moment("delivered_at"),
            lines=tuple(
                LineFacts(sku=line["sku"], category=line.get("category"), name=line["name"])
                for line in lines
            ),
        )


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a policy says of a decision's facts: whether the gateway is open to it, and
    whether the decider's role may decide its amount, each with the rule and its words."""

    gateway_open: bool
    gateway_rule: Rule
    gateway_words: str
    within_limit: bool
    limit_rule: Rule
    limit_words: str


def judge(rules: PolicyRules, facts: DecisionFacts) -> Judgement:
    """The policy's verdict on ``facts``. A role that approves above the threshold may decide
    any amount; an agent within the threshold of the kind of money, counting what the order's
    other refunds gave."""
    gateway_open, gateway_rule, gateway_words = _gateway(rules, facts)
    limit = rules.threshold(facts.money)
    total = facts.amount + facts.decided_on_order
    money = _money_words(facts)
    limit_words = f"the agent limit{_for(facts.money)} of {_short(limit, facts.currency)}"
    already = (
        f", {_short(total, facts.currency)} with the order's other refunds,"
        if facts.decided_on_order
        else ""
    )
    if total <= limit:
        within, rule, words = True, Rule.AGENT_LIMIT, f"{money}{already} within {limit_words}"
    else:
        senior = facts.role in (Role.SUPERVISOR, Role.ADMIN)
        rule = Rule.ABOVE_AGENT_LIMIT
        words = f"{money}{already} above {limit_words}" + (
            f", decided by {'an admin' if facts.role is Role.ADMIN else 'a supervisor'}"
            if senior
            else ": a supervisor's decision is needed"
        )
        within = senior
    return Judgement(gateway_open, gateway_rule, gateway_words, within, rule, words)


def _gateway(rules: PolicyRules, facts: DecisionFacts) -> tuple[bool, Rule, str]:
    if facts.money is not Money.AMOUNT:
        final = rules.final_sale(facts.lines)
        if final:
            names = ", ".join(line.name for line in final)
            return False, Rule.FINAL_SALE, f"{names} sold as final sale"
    window_policy = rules.window(line.category for line in facts.lines)
    window = (
        window_policy.window_on(facts.basis, facts.shipped_at, facts.delivered_at, facts.at)
        if facts.basis is not None
        else window_policy.window_for(facts.delivered_at, facts.at, shipped_at=facts.shipped_at)
    )
    return _window_verdict(window, window_policy, facts.at)


def _window_verdict(
    window: RefundWindow, policy: RefundWindowPolicy, at: datetime
) -> tuple[bool, Rule, str]:
    days = f"window {_plural(policy.days, 'day')}"
    span = f"{policy.days}-day"
    if window.basis is WindowBasis.NOT_SHIPPED:
        return True, Rule.NOT_SHIPPED, "not shipped: a cancellation"
    if window.basis is WindowBasis.DELIVERED and window.delivered_at is not None:
        ago = _ago(window.delivered_at, at)
        if window.open:
            return True, Rule.DELIVERED, f"delivered {ago}, {days}"
        return False, Rule.OUTSIDE_WINDOW, f"delivered {ago}, outside the {span} window"
    if window.basis is WindowBasis.LOST_IN_TRANSIT and window.shipped_at is not None:
        ago = _ago(window.shipped_at, at)
        lost = f"lost after {_plural(policy.lost_parcel_after_days, 'day')}"
        if window.open:
            return True, Rule.LOST_IN_TRANSIT, f"shipped {ago} and never arrived ({lost}), {days}"
        if window.opens_at is not None and at <= window.opens_at:
            return False, Rule.OUTSIDE_WINDOW, f"shipped {ago}, not yet {lost}"
        return False, Rule.OUTSIDE_WINDOW, f"shipped {ago}, {lost}, outside the {span} window"
    return False, Rule.OUTSIDE_WINDOW, "not delivered"


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    """What a decision of a refund records: the policy's version, the rule that decided it,
    the words the refund page shows, and the facts it was judged on."""

    policy_version: int
    rule: Rule
    explanation: str
    facts: DecisionFacts
    gateway_open: bool  # whether the policy let the refund go through the gateway then

    def to_data(self) -> dict[str, object]:
        return {
            "policy_version": self.policy_version,
            "rule": self.rule.value,
            "explanation": self.explanation,
            "facts": self.facts.to_data(),
            "gateway_open": self.gateway_open,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> PolicyDecision:
        version, facts = data["policy_version"], data["facts"]
        assert isinstance(version, int) and isinstance(facts, dict)
        return cls(
            policy_version=version,
            rule=Rule(str(data["rule"])),
            explanation=str(data["explanation"]),
            facts=DecisionFacts.from_data(facts),
            gateway_open=data.get("gateway_open") is True,
        )


def decide(policy: PublishedPolicy, facts: DecisionFacts) -> PolicyDecision:
    """The record of a decision taken under ``policy``: an approval names the rule that
    opened the gateway, a settlement the limit it was within (or the role that passed it),
    a rejection what the policy said of the gateway then."""
    judgement = judge(policy.rules, facts)
    under = f"under policy v{policy.version}"
    if facts.action == "settled":
        rule = judgement.limit_rule
        words = f"settled {under}: {judgement.limit_words} ({judgement.gateway_words})"
    elif facts.action == "approved":
        rule = judgement.gateway_rule
        words = f"approved {under}: {judgement.gateway_words}; {judgement.limit_words}"
    else:
        rule = judgement.gateway_rule
        gateway = "open" if judgement.gateway_open else "closed"
        words = f"{facts.action} {under}: {judgement.gateway_words} (the gateway was {gateway})"
    return PolicyDecision(policy.version, rule, words, facts, judgement.gateway_open)


class DryRunOutcome(StrEnum):
    SAME = "same"
    NOW_REFUSED = "now_refused"  # an approval the draft would refuse (window, final sale)
    NEEDS_SUPERVISOR = "needs_supervisor"  # the draft's limit is below what the agent gave
    COULD_APPROVE = "could_approve"  # a rejection or settlement the gateway would now take


@dataclass(frozen=True, slots=True)
class DryRunRow:
    refund_id: str
    order_id: str
    then: PolicyDecision
    draft_rule: Rule
    draft_explanation: str
    outcome: DryRunOutcome

    @property
    def changed(self) -> bool:
        return self.outcome is not DryRunOutcome.SAME


@dataclass(frozen=True, slots=True)
class DecidedRefund:
    refund_id: str
    order_id: str
    decision: PolicyDecision


def dry_run(draft: PolicyRules, decided: Sequence[DecidedRefund]) -> list[DryRunRow]:
    """What each decision would have been under ``draft``, judged on the facts it recorded,
    at the moment it was taken."""
    return [_again(draft, item) for item in decided]


def _again(draft: PolicyRules, item: DecidedRefund) -> DryRunRow:
    then = item.decision
    facts = then.facts
    now = judge(draft, facts)
    before_open = then.gateway_open
    outcome = DryRunOutcome.SAME
    if facts.action == "approved":
        if not now.gateway_open:
            outcome = DryRunOutcome.NOW_REFUSED
        elif not now.within_limit:
            outcome = DryRunOutcome.NEEDS_SUPERVISOR
    elif facts.action == "settled":
        if not now.within_limit:
            outcome = DryRunOutcome.NEEDS_SUPERVISOR
        elif now.gateway_open and not before_open:
            outcome = DryRunOutcome.COULD_APPROVE
    elif now.gateway_open and not before_open:
        outcome = DryRunOutcome.COULD_APPROVE
    if facts.action == "settled":
        rule, words = now.limit_rule, f"{now.limit_words} ({now.gateway_words})"
    elif facts.action == "approved" and now.gateway_open:
        rule, words = now.gateway_rule, f"{now.gateway_words}; {now.limit_words}"
    else:
        rule, words = now.gateway_rule, now.gateway_words
    return DryRunRow(item.refund_id, item.order_id, then, rule, words, outcome)


def _money_words(facts: DecisionFacts) -> str:
    amount = _short(facts.amount, facts.currency)
    return {
        Money.UNITS: f"amount {amount}",
        Money.AMOUNT: f"amount {amount}",
        Money.SETTLEMENT: f"settlement of {amount}",
    }[facts.money]


def _for(money: Money) -> str:
    return {
        Money.UNITS: "",
        Money.AMOUNT: " for amount refunds",
        Money.SETTLEMENT: " for settlements",
    }[money]


_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def _short(amount: int, currency: str) -> str:
    """``50000, "EUR"`` is ``"€500"``, ``8999`` is ``"€89.99"``: as people say a limit."""
    written = format_amount(amount, currency)
    number = written.split(" ")[0]
    if number.endswith(".00"):
        number = number[:-3]
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


def _ago(moment: datetime, at: datetime) -> str:
    days = (at - moment).days
    if days <= 0:
        return "today"
    return f"{_plural(days, 'day')} ago"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
