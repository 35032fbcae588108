"""The refund policy: the version in force, its history, a draft's dry run, publishing
(docs/refund-policy.md)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt, StringConstraints

from supportdesk.api.deps import AdminActor, ExpectedVersion, PolicyServiceDep, StaffActor, etag
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import Input, OneLine, Page
from supportdesk.application.policy import DRY_RUN_DAYS, DryRun
from supportdesk.domain.errors import ValidationFailed
from supportdesk.domain.policy import (
    MOST_DAYS,
    MOST_LISTED,
    DryRunOutcome,
    DryRunRow,
    PolicyRules,
    PublishedPolicy,
)

router = APIRouter(prefix="/refund-policy", tags=["refund policy"])

MOST_ROWS = 500

Days = Annotated[StrictInt, Field(ge=0, le=MOST_DAYS)]
Minor = Annotated[StrictInt, Field(ge=0, le=10**12, description="minor units (cents)")]
# A SKU or a product category as the order system writes it (two characters at least).
Listed = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=64), OneLine
]


class CategoryWindowIn(Input):
    category: Listed
    days: Days


class CategoryWindowOut(BaseModel):
    category: str
    days: int


class PolicyRulesIn(Input):
    """A draft: every rule, whole (what is left out takes its default, not the current
    version's)."""

    window_days: Days = Field(14, description="days after delivery a refund may be approved")
    lost_parcel_after_days: Days = Field(
        10, description="a shipped parcel not delivered counts as lost after this many days"
    )
    approval_threshold: Minor = Field(
        50000, description="what an agent may approve per order, in refunds of units"
    )
    amount_refund_threshold: Minor = Field(
        50000, description="what an agent may approve per order, in refunds of an amount"
    )
    settlement_threshold: Minor = Field(
        50000, description="what an agent may record per order, in settlements"
    )
    final_sale_skus: list[Listed] = Field(
        default_factory=list,
        max_length=MOST_LISTED,
        description="never refunded through the gateway",
    )
    final_sale_categories: list[Listed] = Field(
        default_factory=list,
        max_length=MOST_LISTED,
        description="product categories never refunded through the gateway",
    )
    category_windows: list[CategoryWindowIn] = Field(
        default_factory=list,
        max_length=MOST_LISTED,
        description="a product category's own window, in days after delivery",
    )

    def rules(self) -> PolicyRules:
        return PolicyRules(
            window_days=self.window_days,
            lost_parcel_after_days=self.lost_parcel_after_days,
            approval_threshold=self.approval_threshold,
            amount_refund_threshold=self.amount_refund_threshold,
            settlement_threshold=self.settlement_threshold,
            final_sale_skus=tuple(self.final_sale_skus),
            final_sale_categories=tuple(self.final_sale_categories),
            category_window_days=_windows(self.category_windows),
        )


def _windows(given: list[CategoryWindowIn]) -> dict[str, int]:
    windows: dict[str, int] = {}
    for index, window in enumerate(given):
        if window.category in windows:
            raise ValidationFailed(
                f"'{window.category}' has a window already",
                field=f"category_windows.{index}.category",
            )
        windows[window.category] = window.days
    return windows


class PolicyPublishIn(PolicyRulesIn):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = Field(
        "", description="what changed and why, for the history"
    )


class PolicyRulesOut(BaseModel):
    window_days: int
    lost_parcel_after_days: int
    approval_threshold: int
    amount_refund_threshold: int
    settlement_threshold: int
    final_sale_skus: list[str]
    final_sale_categories: list[str]
    category_windows: list[CategoryWindowOut]


class PolicyUserOut(BaseModel):
    id: str
    name: str | None


class RefundPolicyOut(PolicyRulesOut):
    version: int
    note: str
    created_at: datetime | None = Field(description="null for version 1, the settings' rules")
    created_by: PolicyUserOut | None = Field(description="the admin who published it")


class DecisionThenOut(BaseModel):
    policy_version: int
    rule: str
    explanation: str


class DecisionDraftOut(BaseModel):
    rule: str
    explanation: str


class DryRunRowOut(BaseModel):
    refund_id: str
    order_id: str
    decided_at: datetime
    action: str = Field(description="approved, rejected or settled")
    role: str = Field(description="of who decided")
    money: str = Field(description="units, amount (refunds) or settlement")
    amount: int
    currency: str
    then: DecisionThenOut
    draft: DecisionDraftOut
    outcome: DryRunOutcome = Field(
        description="same; now_refused (an approval the draft would refuse); needs_supervisor "
        "(above the draft's agent limit); could_approve (a rejection or settlement the "
        "gateway would now take)"
    )
    changed: bool


class DryRunOut(BaseModel):
    based_on_version: int
    since: datetime
    until: datetime
    decisions: int
    changed: int
    outcomes: dict[str, int]
    rows: list[DryRunRowOut] = Field(
        description=f"newest first, the changed ones before the others; at most {MOST_ROWS}"
    )
    truncated: bool


def _rules_out(rules: PolicyRules) -> dict[str, object]:
    data = rules.to_data()
    windows = data.pop("category_window_days")
    assert isinstance(windows, dict)
    data["category_windows"] = [{"category": c, "days": d} for c, d in windows.items()]
    return data


def _policy_out(policy: PublishedPolicy, names: dict[str, str]) -> RefundPolicyOut:
    by = policy.created_by
    return RefundPolicyOut.model_validate(
        {
            **_rules_out(policy.rules),
            "version": policy.version,
            "note": policy.note,
            "created_at": policy.created_at,
            "created_by": None if by is None else {"id": by, "name": names.get(by)},
        }
    )


def _row_out(row: DryRunRow) -> DryRunRowOut:
    facts = row.then.facts
    return DryRunRowOut(
        refund_id=row.refund_id,
        order_id=row.order_id,
        decided_at=facts.at,
        action=facts.action,
        role=facts.role.value,
        money=facts.money.value,
        amount=facts.amount,
        currency=facts.currency,
        then=DecisionThenOut(
            policy_version=row.then.policy_version,
            rule=row.then.rule.value,
            explanation=row.then.explanation,
        ),
        draft=DecisionDraftOut(rule=row.draft_rule.value, explanation=row.draft_explanation),
        outcome=row.outcome,
        changed=row.changed,
    )


def _dry_run_out(run: DryRun) -> DryRunOut:
    newest = sorted(run.rows, key=lambda r: r.then.facts.at, reverse=True)
    ordered = [r for r in newest if r.changed] + [r for r in newest if not r.changed]
    return DryRunOut(
        based_on_version=run.based_on.version,
        since=run.since,
        until=run.until,
        decisions=len(run.rows),
        changed=sum(1 for r in run.rows if r.changed),
        outcomes=dict(Counter(r.outcome.value for r in run.rows)),
        rows=[_row_out(r) for r in ordered[:MOST_ROWS]],
        truncated=len(ordered) > MOST_ROWS,
    )


@router.get(
    "",
    response_model=RefundPolicyOut,
    summary="The refund policy in force (staff)",
    responses=problems(403),
)
async def get_policy(actor: StaffActor, policies: PolicyServiceDep) -> JSONResponse:
    policy = await policies.current(actor)
    out = _policy_out(policy, await policies.names([policy.created_by]))
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": etag(policy.version)})


@router.get(
    "/versions",
    response_model=Page[RefundPolicyOut],
    summary="Every version of the refund policy, newest first (staff)",
    description="Answered whole: `next_cursor` is always null.",
    responses=problems(403),
)
async def list_versions(actor: StaffActor, policies: PolicyServiceDep) -> Page[RefundPolicyOut]:
    versions = await policies.versions(actor)
    names = await policies.names(v.created_by for v in versions)
    return Page(items=[_policy_out(v, names) for v in versions], next_cursor=None)


@router.post(
    "/dry-run",
    response_model=DryRunOut,
    summary=f"What the last {DRY_RUN_DAYS} days' refund decisions would have been under a "
    "draft (admins); stores nothing",
    responses=problems(403),
)
async def dry_run(body: PolicyRulesIn, actor: AdminActor, policies: PolicyServiceDep) -> DryRunOut:
    return _dry_run_out(await policies.dry_run(body.rules(), actor))


@router.post(
    "",
    response_model=RefundPolicyOut,
    status_code=201,
    summary="Publish a new version of the refund policy, in force at once (admins)",
    description="`If-Match` with the version the draft was made from refuses to publish over "
    "a version another admin published meanwhile (409 `version_conflict`).",
    responses=problems(403, 409),
)
async def publish(
    body: PolicyPublishIn,
    actor: AdminActor,
    policies: PolicyServiceDep,
    expected_version: ExpectedVersion,
) -> JSONResponse:
    policy = await policies.publish(body.rules(), body.note, actor, expected_version)
    out = _policy_out(policy, await policies.names([policy.created_by]))
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=201,
        headers={"ETag": etag(policy.version), "Location": "/api/v1/refund-policy"},
    )
