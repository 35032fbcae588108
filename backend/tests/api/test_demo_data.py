"""The demo data as the API shows it: the customers' names, the lost travel bag, and
Dave's keyboard (Dave has no account yet)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from tests.factories import open_case, request_refund

API = "/api/v1"


class TestCustomersOnOrders:
    async def test_an_order_names_its_customer_as_the_order_system_does(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")

        order = (await client.get(f"{API}/orders/ORD-1001", headers=alice)).json()

        assert order["customer"] == {
            "id": "CUST-1001", "name": "Alice Martin", "email": "alice@example.com",
        }  # fmt: skip

    async def test_the_demo_customers_sign_in_under_their_names(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        names = {}
        for who in ("alice", "carol"):
            me = await client.get(f"{API}/me", headers=await as_user(who))
            names[who] = (me.json()["name"], me.json()["customer_id"])

        assert names == {
            "alice": ("Alice Martin", "CUST-1001"),
            "carol": ("Carol Diaz", "CUST-1002"),
        }


class TestTheLostTravelBag:
    """Shipped twelve days ago, never delivered: lost in transit (issue 18 part 4)."""

    async def test_it_is_shipped_never_delivered_and_counts_as_lost_in_transit(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")

        bag = (await client.get(f"{API}/orders/ORD-1006", headers=alice)).json()

        assert (bag["status"], bag["delivered_at"]) == ("shipped", None)
        window = bag["refund_window"]
        assert (window["basis"], window["open"], window["delivered_at"]) == (
            "lost_in_transit",
            True,
            None,
        )
        shipped_at = datetime.fromisoformat(bag["shipped_at"])
        assert datetime.fromisoformat(window["shipped_at"]) == shipped_at
        assert datetime.fromisoformat(window["opens_at"]) == shipped_at + timedelta(days=10)
        assert datetime.fromisoformat(window["closes_at"]) == shipped_at + timedelta(days=24)
        assert [(line["sku"], line["gross"]) for line in bag["lines"]] == [("BAG-4", 7735)]
        assert bag["shipping"] == {"amount": 499, "tax": 95, "refundable": True}

    async def test_a_case_about_it_never_arriving_is_refunded_through_the_gateway(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1006", category="not_delivered")
        refund = (
            await request_refund(client, alice, case["id"], [("L1", 1)], include_shipping=True)
        ).json()
        assert refund["total_amount"] == 7735 + 594
        assert refund["refund_window"]["basis"] == "lost_in_transit"

        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        assert approve.status_code == 200, approve.text
        assert approve.json()["approval_window"]["basis"] == "lost_in_transit"
        assert approve.json()["approval_window"]["open"] is True

    async def test_a_case_about_anything_else_is_outside_the_window_and_settled(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        case = await open_case(client, alice, "ORD-1006", category="wrong_item")
        refund = (await request_refund(client, alice, case["id"], [("L1", 1)])).json()
        assert (refund["refund_window"]["basis"], refund["refund_window"]["open"]) == (
            "none",
            False,
        )

        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)
        settle = await client.post(
            f"{API}/refunds/{refund['id']}/settlement",
            headers=bob,
            json={"type": "replacement", "amount": 7735, "note": "A new bag is on its way"},
        )

        assert approve.status_code == 422
        assert approve.json()["code"] == "outside_refund_window"
        assert approve.json()["basis"] == "none"
        assert settle.status_code == 200, settle.text
        assert settle.json()["status"] == "settled"


class TestDaveWhoHasNoAccountYet:
    async def test_his_order_is_there_for_the_staff(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        bob = await as_user("bob")

        order = (await client.get(f"{API}/orders/ORD-3001", headers=bob)).json()

        assert order["customer"] == {
            "id": "CUST-3001", "name": "Dave Okafor", "email": "dave@example.com",
        }  # fmt: skip
        assert order["refund_window"]["open"] is True
        assert [(line["sku"], line["gross"]) for line in order["lines"]] == [("KB-2", 9401)]

    async def test_other_customers_do_not_see_it(self, client: httpx.AsyncClient, as_user) -> None:
        alice = await as_user("alice")

        response = await client.get(f"{API}/orders/ORD-3001", headers=alice)

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    async def test_he_cannot_sign_in(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"{API}/auth/login", json={"email": "dave@example.com", "password": "demo-password"}
        )

        assert response.status_code == 401
