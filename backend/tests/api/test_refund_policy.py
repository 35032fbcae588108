"""Issue 18 parts 3 and 6 through HTTP: the refund policy is versioned data admins publish;
every approval, rejection and settlement names the version and rule that decided it; a draft
is tried on the last 30 days' decisions first; final-sale lines never reach the gateway; and
settlements and amount refunds have limits of their own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import open_case, request_refund

POLICY = "/api/v1/refund-policy"


async def policy_now(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    answer = await client.get(POLICY, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def publish(
    client: httpx.AsyncClient, admin: dict[str, str], **changes: Any
) -> dict[str, Any]:
    current = await policy_now(client, admin)
    rules = {
        k: v for k, v in current.items() if k not in ("version", "note", "created_at", "created_by")
    }
    answer = await client.post(
        POLICY,
        headers={**admin, "If-Match": f'"{current["version"]}"'},
        json={**rules, **changes},
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def grinder_refund(client: httpx.AsyncClient, alice: dict[str, str]) -> dict[str, Any]:
    """The coffee grinder of ORD-1002, delivered 20 days ago: outside the 14-day window."""
    case = await open_case(client, alice, "ORD-1002")
    asked = await request_refund(client, alice, case["id"], [("L1", 1)])
    assert asked.status_code == 201, asked.text
    return dict(asked.json())


class TestTheVersionInForce:
    async def test_version_1_is_the_services_settings_and_staff_read_it(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        policy = await policy_now(client, await as_user("bob"))

        assert policy["version"] == 1 and policy["created_by"] is None
        assert policy["window_days"] == 14 and policy["lost_parcel_after_days"] == 10
        assert policy["approval_threshold"] == policy["settlement_threshold"] == 50000
        assert policy["amount_refund_threshold"] == 50000
        assert policy["final_sale_skus"] == [] and policy["category_windows"] == []

    async def test_customers_do_not_read_it(self, client: httpx.AsyncClient, as_user: Any) -> None:
        answer = await client.get(POLICY, headers=await as_user("alice"))

        assert answer.status_code == 403

    async def test_an_admin_publishes_a_new_version_with_who_and_when(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        admin = await as_user("admin")

        published = await publish(client, admin, window_days=30, note="Longer window for winter")

        assert published["version"] == 2 and published["window_days"] == 30
        assert published["created_by"]["name"] and published["created_at"]
        assert published["note"] == "Longer window for winter"
        versions = await client.get(f"{POLICY}/versions", headers=await as_user("sam"))
        assert [(v["version"], v["window_days"]) for v in versions.json()["items"]] == [
            (2, 30),
            (1, 14),
        ]
        assert (await policy_now(client, await as_user("bob")))["version"] == 2
        # Version 1 is still the settings, never published by anyone at any time.
        first = versions.json()["items"][1]
        assert (first["created_at"], first["created_by"]) == (None, None)

    async def test_publishing_over_a_version_published_meanwhile_is_refused(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        admin = await as_user("admin")
        await publish(client, admin, window_days=21)

        stale = await client.post(
            POLICY, headers={**admin, "If-Match": '"1"'}, json={"window_days": 30}
        )

        assert stale.status_code == 409
        assert stale.json()["code"] == "version_conflict"
        assert (await policy_now(client, admin))["window_days"] == 21

    async def test_agents_and_supervisors_may_not_publish(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        for who in ("bob", "sam"):
            answer = await client.post(POLICY, headers=await as_user(who), json={})
            assert answer.status_code == 403

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"window_days": -1}, "window_days"),
            ({"lost_parcel_after_days": -5}, "lost_parcel_after_days"),
            ({"settlement_threshold": -1}, "settlement_threshold"),
            ({"approval_threshold": "500"}, "approval_threshold"),
            ({"final_sale_skus": ["TV-55", "TV-55"]}, "final_sale_skus.1"),
            (
                {
                    "final_sale_categories": ["audio"],
                    "category_windows": [{"category": "audio", "days": 30}],
                },
                "category_windows.0.category",
            ),
            (
                {
                    "category_windows": [
                        {"category": "audio", "days": 30},
                        {"category": "audio", "days": 7},
                    ]
                },
                "category_windows.1.category",
            ),
        ],
    )
    async def test_a_draft_that_contradicts_itself_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, as_user: Any, body: dict[str, Any], field: str
    ) -> None:
        admin = await as_user("admin")

        for path in (POLICY, f"{POLICY}/dry-run"):
            answer = await client.post(path, headers=admin, json=body)
            assert answer.status_code == 422, answer.text
            assert answer.json()["errors"][0]["loc"] == ["body", *field.split(".")]
        assert (await policy_now(client, admin))["version"] == 1


class TestEveryDecisionNamesItsVersionAndRule:
    async def test_an_approval_under_the_new_window_says_so_in_words(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, admin = await as_user("alice"), await as_user("bob"), await as_user("admin")
        refund = await grinder_refund(client, alice)
        refused = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert refused.json()["code"] == "outside_refund_window"
        # A refusal by the policy names its version and rule too.
        assert (refused.json()["policy_version"], refused.json()["rule"]) == (1, "outside_window")

        await publish(client, admin, window_days=30)
        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)

        assert approved.status_code == 200, approved.text
        decision = approved.json()["decision"]
        assert decision["policy_version"] == 2
        assert decision["rule"] == "delivered_within_window"
        assert decision["explanation"] == (
            "approved under policy v2: delivered 20 days ago, window 30 days; amount €59.49 "
            "within the agent limit of €500"
        )

    async def test_a_rejection_and_a_settlement_record_theirs(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        first, second = await grinder_refund(client, alice), None

        rejected = await client.post(
            f"/api/v1/refunds/{first['id']}/reject", headers=bob, json={"reason": "too late"}
        )
        second = await grinder_refund(client, alice)
        settled = await client.post(
            f"/api/v1/refunds/{second['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 3000, "note": "as a gesture"},
        )

        assert rejected.json()["decision"]["rule"] == "outside_window"
        assert rejected.json()["decision"]["explanation"] == (
            "rejected under policy v1: delivered 20 days ago, outside the 14-day window "
            "(the gateway was closed)"
        )
        assert settled.status_code == 200, settled.text
        assert settled.json()["decision"]["rule"] == "within_agent_limit"
        assert settled.json()["decision"]["explanation"].startswith(
            "settled under policy v1: settlement of €30 within the agent limit for settlements"
        )
        # The customer sees the decision too: it is about their money.
        seen = await client.get(f"/api/v1/refunds/{second['id']}", headers=alice)
        assert seen.json()["decision"]["policy_version"] == 1


class TestFinalSale:
    async def test_a_final_sale_line_is_never_approved_for_the_gateway(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, sam, admin = await as_user("alice"), await as_user("sam"), await as_user("admin")
        await publish(client, admin, final_sale_categories=["electronics"])
        case = await open_case(client, alice, "ORD-1005")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()

        shown = await client.get(f"/api/v1/refunds/{refund['id']}", headers=sam)
        refused = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=sam)

        assert {"action": "approve", "code": "final_sale"}.items() <= next(
            b for b in shown.json()["blocked_actions"] if b["action"] == "approve"
        ).items()
        assert refused.status_code == 422 and refused.json()["code"] == "final_sale"
        assert "Television" in refused.json()["detail"]
        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=sam,
            json={"type": "voucher", "amount": 10000, "note": "a voucher instead"},
        )
        assert settled.status_code == 200, settled.text


class TestLimitsForEveryKindOfMoney:
    async def test_settlements_have_their_own_agent_limit(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        await publish(client, await as_user("admin"), settlement_threshold=2000)
        refund = await grinder_refund(client, alice)

        shown = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        too_much = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 2500, "note": "credit"},
        )
        by_sam = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=sam,
            json={"type": "store_credit", "amount": 2500, "note": "credit"},
        )

        assert shown.json()["settle_limit"] == 2000
        assert too_much.status_code == 403
        assert too_much.json()["code"] == "supervisor_approval_required"
        assert (too_much.json()["policy_version"], too_much.json()["rule"]) == (
            2,
            "above_agent_limit",
        )
        assert by_sam.status_code == 200
        assert by_sam.json()["decision"]["rule"] == "above_agent_limit"

    async def test_amount_refunds_have_their_own_agent_limit(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await publish(client, await as_user("admin"), amount_refund_threshold=1000)
        case = await open_case(client, alice)
        given = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds",
            headers=bob,
            json={"kind": "amount", "amount": 1500, "reason_code": "goodwill"},
        )
        units = await request_refund(client, alice, case["id"], [("L2", 3)])

        over = await client.post(f"/api/v1/refunds/{given.json()['id']}/approve", headers=bob)
        within = await client.post(f"/api/v1/refunds/{units.json()['id']}/approve", headers=bob)

        assert over.status_code == 403 and over.json()["code"] == "supervisor_approval_required"
        assert within.status_code == 200, within.text


class TestTheDryRun:
    async def test_the_last_30_days_decisions_under_a_draft(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, admin = await as_user("alice"), await as_user("bob"), await as_user("admin")
        late = await grinder_refund(client, alice)
        await client.post(
            f"/api/v1/refunds/{late['id']}/reject", headers=bob, json={"reason": "too late"}
        )
        case = await open_case(client, alice)
        inside = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        await client.post(f"/api/v1/refunds/{inside['id']}/approve", headers=bob)

        run = await client.post(f"{POLICY}/dry-run", headers=admin, json={"window_days": 30})

        assert run.status_code == 200, run.text
        body = run.json()
        assert (body["based_on_version"], body["decisions"], body["changed"]) == (1, 2, 1)
        assert body["outcomes"] == {"could_approve": 1, "same": 1}
        first, second = body["rows"]
        assert (first["refund_id"], first["outcome"], first["action"]) == (
            late["id"],
            "could_approve",
            "rejected",
        )
        assert first["then"]["rule"] == "outside_window"
        assert first["draft"] == {
            "rule": "delivered_within_window",
            "explanation": "delivered 20 days ago, window 30 days",
        }
        assert (second["refund_id"], second["outcome"]) == (inside["id"], "same")
        # A dry run stores nothing.
        assert (await policy_now(client, admin))["version"] == 1

    async def test_only_admins_run_it(self, client: httpx.AsyncClient, as_user: Any) -> None:
        answer = await client.post(f"{POLICY}/dry-run", headers=await as_user("sam"), json={})

        assert answer.status_code == 403


class TestCategoryWindows:
    async def test_a_category_with_its_own_window_is_refundable_after_the_policys(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await publish(
            client, await as_user("admin"), category_windows=[{"category": "kitchen", "days": 30}]
        )
        refund = await grinder_refund(client, alice)

        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)

        assert approved.status_code == 200, approved.text
        assert approved.json()["refund_window"]["open"] is True
        assert "window 30 days" in approved.json()["decision"]["explanation"]
