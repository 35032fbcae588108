"""One table of access rules, walked over every route the app has.

A new route that is not in the table fails ``test_every_route_is_in_the_table``, so nobody
can add an endpoint without saying who may call it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from supportdesk.api.app import create_app
from tests.conftest import make_settings
from tests.factories import open_case, request_refund
from tests.files import image_bytes, upload

PUBLIC = "public"
SIGNED_IN = "signed_in"  # any role; a customer sees only their own objects
STAFF = "staff"  # agents, supervisors, admins; customers get 403
ADMIN = "admin"
CUSTOMER = "customer"  # customers only; staff get 403

# (method, path template) -> who may call it, and whether it names another customer's object
ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/api/v1/auth/order-link"): PUBLIC,
    ("POST", "/api/v1/auth/order-link/redeem"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset"): PUBLIC,
    ("POST", "/api/v1/auth/password-reset/confirm"): PUBLIC,
    # Signing in through the shop's identity provider: before anyone is signed in. The
    # one-time code, the state and the provider's signature are the proofs
    # (tests/api/test_provider_sign_in.py).
    ("GET", "/api/v1/auth/providers"): PUBLIC,
    ("GET", "/api/v1/auth/oidc/start"): PUBLIC,
    ("GET", "/api/v1/auth/oidc/callback"): PUBLIC,
    ("POST", "/api/v1/auth/oidc/redeem"): PUBLIC,
    ("POST", "/api/v1/auth/oidc/backchannel-logout"): PUBLIC,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/me/notification-settings"): STAFF,
    ("PATCH", "/api/v1/me/notification-settings"): STAFF,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/deactivate"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/reactivate"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/password-reset"): ADMIN,
    ("PATCH", "/api/v1/users/{user_id}"): ADMIN,
    ("GET", "/api/v1/staff"): STAFF,
    ("GET", "/api/v1/orders"): SIGNED_IN,
    ("GET", "/api/v1/orders/{order_id}"): SIGNED_IN,
    # Customers open their own cases; staff open cases for customers (issue 17).
    ("POST", "/api/v1/support-cases"): SIGNED_IN,
    ("GET", "/api/v1/support-cases"): SIGNED_IN,
    ("GET", "/api/v1/support-cases/export.csv"): STAFF,
    ("POST", "/api/v1/support-cases/bulk"): STAFF,
    ("GET", "/api/v1/support-cases/{case_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/support-cases/{case_id}"): SIGNED_IN,
    ("POST", "/api/v1/support-cases/{case_id}/messages"): SIGNED_IN,
    ("GET", "/api/v1/support-cases/{case_id}/messages"): SIGNED_IN,
    ("GET", "/api/v1/support-cases/{case_id}/history"): SIGNED_IN,
    # Files: whoever reads the case (internal ones: staff); the uploader takes one back,
    # an admin redacts any (tests/api/test_attachments.py).
    ("POST", "/api/v1/support-cases/{case_id}/attachments"): SIGNED_IN,
    ("GET", "/api/v1/support-cases/{case_id}/attachments"): SIGNED_IN,
    ("GET", "/api/v1/attachments/{attachment_id}"): SIGNED_IN,
    ("DELETE", "/api/v1/attachments/{attachment_id}"): SIGNED_IN,
    # The case's customer, or staff on the customer's behalf.
    ("POST", "/api/v1/support-cases/{case_id}/refunds"): SIGNED_IN,
    ("POST", "/api/v1/support-cases/{case_id}/refunds/quote"): SIGNED_IN,
    ("GET", "/api/v1/refunds"): SIGNED_IN,
    ("GET", "/api/v1/refunds/export.csv"): STAFF,
    ("GET", "/api/v1/refunds/{refund_id}"): SIGNED_IN,
    ("POST", "/api/v1/refunds/{refund_id}/approve"): STAFF,
    ("POST", "/api/v1/refunds/{refund_id}/reject"): STAFF,
    ("POST", "/api/v1/refunds/{refund_id}/cancel"): SIGNED_IN,
    ("POST", "/api/v1/refunds/{refund_id}/execute"): STAFF,
    ("POST", "/api/v1/refunds/{refund_id}/settlement"): STAFF,
    ("GET", "/api/v1/refunds/{refund_id}/history"): SIGNED_IN,
    ("GET", "/api/v1/overview/stats"): STAFF,
    # Customers never see a customer profile, not even their own.
    ("GET", "/api/v1/customers/{customer_id}"): STAFF,
    # Canned replies are the staff's (issue 17 part 4); personal ones only their owner's.
    ("GET", "/api/v1/canned-replies"): STAFF,
    ("POST", "/api/v1/canned-replies"): STAFF,
    ("PATCH", "/api/v1/canned-replies/{reply_id}"): STAFF,
    ("DELETE", "/api/v1/canned-replies/{reply_id}"): STAFF,
    # Everyone reads the reasons offered (customers choose one); admins keep the list
    # (only they may add ``include_inactive=true``: tests/api/test_reason_codes.py).
    ("GET", "/api/v1/reason-codes"): SIGNED_IN,
    ("POST", "/api/v1/reason-codes"): ADMIN,
    ("PATCH", "/api/v1/reason-codes/{code}"): ADMIN,
    # The refund policy: staff read the rules they decide by, admins change them.
    ("GET", "/api/v1/refund-policy"): STAFF,
    ("GET", "/api/v1/refund-policy/versions"): STAFF,
    ("POST", "/api/v1/refund-policy"): ADMIN,
    ("POST", "/api/v1/refund-policy/dry-run"): ADMIN,
    ("GET", "/api/v1/outbox"): ADMIN,
    ("POST", "/api/v1/outbox/{outbox_id}/retry"): ADMIN,
    ("POST", "/api/v1/webhook-endpoints"): ADMIN,
    ("GET", "/api/v1/webhook-endpoints"): ADMIN,
    ("GET", "/api/v1/webhook-endpoints/{endpoint_id}"): ADMIN,
    ("PATCH", "/api/v1/webhook-endpoints/{endpoint_id}"): ADMIN,
    ("DELETE", "/api/v1/webhook-endpoints/{endpoint_id}"): ADMIN,
    ("POST", "/api/v1/webhook-endpoints/{endpoint_id}/rotate-secret"): ADMIN,
    ("GET", "/api/v1/webhook-endpoints/{endpoint_id}/deliveries"): ADMIN,
    ("POST", "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry"): ADMIN,
    ("GET", "/api/v1/events/stream"): SIGNED_IN,
    # No token: the Stripe-Signature is the proof of who sent it (tests/api/test_payment_events.py).
    ("POST", "/api/v1/payment-gateway/webhooks"): PUBLIC,
    ("GET", "/api/v1/health/live"): PUBLIC,
    ("GET", "/api/v1/health/ready"): PUBLIC,
}

# Routes that load one customer's object: carol asking for alice's gets 404.
OBJECT_ROUTES = [
    key
    for key in ROUTES
    if any(p in key[1] for p in ("{case_id}", "{refund_id}", "{order_id}", "{attachment_id}"))
    and ROUTES[key] in (SIGNED_IN, CUSTOMER)
]

BODIES: dict[str, Any] = {
    "/messages": {"body": "hello"},
    "/refunds/quote": {"items": [{"line_id": "L2", "quantity": 1}], "reason": "r"},
    "{case_id}/refunds": {"items": [{"line_id": "L2", "quantity": 1}], "reason": "r"},
    "/reject": {"reason": "no"},
    "/settlement": {"type": "voucher", "amount": 0, "note": "n"},
    "{case_id}": {"priority": "high"},
    "/notification-settings": {"case_replies": False},
    "/support-cases/bulk": {"ids": ["case_x"], "changes": {"priority": "high"}},
    "/canned-replies": {"title": "Thanks", "body": "Hello {{customer.name}}"},
    "{reply_id}": {"title": "Thanks"},
    "/reason-codes": {"code": "gift_return", "label": "Gift return"},
    "/refund-policy": {"window_days": 21},
    "/dry-run": {"window_days": 21},
    "{code}": {"label": "Broken"},
}


def api_routes() -> set[tuple[str, str]]:
    """Every API operation, read from the app's OpenAPI document (which lists them all)."""
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert len(found) > 25
    return found


