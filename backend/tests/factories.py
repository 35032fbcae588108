"""Plain helpers that drive the API the way a client would."""

from __future__ import annotations

from typing import Any

import httpx


async def open_case(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str = "ORD-1001", **body: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/support-cases",
        headers=headers,
        json={
            "order_id": order_id,
            "subject": "About my order",
            "description": "Something is wrong",
            "category": "damaged_item",
            **body,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def request_refund(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    case_id: str,
    items: list[tuple[str, int]] | None = None,
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/support-cases/{case_id}/refunds",
        headers=headers,
        json={
            "items": [{"line_id": line, "quantity": q} for line, q in items or [("L2", 2)]],
            "reason": "broken",
            **body,
        },
    )


async def approved_refund(
    client: httpx.AsyncClient,
    customer: dict[str, str],
    agent: dict[str, str],
    order_id: str = "ORD-1001",
    items: list[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    case = await open_case(client, customer, order_id)
    refund = await request_refund(client, customer, case["id"], items)
    assert refund.status_code == 201, refund.text
    approved = await client.post(f"/api/v1/refunds/{refund.json()['id']}/approve", headers=agent)
    assert approved.status_code == 200, approved.text
    return approved.json()
