"""Issue 18 part 4 through HTTP: refunds of orders that never arrived. An order not shipped is
refunded as a cancellation; a parcel shipped more than LOST_PARCEL_AFTER_DAYS ago counts as
lost in transit for a case about an order not delivered. The order simulator's sandbox moves
a shipment in time (the exact second of each edge is proven in tests/unit/test_window.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from supportdesk.application.ports import OrderSystemUnavailable
from tests.factories import open_case, request_refund

API = "/api/v1"
# The order cache off, so a shipment moved by the sandbox shows at once.
NO_ORDER_CACHE = pytest.mark.parametrize(
    "settings_overrides", [{"order_cache_ttl_seconds": 0}], indirect=True
)


async def ship(
    client: httpx.AsyncClient,
    order_id: str,
    shipped: timedelta | None,
    *,
    cancelled: bool = False,
) -> dict[str, Any]:
    """Sets the order's goods as shipped ``shipped`` ago (None: not shipped)."""
    shipped_at = None if shipped is None else (datetime.now(UTC) - shipped).isoformat()
    response = await client.post(
        f"/sim/orders/_sandbox/orders/{order_id}/shipment",
        json={"shipped_at": shipped_at, "cancelled": cancelled},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def refund_of(
    client: httpx.AsyncClient, alice: dict[str, str], order_id: str, category: str
) -> dict[str, Any]:
    case = await open_case(client, alice, order_id, category=category)
    response = await request_refund(client, alice, case["id"], [("L1", 1)])
    assert response.status_code == 201, response.text
    return response.json()


class TestAParcelNotYetLost:
    async def test_a_parcel_shipped_a_day_ago_is_outside_and_says_when_it_counts_as_lost(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        order = (await client.get(f"{API}/orders/ORD-1003", headers=alice)).json()
        refund = await refund_of(client, alice, "ORD-1003", "not_delivered")

        as_bob = (await client.get(f"{API}/refunds/{refund['id']}", headers=bob)).json()
        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        window = as_bob["refund_window"]
        shipped_at = datetime.fromisoformat(order["shipped_at"])
        assert (window["basis"], window["open"]) == ("lost_in_transit", False)
        assert datetime.fromisoformat(window["opens_at"]) == shipped_at + timedelta(days=10)
        [blocked] = [b for b in as_bob["blocked_actions"] if b["action"] == "approve"]
        assert blocked["code"] == "outside_refund_window"
        assert "counts as lost in transit after 10 days" in blocked["detail"]
        assert approve.status_code == 422
        assert approve.json()["code"] == "outside_refund_window"
        assert datetime.fromisoformat(approve.json()["opens_at"]) == datetime.fromisoformat(
            window["opens_at"]
        )


@NO_ORDER_CACHE
class TestAParcelThatCountsAsLost:
    async def test_once_more_than_ten_days_passed_it_is_approved_and_paid_as_lost(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await refund_of(client, alice, "ORD-1003", "not_delivered")
        assert refund["refund_window"]["open"] is False

        await ship(client, "ORD-1003", timedelta(days=10, minutes=1))
        as_bob = (await client.get(f"{API}/refunds/{refund['id']}", headers=bob)).json()
        approved = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)
        executed = await client.post(f"{API}/refunds/{refund['id']}/execute", headers=bob)
        listed = await client.get(
            f"{API}/refunds", headers=bob, params={"support_case_id": refund["support_case_id"]}
        )

        assert (as_bob["refund_window"]["basis"], as_bob["refund_window"]["open"]) == (
            "lost_in_transit",
            True,
        )
        assert "approve" in as_bob["allowed_actions"]
        assert approved.status_code == 200, approved.text
        assert approved.json()["approval_window"]["basis"] == "lost_in_transit"
        assert executed.json()["status"] == "refunded"
        # The list shows the window as the approval saw it, without asking the order system.
        [row] = listed.json()["items"]
        assert (row["refund_window"]["basis"], row["refund_window"]["open"]) == (
            "lost_in_transit",
            True,
        )

    async def test_a_minute_before_ten_days_after_shipping_it_is_not_lost_yet(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await refund_of(client, alice, "ORD-1003", "not_delivered")

        await ship(client, "ORD-1003", timedelta(days=10) - timedelta(minutes=1))
        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        assert approve.status_code == 422
        assert approve.json()["basis"] == "lost_in_transit"


@NO_ORDER_CACHE
class TestAnOrderNotShipped:
    @pytest.mark.parametrize("cancelled", [False, True], ids=["placed", "cancelled"])
    async def test_it_is_refunded_as_a_cancellation_whatever_the_case_is_about(
        self, client: httpx.AsyncClient, as_user, cancelled: bool
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        shipment = await ship(client, "ORD-1003", None, cancelled=cancelled)
        assert shipment["status"] == ("cancelled" if cancelled else "placed")
        case = await open_case(client, alice, "ORD-1003", category="damaged_item")

        quote = await client.post(
            f"{API}/support-cases/{case['id']}/refunds/quote",
            headers=alice,
            json={"items": [{"line_id": "L1", "quantity": 2}], "reason": "r"},
        )
        refund = (await request_refund(client, alice, case["id"], [("L1", 2)])).json()
        approved = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        assert quote.json()["refund_window"] == {
            "delivered_at": None,
            "shipped_at": None,
            "opens_at": None,
            "closes_at": None,
            "open": True,
            "basis": "not_shipped",
        }
        assert approved.status_code == 200, approved.text
        assert approved.json()["approval_window"]["basis"] == "not_shipped"

    async def test_once_it_ships_the_refund_is_no_longer_a_cancellation(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        await ship(client, "ORD-1003", None)
        refund = await refund_of(client, alice, "ORD-1003", "damaged_item")
        assert refund["refund_window"]["basis"] == "not_shipped"

        await ship(client, "ORD-1003", timedelta(hours=1))
        as_bob = (await client.get(f"{API}/refunds/{refund['id']}", headers=bob)).json()
        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        assert (as_bob["refund_window"]["basis"], as_bob["refund_window"]["open"]) == (
            "none",
            False,
        )
        assert approve.status_code == 422
        assert approve.json()["code"] == "outside_refund_window"


class TestTheRefundPageWithoutTheOrderSystem:
    async def test_it_shows_the_window_last_seen_and_approval_waits_for_the_order_system(
        self, client: httpx.AsyncClient, as_user, container, monkeypatch
    ) -> None:
        alice, bob = await as_user("alice"), await as_user("bob")
        refund = await refund_of(client, alice, "ORD-1006", "not_delivered")

        async def down(order_id: str) -> None:
            raise OrderSystemUnavailable("the order system did not answer")

        monkeypatch.setattr(container.integrations.order_system, "get_order", down)
        page = await client.get(f"{API}/refunds/{refund['id']}", headers=bob)
        approve = await client.post(f"{API}/refunds/{refund['id']}/approve", headers=bob)

        assert page.status_code == 200, page.text
        assert page.json()["refund_window"] == refund["refund_window"]
        assert approve.status_code == 503
        assert approve.json()["code"] == "upstream_unavailable"


class TestTheShipmentSandbox:
    @pytest.mark.parametrize(
        "body",
        [
            {"shipped_at": "2026-03-02T10:00:00+00:00", "delivered_at": "2026-03-01T10:00:00Z"},
            {"shipped_at": None, "delivered_at": "2026-03-01T10:00:00+00:00"},
            {"shipped_at": "2026-03-01T10:00:00"},
            {"shipped_at": None, "lost": True},
            {},
        ],
        ids=[
            "delivered-before-shipped",
            "delivered-never-shipped",
            "no-offset",
            "unknown-field",
            "nothing-named",
        ],
    )
    async def test_a_shipment_out_of_order_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, body: dict[str, Any]
    ) -> None:
        before = (await client.get("/sim/orders/orders/ORD-1003")).json()

        response = await client.post("/sim/orders/_sandbox/orders/ORD-1003/shipment", json=body)

        assert response.status_code == 422
        assert (await client.get("/sim/orders/orders/ORD-1003")).json() == before

    async def test_an_unknown_order_is_404_and_a_reset_brings_the_demo_shipments_back(
        self, client: httpx.AsyncClient
    ) -> None:
        unknown = await client.post(
            "/sim/orders/_sandbox/orders/ORD-9999/shipment", json={"shipped_at": None}
        )
        moved = await ship(client, "ORD-1006", None)
        reset = await client.post("/sim/orders/_sandbox/reset")
        again = await client.get("/sim/orders/orders/ORD-1006")

        assert unknown.status_code == 404
        assert moved["status"] == "placed"
        assert reset.status_code == 204
        assert (again.json()["status"], again.json()["shipped_at"] is not None) == ("shipped", True)