def test_every_route_is_in_the_table() -> None:
    missing = api_routes() - set(ROUTES)
    assert not missing, f"routes without an access rule: {sorted(missing)}"


def fill(path: str, ids: dict[str, str]) -> str:
    return path.format(
        **{
            k: ids.get(k, "x")
            for k in (
                "case_id",
                "refund_id",
                "order_id",
                "user_id",
                "outbox_id",
                "endpoint_id",
                "delivery_id",
                "customer_id",
                "reply_id",
                "attachment_id",
                "code",
            )
        }
    )


def body_for(path: str) -> Any:
    for suffix, body in BODIES.items():
        if path.endswith(suffix):
            return body
    return None


@pytest.fixture
async def alices_objects(client: httpx.AsyncClient, as_user) -> dict[str, str]:
    alice = await as_user("alice")
    case = await open_case(client, alice)
    refund = await request_refund(client, alice, case["id"], [("L2", 1)])
    photo = await upload(client, alice, case["id"], image_bytes())
    assert photo.status_code == 201, photo.text
    return {
        "attachment_id": photo.json()["id"],
        "case_id": case["id"],
        "refund_id": refund.json()["id"],
        "order_id": "ORD-1001",
        "user_id": "usr_carol",
        "outbox_id": "1",
        "endpoint_id": "whe_x",
        "delivery_id": "1",
        "customer_id": "CUST-1001",
        "reply_id": "crp_demo_photo",
        "code": "damaged",
    }


