"""What the sign-in tests share: signing in over HTTP, bearer headers, checking a problem,
and the claims of a token of ours."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD

API = "/api/v1"
ALICE_ORDERS = ["ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005", "ORD-1006"]


# --- helpers --------------------------------------------------------------------------------


async def login(
    client: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD
) -> httpx.Response:
    return await client.post(f"{API}/auth/login", json={"email": email, "password": password})


async def tokens_of(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await login(client, email)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    return body


def assert_retry_after(response: httpx.Response, at_most: int) -> None:
    assert "retry-after" in response.headers, response.headers
    assert 0 < int(response.headers["retry-after"]) <= at_most


def order_ids(response: httpx.Response) -> list[str]:
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return sorted(order["id"] for order in items)


def our_claims(container: Container, **changes: Any) -> dict[str, Any]:
    """Claims of a valid access token of ours for alice's account (user id filled in later)."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": container.settings.jwt_issuer,
        "aud": container.settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "role": "customer",
        "cid": "CUST-1001",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def secret_of(container: Container) -> str:
    return container.settings.jwt_secret.get_secret_value()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
