"""The supervisor threshold counts every kind of money and counts per order: an agent
approves refunds and records settlements (store credit and bank transfers are money too) up
to the threshold for one order, counting what its other refunds already give; above it a
supervisor or admin decides. The refund page says so before the agent tries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import open_case, request_refund

TV = ("L1", 1)  # ORD-1005: €1,069.81 with tax, delivered yesterday


def settlement(amount: int) -> dict[str, Any]:
    return {"type": "store_credit", "amount": amount, "note": "Agreed on the phone"}


async def tv_refund(client: httpx.AsyncClient, alice: dict[str, str]) -> dict[str, Any]:
    case = await open_case(client, alice, "ORD-1005")
    response = await request_refund(client, alice, case["id"], [TV])
    assert response.status_code == 201, response.text
    return response.json()


class TestSettlementsAreMoneyToo:
    async def test_an_agent_cannot_record_a_settlement_above_the_threshold_a_supervisor_can(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        refund = await tv_refund(client, alice)
        url = f"/api/v1/refunds/{refund['id']}/settlement"

        refused = await client.post(url, headers=bob, json=settlement(90000))

        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "supervisor_approval_required"
        assert "settlements above 500.00 EUR" in refused.json()["detail"]
        still = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        assert still["status"] == "requested"
        settled = await client.post(url, headers=sam, json=settlement(90000))
        assert settled.status_code == 200, settled.text
        assert settled.json()["settlement"]["amount"] == 90000

    async def test_an_agent_records_one_up_to_the_threshold(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await tv_refund(client, alice)

        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement", headers=bob, json=settlement(50000)
        )

        assert settled.status_code == 200, settled.text

    async def test_the_refund_tells_each_of_them_how_much_they_may_record(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        refund = await tv_refund(client, alice)

        as_bob = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()
        as_sam = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=sam)).json()

        assert as_bob["settle_limit"] == 50000
        assert as_sam["settle_limit"] == refund["total_amount"] == 106981
        assert refund["settle_limit"] is None  # alice's own answer: not hers to know


# One cable of ORD-1001 is €12.03 with tax; the threshold is set between one and two.
@pytest.mark.parametrize(
    "settings_overrides", [{"refund_supervisor_threshold": 2000}], indirect=True
)
class TestTheThresholdCountsPerOrder:
    async def cable_refunds(
        self, client: httpx.AsyncClient, alice: dict[str, str], count: int
    ) -> list[dict[str, Any]]:
        refunds = []
        for _ in range(count):
            case = await open_case(client, alice, "ORD-1001")
            response = await request_refund(client, alice, case["id"], [("L2", 1)])
            assert response.status_code == 201, response.text
            refunds.append(response.json())
        return refunds

    async def test_an_agent_cannot_split_a_large_order_into_small_approvals(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        first, second = await self.cable_refunds(client, alice, 2)
        assert first["total_amount"] <= 2000 < first["total_amount"] + second["total_amount"]
        ok = await client.post(f"/api/v1/refunds/{first['id']}/approve", headers=bob)
        assert ok.status_code == 200, ok.text

        # Told before trying: the refund page blocks approval with the reason.
        seen = (await client.get(f"/api/v1/refunds/{second['id']}", headers=bob)).json()
        assert "approve" not in seen["allowed_actions"]
        [blocked] = [b for b in seen["blocked_actions"] if b["action"] == "approve"]
        assert blocked["code"] == "supervisor_approval_required"
        assert "already given on order ORD-1001" in blocked["detail"]
        refused = await client.post(f"/api/v1/refunds/{second['id']}/approve", headers=bob)
        assert refused.status_code == 403
        assert refused.json()["detail"] == blocked["detail"]

        by_sam = await client.post(f"/api/v1/refunds/{second['id']}/approve", headers=sam)
        assert by_sam.status_code == 200, by_sam.text

    async def test_a_settlement_counts_against_the_same_limit(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        first, second = await self.cable_refunds(client, alice, 2)
        assert (await client.post(f"/api/v1/refunds/{first['id']}/approve", headers=bob)).is_success

        seen = (await client.get(f"/api/v1/refunds/{second['id']}", headers=bob)).json()
        left = 2000 - first["total_amount"]
        assert seen["settle_limit"] == left
        over = await client.post(
            f"/api/v1/refunds/{second['id']}/settlement", headers=bob, json=settlement(left + 1)
        )
        assert over.status_code == 403
        within = await client.post(
            f"/api/v1/refunds/{second['id']}/settlement", headers=bob, json=settlement(left)
        )
        assert within.status_code == 200, within.text

    async def test_rejected_and_cancelled_refunds_give_nothing_and_do_not_count(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        first, second = await self.cable_refunds(client, alice, 2)
        rejected = await client.post(
            f"/api/v1/refunds/{first['id']}/reject", headers=bob, json={"reason": "no"}
        )
        assert rejected.status_code == 200, rejected.text

        ok = await client.post(f"/api/v1/refunds/{second['id']}/approve", headers=bob)

        assert ok.status_code == 200, ok.text
