"""The main journey through HTTP with the real app: a case, a refund, approval, execution."""

from __future__ import annotations

import httpx

from supportdesk.bootstrap import Container


async def test_customer_case_refund_and_agent_execution(
    client: httpx.AsyncClient, as_user, container: Container
) -> None:
    alice = await as_user("alice")
    bob = await as_user("bob")

    me = await client.get("/api/v1/me", headers=alice)
    assert me.json()["customer_id"] == "CUST-1001"

    order = (await client.get("/api/v1/orders/ORD-1001", headers=alice)).json()
    assert [line["refundable_quantity"] for line in order["lines"]] == [1, 3]
    assert order["refund_window"]["open"] is True

    created = await client.post(
        "/api/v1/support-cases",
        headers=alice,
        json={
            "order_id": "ORD-1001",
            "subject": "Cable broken",
            "description": "Two of three",
            "category": "damaged_item",
        },
    )
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]

    body = {"items": [{"line_id": "L2", "quantity": 2}], "reason": "broken"}
    quote = await client.post(
        f"/api/v1/support-cases/{case_id}/refunds/quote", headers=alice, json=body
    )
    assert quote.status_code == 200, quote.text
    assert quote.json()["total_amount"] == 2140
    assert quote.json()["items"][0]["parts"] == [1070, 1070]

    refund = await client.post(f"/api/v1/support-cases/{case_id}/refunds", headers=alice, json=body)
    assert refund.status_code == 201, refund.text
    refund_id = refund.json()["id"]

    approved = await client.post(f"/api/v1/refunds/{refund_id}/approve", headers=bob)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    executed = await client.post(f"/api/v1/refunds/{refund_id}/execute", headers=bob)
    assert executed.status_code == 200, executed.text
    assert executed.json()["status"] == "refunded"

    sandbox = container.integrations.gateway_sandbox
    assert sandbox is not None
    assert [r.amount for r in sandbox.refunds] == [2140]

    seen = await client.get(f"/api/v1/refunds/{refund_id}", headers=alice)
    assert seen.json()["status"] == "refunded"
    history = (await client.get(f"/api/v1/support-cases/{case_id}/history", headers=alice)).json()
    assert [e["type"] for e in history] == [
        "case_opened",
        "refund_requested",
        "refund_approved",
        "execution_started",
        "refund_succeeded",
    ]
