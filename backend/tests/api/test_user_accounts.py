"""User management over HTTP: only admins manage users; creating and deactivating them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .signing_in import (
    API,
    assert_problem,
    bearer,
    login,
    tokens_of,
)

NEW_AGENT = {
    "email": "dana@example.com",
    "name": "Dana Agent",
    "role": "agent",
    "password": "a-long-enough-password",
}


class TestOnlyAdminsManageUsers:
    async def test_admin_lists_all_users(self, client: httpx.AsyncClient, as_user) -> None:
        response = await client.get(f"{API}/users", headers=await as_user("admin"))

        assert response.status_code == 200, response.text
        users = {u["email"]: u for u in response.json()}
        assert {
            "alice@example.com",
            "carol@example.com",
            "bob@example.com",
            "sam@example.com",
            "admin@example.com",
        } <= set(users)
        assert users["alice@example.com"]["customer_id"] == "CUST-1001"
        assert users["bob@example.com"]["role"] == "agent"
        assert all(u["active"] for u in users.values())
        assert not any("password" in key for u in users.values() for key in u)

    @pytest.mark.parametrize("who", ["alice", "bob", "sam"])
    async def test_others_are_forbidden_to_list_users(
        self, client: httpx.AsyncClient, as_user, who: str
    ) -> None:
        response = await client.get(f"{API}/users", headers=await as_user(who))

        assert_problem(response, 403, "forbidden")

    @pytest.mark.parametrize("who", ["alice", "bob", "sam"])
    async def test_others_are_forbidden_to_create_or_deactivate_users(
        self, client: httpx.AsyncClient, as_user, who: str
    ) -> None:
        headers = await as_user(who)
        created = await client.post(f"{API}/users", headers=headers, json=NEW_AGENT)
        assert_problem(created, 403, "forbidden")

        listed = await client.get(f"{API}/users", headers=await as_user("admin"))
        carol = next(u for u in listed.json() if u["email"] == "carol@example.com")
        deactivated = await client.post(f"{API}/users/{carol['id']}/deactivate", headers=headers)
        assert_problem(deactivated, 403, "forbidden")
        assert (await login(client, "carol@example.com")).status_code == 200

    async def test_users_list_needs_a_signed_in_caller(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(f"{API}/users"), 401, "unauthenticated")


class TestAdminCreatesUsers:
    async def test_a_created_user_can_sign_in_with_their_role(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.post(f"{API}/users", headers=await as_user("admin"), json=NEW_AGENT)

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["email"] == "dana@example.com"
        assert body["role"] == "agent"
        assert body["customer_id"] is None
        assert body["active"] is True
        assert "password" not in json.dumps(body)
        tokens = (await login(client, "dana@example.com", NEW_AGENT["password"])).json()
        me = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()
        assert me["id"] == body["id"]
        assert me["role"] == "agent"

    async def test_a_created_customer_carries_their_customer_id(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.post(
            f"{API}/users",
            headers=await as_user("admin"),
            json={**NEW_AGENT, "role": "customer", "customer_id": "CUST-1002"},
        )

        assert response.status_code == 201, response.text
        assert response.json()["customer_id"] == "CUST-1002"

    @pytest.mark.parametrize("email", ["bob@example.com", "BOB@Example.com"])
    async def test_a_duplicate_email_is_a_conflict_named_email_taken(
        self, client: httpx.AsyncClient, as_user, email: str
    ) -> None:
        response = await client.post(
            f"{API}/users", headers=await as_user("admin"), json={**NEW_AGENT, "email": email}
        )

        assert_problem(response, 409, "email_taken")

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"role": "customer"}, id="customer-without-customer-id"),
            pytest.param({"customer_id": "CUST-1001"}, id="staff-with-customer-id"),
            pytest.param({"password": "short"}, id="short-password"),
            pytest.param({"email": "not-an-email"}, id="bad-email"),
            pytest.param({"role": "root"}, id="unknown-role"),
        ],
    )
    async def test_bad_input_is_a_validation_error_and_creates_nobody(
        self, client: httpx.AsyncClient, as_user, changes: dict[str, Any]
    ) -> None:
        admin = await as_user("admin")

        response = await client.post(f"{API}/users", headers=admin, json={**NEW_AGENT, **changes})

        assert_problem(response, 422, "validation_error")
        emails = [u["email"] for u in (await client.get(f"{API}/users", headers=admin)).json()]
        assert "dana@example.com" not in emails


class TestAdminDeactivatesUsers:
    async def _carol_id(self, client: httpx.AsyncClient, admin: dict[str, str]) -> str:
        users = (await client.get(f"{API}/users", headers=admin)).json()
        return str(next(u["id"] for u in users if u["email"] == "carol@example.com"))

    async def test_the_users_tokens_and_login_stop_working_at_once(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        carol = await tokens_of(client, "carol@example.com")
        carol_headers = bearer(carol["access_token"])
        assert (await client.get(f"{API}/me", headers=carol_headers)).status_code == 200

        response = await client.post(
            f"{API}/users/{await self._carol_id(client, admin)}/deactivate", headers=admin
        )

        assert response.status_code == 200, response.text
        assert response.json()["active"] is False
        assert_problem(await client.get(f"{API}/me", headers=carol_headers), 401, "unauthenticated")
        assert_problem(
            await client.get(f"{API}/orders", headers=carol_headers), 401, "unauthenticated"
        )
        assert_problem(await login(client, "carol@example.com"), 401, "unauthenticated")
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": carol["refresh_token"]}
        )
        assert_problem(refreshed, 401, "unauthenticated")

    async def test_a_deactivated_login_looks_like_any_failed_login(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        await client.post(
            f"{API}/users/{await self._carol_id(client, admin)}/deactivate", headers=admin
        )

        deactivated = await login(client, "carol@example.com")
        unknown = await login(client, "nobody@example.com")

        assert deactivated.json() == unknown.json()

    async def test_the_list_shows_the_user_inactive_and_others_are_unaffected(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        alice = await as_user("alice")

        await client.post(
            f"{API}/users/{await self._carol_id(client, admin)}/deactivate", headers=admin
        )

        users = {u["email"]: u for u in (await client.get(f"{API}/users", headers=admin)).json()}
        assert users["carol@example.com"]["active"] is False
        assert users["alice@example.com"]["active"] is True
        assert (await client.get(f"{API}/me", headers=alice)).status_code == 200

    async def test_an_unknown_user_is_not_found(self, client: httpx.AsyncClient, as_user) -> None:
        response = await client.post(
            f"{API}/users/usr-does-not-exist/deactivate", headers=await as_user("admin")
        )

        assert_problem(response, 404, "not_found")
