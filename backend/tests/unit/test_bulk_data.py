"""Bulk data keeps the domain's rules: every move is in a transition table, every approval
was inside the window and by someone allowed to approve the amount, every version counts
the saves that made it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from supportdesk.application.refunds import RefundPolicy
from supportdesk.devdata.bulk import generate
from supportdesk.domain.cases import CASE_TRANSITIONS, CaseStatus
from supportdesk.domain.refunds import FINAL_STATUSES, REFUND_TRANSITIONS, RefundStatus
from supportdesk.domain.window import RefundWindowPolicy

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = RefundPolicy(window=RefundWindowPolicy(days=14), supervisor_threshold=50_000)
NEVER_DELIVERED = {"ORD-1003", "ORD-1006"}


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, Any]]]:
    cases: list[dict[str, Any]] = []
    refunds: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for batch in generate(3000, seed=7, batch=1000, now=NOW, policy=POLICY):
        cases += batch.cases
        refunds += batch.refunds
        events += batch.events
    return {"cases": cases, "refunds": refunds, "events": events}


def _events_of(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for event in rows["events"]:
        by_entity.setdefault(event["entity_id"], []).append(event)
    return by_entity


def test_every_case_move_is_one_the_case_transition_table_allows(rows: Any) -> None:
    moves = {
        (e["from_status"], e["to_status"])
        for e in rows["events"]
        if e["entity"] == "support_case" and e["type"] == "status_changed"
    }

    assert moves
    assert moves <= {(source.value, target.value) for source, target in CASE_TRANSITIONS}


def test_every_refund_move_is_one_the_refund_transition_table_allows(rows: Any) -> None:
    allowed = {(source.value, target.value) for (source, _), target in REFUND_TRANSITIONS.items()}
    moves = {
        (e["from_status"], e["to_status"])
        for e in rows["events"]
        if e["entity"] == "refund" and e["from_status"] is not None
    }

    assert moves
    assert moves <= allowed


def test_each_history_replays_to_the_status_it_ends_in(rows: Any) -> None:
    events = _events_of(rows)
    for row in rows["cases"] + rows["refunds"]:
        statuses = [e["to_status"] for e in events[row["id"]] if e["to_status"] is not None]
        assert statuses[-1] == row["status"], row["id"]
        assert [e["at"] for e in events[row["id"]]] == sorted(e["at"] for e in events[row["id"]])


def test_every_approval_was_inside_the_window_and_within_the_approvers_limit(
    rows: Any,
) -> None:
    events = _events_of(rows)
    approved = [r for r in rows["refunds"] if r["approval_window"] is not None]

    assert approved
    for refund in approved:
        window = refund["approval_window"]
        approval = next(e for e in events[refund["id"]] if e["type"] == "refund_approved")
        closes_at = datetime.fromisoformat(window["closes_at"])
        assert window["open"] is True
        assert approval["at"] <= closes_at
        assert closes_at - datetime.fromisoformat(window["delivered_at"]) == timedelta(days=14)
        if refund["total_amount"] > POLICY.supervisor_threshold:
            assert approval["actor_role"] in ("supervisor", "admin")


def test_refunds_of_orders_never_delivered_are_never_approved(rows: Any) -> None:
    lost = [r for r in rows["refunds"] if r["order_id"] in NEVER_DELIVERED]

    assert all(r["approval_window"] is None and r["delivered_at"] is None for r in lost)


def test_a_closed_case_has_only_final_refunds(rows: Any) -> None:
    closed = {c["id"] for c in rows["cases"] if c["status"] == CaseStatus.CLOSED}
    finals = {s.value for s in FINAL_STATUSES}

    assert closed
    assert all(r["status"] in finals for r in rows["refunds"] if r["support_case_id"] in closed)


def test_versions_count_the_saves_a_service_would_have_made(rows: Any) -> None:
    events = _events_of(rows)
    refunds_per_case = Counter(r["support_case_id"] for r in rows["refunds"])

    for refund in rows["refunds"]:
        assert refund["version"] == len(events[refund["id"]])
    for case in rows["cases"]:
        # Opening is version 1, each later change one more; a refund request touches it too.
        assert case["version"] == len(events[case["id"]]) + refunds_per_case[case["id"]]


def test_a_refund_totals_its_parts_and_shipping_at_most_once(rows: Any) -> None:
    for refund in rows["refunds"]:
        parts = [part for item in refund["items"] for part in item["parts"]]
        assert refund["total_amount"] == sum(parts) + refund["shipping_amount"]
        assert refund["final_at"] == (
            refund["updated_at"] if refund["status"] in {s.value for s in FINAL_STATUSES} else None
        )
    statuses = Counter(r["status"] for r in rows["refunds"])
    assert statuses[RefundStatus.REFUNDED] > statuses[RefundStatus.SETTLED] > 0