async def call(
    client: httpx.AsyncClient,
    method: str,
    template: str,
    ids: dict[str, str],
    headers: dict[str, str],
) -> httpx.Response:
    if method == "POST" and template.endswith("/attachments"):  # a file, as a form
        return await client.post(
            fill(template, ids),
            headers=headers,
            files={"file": ("photo.png", image_bytes(), "image/png")},
        )
    body = body_for(template)
    return await client.request(
        method,
        fill(template, ids),
        headers=headers,
        json=body if method in ("POST", "PATCH") else None,
    )


async def test_without_a_token_every_protected_route_is_401(
    client: httpx.AsyncClient, alices_objects: dict[str, str]
) -> None:
    for (method, template), rule in ROUTES.items():
        if rule == PUBLIC or (method, template) not in api_routes_cache():
            continue
        response = await call(client, method, template, alices_objects, {})
        assert response.status_code == 401, (method, template, response.text)
        assert response.json()["code"] == "unauthenticated"


async def test_a_customer_gets_404_for_another_customers_objects(
    client: httpx.AsyncClient, as_user, alices_objects: dict[str, str]
) -> None:
    carol = await as_user("carol")
    for method, template in OBJECT_ROUTES:
        if (method, template) not in api_routes_cache():
            continue
        response = await call(client, method, template, alices_objects, carol)
        assert response.status_code == 404, (method, template, response.text)
        assert response.json()["code"] in ("not_found", "order_not_found")
        assert "ORD-1001" not in response.text or template.endswith("{order_id}")


async def test_customers_get_403_on_staff_routes(
    client: httpx.AsyncClient, as_user, alices_objects: dict[str, str]
) -> None:
    alice = await as_user("alice")
    for (method, template), rule in ROUTES.items():
        if rule not in (STAFF, ADMIN) or (method, template) not in api_routes_cache():
            continue
        response = await call(client, method, template, alices_objects, alice)
        assert response.status_code == 403, (method, template, response.text)


async def test_agents_get_403_on_admin_and_customer_only_routes(
    client: httpx.AsyncClient, as_user, alices_objects: dict[str, str]
) -> None:
    bob = await as_user("bob")
    for (method, template), rule in ROUTES.items():
        if rule not in (ADMIN, CUSTOMER) or (method, template) not in api_routes_cache():
            continue
        response = await call(client, method, template, alices_objects, bob)
        assert response.status_code == 403, (method, template, response.text)


async def test_lists_never_show_a_customer_another_customers_rows(
    client: httpx.AsyncClient, as_user, alices_objects: dict[str, str]
) -> None:
    carol = await as_user("carol")
    for path in (
        "/api/v1/support-cases",
        "/api/v1/refunds",
        "/api/v1/support-cases?customer_id=CUST-1001",
        "/api/v1/refunds?customer_id=CUST-1001",
        "/api/v1/orders?customer_id=CUST-1001",
    ):
        response = await client.get(path, headers=carol)
        assert response.status_code == 200, response.text
        assert "CUST-1001" not in response.text, path


_ROUTES_CACHE: set[tuple[str, str]] | None = None


def api_routes_cache() -> set[tuple[str, str]]:
    global _ROUTES_CACHE
    if _ROUTES_CACHE is None:
        _ROUTES_CACHE = api_routes()
    return _ROUTES_CACHE
