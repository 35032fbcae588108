"""Refunds of an amount, and one compensation budget per order.

Staff give an amount not tied to units (a goodwill gesture for a late parcel, shipping only,
a price adjustment); it goes through the same approval, threshold, window, execution and
reconciliation as a refund of units. Everything that compensates the customer for an order
(gateway refunds of units and of amounts, settlements) draws on what they paid for it, and
no combination of them can give back more."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import open_case, request_refund

# ORD-1001: headphones €107.09, three cables €32.09, shipping €5.94 = €145.12 paid.
PAID = 14512
HEADPHONES = 10709


def amount(value: int, code: str = "goodwill", **body: Any) -> dict[str, Any]:
    return {"kind": "amount", "amount": value, "reason_code": code, **body}


async def give(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, value: int, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/support-cases/{case_id}/refunds", headers=headers, json=amount(value, **body)
    )


async def compensation(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str = "ORD-1001"
) -> dict[str, Any]:
    order = await client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert order.status_code == 200, order.text
    return dict(order.json()["compensation"])


class TestAmountRefunds:
    async def test_staff_give_an_amount_that_the_gateway_pays_like_any_refund(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)

        given = await give(
            client, bob, case["id"], 500, code="late_delivery", note="Sorry for the wait"
        )

        assert given.status_code == 201, given.text
        refund = given.json()
        assert refund["kind"] == "amount"
        assert refund["reason_code"] == "late_delivery"
        assert refund["items"] == [] and refund["include_shipping"] is False
        assert refund["total_amount"] == 500 and refund["reason"] == "Sorry for the wait"
        history = await client.get(f"/api/v1/refunds/{refund['id']}/history", headers=alice)
        # The reason as people read it: the list's label, not its code.
        assert history.json()[0]["note"] == (
            "an amount of 5.00 EUR (Late delivery): Sorry for the wait"
        )
        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        assert approved.status_code == 200, approved.text
        paid = await client.post(f"/api/v1/refunds/{refund['id']}/execute", headers=bob)
        assert paid.status_code == 200, paid.text
        assert paid.json()["status"] == "refunded"
        seen = await client.get(f"/api/v1/refunds/{refund['id']}", headers=alice)
        assert seen.json()["total_amount"] == 500 and seen.json()["kind"] == "amount"
        assert await compensation(client, alice) == {
            "currency": "EUR",
            "paid": PAID,
            "out": 500,
            "held": 0,
            "remaining": PAID - 500,
        }

    async def test_a_customer_may_not_ask_for_an_amount(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice = await as_user("alice")
        case = await open_case(client, alice)

        refused = await give(client, alice, case["id"], 500)

        assert refused.status_code == 403, refused.text
        listed = await client.get(f"/api/v1/refunds?support_case_id={case['id']}", headers=alice)
        assert listed.json()["items"] == []

    async def test_an_amount_refund_follows_the_supervisor_threshold(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob, sam = await as_user("alice"), await as_user("bob"), await as_user("sam")
        case = await open_case(client, alice, "ORD-1005")  # the TV: €1,069.81
        refund = (await give(client, bob, case["id"], 60000, code="price_adjustment")).json()

        refused = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        approved = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=sam)

        assert refused.status_code == 403
        assert refused.json()["code"] == "supervisor_approval_required"
        assert approved.status_code == 200, approved.text

    async def test_outside_the_window_an_amount_is_settled_not_paid_through_the_gateway(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1002")  # delivered 20 days ago
        refund = (await give(client, bob, case["id"], 1000)).json()

        refused = await client.post(f"/api/v1/refunds/{refund['id']}/approve", headers=bob)
        settled = await client.post(
            f"/api/v1/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "voucher", "amount": 1000, "note": "A voucher for the wait"},
        )

        assert refused.json()["code"] == "outside_refund_window"
        assert settled.status_code == 200, settled.text
        assert (await compensation(client, bob, "ORD-1002"))["out"] == 1000

    @pytest.mark.parametrize(
        "body",
        [
            amount(0),
            amount(-5),
            amount(500, code="Not A Code"),
            amount(500, code="no_such_reason"),
            {"kind": "amount", "amount": 500},
            {"kind": "amount", "reason_code": "goodwill"},
            {"kind": "cash", "amount": 500, "reason_code": "goodwill"},
            {**amount(500), "items": [{"line_id": "L1", "quantity": 1}]},
        ],
    )
    async def test_a_malformed_amount_refund_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, as_user: Any, body: dict[str, Any]
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)

        refused = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds", headers=bob, json=body
        )

        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await compensation(client, bob))["held"] == 0


class TestOneCompensationBudgetPerOrder:
    async def test_an_amount_above_what_remains_is_refused_naming_what_remains(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        units = await request_refund(client, alice, case["id"], [("L1", 1)])
        assert units.status_code == 201, units.text
        remaining = PAID - HEADPHONES

        refused = await give(client, bob, case["id"], remaining + 1)
        given = await give(client, bob, case["id"], remaining)

        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["code"] == "compensation_exceeded"
        assert problem["remaining"] == remaining
        assert "38.03 EUR" in problem["detail"]
        assert given.status_code == 201, given.text
        assert await compensation(client, bob) == {
            "currency": "EUR",
            "paid": PAID,
            "out": 0,
            "held": PAID,
            "remaining": 0,
        }

    async def test_units_are_refused_once_amounts_have_used_the_budget(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        assert (await give(client, bob, case["id"], PAID - 5000)).status_code == 201

        refused = await request_refund(client, alice, case["id"], [("L1", 1)])
        cables = await request_refund(client, alice, case["id"], [("L2", 1)])

        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "compensation_exceeded"
        assert refused.json()["remaining"] == 5000
        assert cables.status_code == 201, cables.text  # one cable: €10.70

    async def test_rejected_and_cancelled_refunds_give_their_share_back(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        given = (await give(client, bob, case["id"], PAID)).json()
        units = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        assert units["code"] == "compensation_exceeded"

        rejected = await client.post(
            f"/api/v1/refunds/{given['id']}/reject", headers=bob, json={"reason": "Too much"}
        )
        asked = await request_refund(client, alice, case["id"], [("L1", 1)])
        cancelled = await client.post(f"/api/v1/refunds/{asked.json()['id']}/cancel", headers=alice)

        assert rejected.status_code == 200 and asked.status_code == 201
        assert cancelled.status_code == 200, cancelled.text
        assert (await compensation(client, bob))["remaining"] == PAID

    async def test_a_settlement_for_less_leaves_the_rest_of_its_refund_to_give(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        units = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()

        settled = await client.post(
            f"/api/v1/refunds/{units['id']}/settlement",
            headers=bob,
            json={"type": "store_credit", "amount": 5000, "note": "Half as credit"},
        )
        extra = await give(client, bob, case["id"], PAID - 5000)

        assert settled.status_code == 200, settled.text
        assert extra.status_code == 201, extra.text
        assert await compensation(client, bob) == {
            "currency": "EUR",
            "paid": PAID,
            "out": 5000,
            "held": PAID - 5000,
            "remaining": 0,
        }

    async def test_the_refund_form_shows_the_budget_with_its_quote(
        self, client: httpx.AsyncClient, as_user: Any
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice)
        await give(client, bob, case["id"], 1000)

        quote = await client.post(
            f"/api/v1/support-cases/{case['id']}/refunds/quote",
            headers=alice,
            json={"items": [{"line_id": "L2", "quantity": 1}], "reason": "broken"},
        )

        assert quote.status_code == 200, quote.text
        assert quote.json()["compensation"]["held"] == 1000
        assert quote.json()["compensation"]["remaining"] == PAID - 1000
