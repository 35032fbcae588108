"""Refunds through HTTP: requesting, the window, the supervisor threshold, settlements."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.factories import approved_refund, open_case, request_refund


async def refundable(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str
) -> list[int]:
    order = (await client.get(f"/api/v1/orders/{order_id}", headers=headers)).json()
    return [line["refundable_quantity"] for line in order["lines"]]


class TestRequest:
    async def test_the_breakdown_shows_units_parts_shipping_and_total(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        response = await request_refund(
            client, alice, case["id"], [("L1", 1), ("L2", 3)], include_shipping=True
        )
        assert response.status_code == 201, response.text
        refund = response.json()
        assert [(i["line_id"], i["parts"]) for i in refund["items"]] == [
            ("L1", [10709]),
            ("L2", [1070, 1070, 1069]),
        ]
        assert refund["shipping_amount"] == 594
        assert refund["total_amount"] == 10709 + 3209 + 594
        assert response.headers["etag"] == '"1"'
        assert await refundable(client, alice, "ORD-1001") == [0, 0]

    @pytest.mark.parametrize(
        ("items", "field"),
        [
            ([{"line_id": "L9", "quantity": 1}], "line_id"),
            ([{"line_id": "L2", "quantity": 0}], "quantity"),
            ([{"line_id": "L2", "quantity": -1}], "quantity"),
            ([{"line_id": "L2", "quantity": 1.5}], "quantity"),
            ([{"line_id": "L2", "quantity": "2"}], "quantity"),
            ([{"line_id": "L2", "quantity": 1}, {"line_id": "L2", "quantity": 1}], "line_id"),
            ([], "items"),
        ],
    )
    async def test_bad_items_are_422_naming_the_field_and_hold_nothing(
        self, client: httpx.AsyncClient, as_user, items: list[object], field: str
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        response = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds",
            headers=alice,
            json={"items": items, "reason": "r"},
        )
        assert response.status_code == 422, response.text
        assert any(field in error["loc"] for error in response.json()["errors"]), response.text
        assert await refundable(client, alice, "ORD-1001") == [1, 3]

    async def test_more_units_than_refundable_is_refund_quantity_exceeded(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        assert (await request_refund(client, alice, case["id"], [("L2", 2)])).status_code == 201
        response = await request_refund(client, alice, case["id"], [("L2", 2)])
        assert response.status_code == 422
        assert response.json()["code"] == "refund_quantity_exceeded"
        quote = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds/quote",
            headers=alice,
            json={"items": [{"line_id": "L2", "quantity": 1}], "reason": "r"},
        )
        assert quote.json()["items"][0]["parts"] == [1069]  # the third unit's part

    async def test_a_closed_case_takes_no_refund_request(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        await client.patch(
            f"/api/v1/support-cases/{case['id']}", headers=alice, json={"status": "closed"}
        )
        response = await request_refund(client, alice, case["id"])
        assert response.status_code == 422

    async def test_two_requests_racing_for_the_last_unit_exactly_one_wins(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)
        responses = await asyncio.gather(
            *(request_refund(client, alice, case["id"], [("L1", 1)]) for _ in range(6))
        )
        assert sorted(r.status_code for r in responses) == [201, 422, 422, 422, 422, 422]
        assert await refundable(client, alice, "ORD-1001") == [0, 3]


class TestReview:
    async def test_outside_the_window_approval_is_refused_and_a_settlement_recorded(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1002")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        assert refund["refund_window"]["open"] is False
        as_bob = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        assert "approve" not in as_bob.json()["allowed_actions"]
        assert refund["allowed_actions"] == ["cancel"]

        refused = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert refused.status_code == 422
        assert refused.json()["code"] == "outside_refund_window"

        too_much = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 5950, "note": "n"},
        )
        assert too_much.status_code == 422
        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 5949, "note": "Goodwill", "reference": "SC-1"},
        )
        assert settled.status_code == 200, settled.text
        assert settled.json()["status"] == "settled"
        assert settled.json()["settlement"]["amount"] == 5949
        history = await client.get(f"/api/v1/refunds/{refund['id']}/history", headers=alice)
        assert history.json()[-1]["note"] == "store credit of 59.49 EUR: Goodwill"

    @pytest.mark.parametrize(("order_id", "open_window"), [("ORD-1004", True), ("ORD-1003", False)])
    async def test_the_window_edges_of_the_demo_orders(
        self, client: httpx.AsyncClient, as_user, order_id: str, open_window: bool
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, order_id)
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        response = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert (response.status_code == 200) is open_window, response.text
        if open_window:
            assert response.json()["approval_window"]["open"] is True

    async def test_above_the_threshold_only_a_supervisor_approves(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        case = await open_case(client, alice, "ORD-1005")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        assert refund["total_amount"] == 106981
        as_bob = await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)
        as_sam = await client.get(f"/api/v1/refunds/{refund['id']}", headers=sam)
        assert as_bob.json()["allowed_actions"] == ["reject", "settle"]
        assert as_sam.json()["allowed_actions"] == ["approve", "reject", "settle"]
        denied = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert denied.status_code == 403
        assert denied.json()["code"] == "supervisor_approval_required"
        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=sam)
        assert approved.status_code == 200

    async def test_reject_needs_a_reason_and_releases_the_units(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 3)])).json()
        url = f"/api/v1/refunds/{refund['id']}/reject"
        assert (await client.post(url, headers=bob, json={"reason": " "})).status_code == 422
        rejected = await client.post(url, headers=bob, json={"reason": "No damage visible"})
        assert rejected.json()["status"] == "rejected"
        assert await refundable(client, alice, "ORD-1001") == [1, 3]

    async def test_wrong_status_for_an_action_is_invalid_transition(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"])).json()
        execute = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert execute.status_code == 409
        assert execute.json()["code"] == "invalid_transition"
        approved = await approved_refund(client, alice, bob, items=[("L1", 1)])
        cancel = await client.post(f"/api/v1/refunds/{approved['id']}/cancel", headers=alice)
        assert cancel.status_code == 409
        settle = await client.post(
            f"/api/v1/refunds/{approved['id']}/settlement",
            headers=bob,
            json={"type": "voucher", "amount": 1, "note": "n"},
        )
        assert settle.status_code == 409


class TestCancel:
    async def test_the_owner_cancels_a_requested_refund_and_staff_may_not(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"])).json()
        url = f"/api/v1/refunds/{refund['id']}/cancel"
        assert (await client.post(url, headers=bob)).status_code == 403
        cancelled = await client.post(url, headers={**alice, "If-Match": '"1"'})
        assert cancelled.json()["status"] == "cancelled"
        history = (
            await client.get(f"/api/v1/refunds/{refund['id']}/history", headers=alice)
        ).json()
        assert [e["type"] for e in history] == ["refund_requested", "refund_cancelled"]


class TestStats:
    async def test_stats_count_by_status_and_sum_per_currency(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await approved_refund(client, alice, bob)
        await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        late_case = await open_case(client, alice, "ORD-1002")
        late = (await request_refund(client, alice, late_case["id"], [("L1", 1)])).json()
        await client.post(
            f"/api/v1/refunds/{late['id']}/settlement",
            headers=bob,
            json={"type": "voucher", "amount": 3000, "note": "n"},
        )
        stats = (await client.get("/api/v1/overview/stats", headers=bob)).json()
        assert stats["refunds_by_status"] == {"refunded": 1, "settled": 1}
        assert stats["cases_by_status"] == {"open": 2}
        assert stats["refunded_totals"] == [{"currency": "EUR", "amount": 2140}]
        assert stats["settled_totals"] == [{"currency": "EUR", "amount": 3000}]
        assert stats["median_seconds_to_final_30d"] is not None


class TestConfirmationAmount:
    @pytest.mark.parametrize("settings_overrides", [{"refund_confirm_above": 2500}], indirect=True)
    async def test_staff_are_told_the_amount_above_which_the_web_app_asks_first(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        refund = (await request_refund(client, alice, case["id"], [("L2", 1)])).json()

        seen_by_bob = (await client.get(f"/api/v1/refunds/{refund['id']}", headers=bob)).json()

        assert seen_by_bob["confirm_above"] == 2500
        assert refund["confirm_above"] is None  # the customer's own answer: not hers to know
