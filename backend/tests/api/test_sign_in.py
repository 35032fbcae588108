"""Signing in over HTTP with the real app: the token pair, /me, indistinguishable failures,
and answers that carry tokens are never cached (SPEC section 2, /auth and /me of section 5)."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD

from .signing_in import (
    API,
    assert_problem,
    bearer,
    login,
    tokens_of,
)

# pwdlib's argon2id cost, the settings' default.
PRODUCTION_HASH_COST = {"password_hash_memory_kib": 65536, "password_hash_time_cost": 3}


class TestLoginIssuesATokenPairAndMeNamesTheUser:
    async def test_login_answers_access_and_refresh_tokens_of_type_bearer(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        response = await login(client, "alice@example.com")

        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == container.settings.access_token_ttl_seconds
        assert body["access_token"] != body["refresh_token"]

    async def test_me_names_the_signed_in_customer(self, client: httpx.AsyncClient) -> None:
        tokens = await tokens_of(client, "alice@example.com")

        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))

        assert me.status_code == 200, me.text
        body = me.json()
        assert set(body) >= {"id", "email", "name", "role", "customer_id"}
        assert body["email"] == "alice@example.com"
        assert body["role"] == "customer"
        assert body["customer_id"] == "CUST-1001"
        assert body["id"] and body["name"]

    @pytest.mark.parametrize(
        ("who", "role"),
        [("bob", "agent"), ("sam", "supervisor"), ("admin", "admin")],
    )
    async def test_me_names_staff_without_a_customer_id(
        self, client: httpx.AsyncClient, who: str, role: str
    ) -> None:
        tokens = await tokens_of(client, f"{who}@example.com")

        body = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()

        assert body["role"] == role
        assert body["customer_id"] is None
        assert body["email"] == f"{who}@example.com"

    @pytest.mark.parametrize(
        "email", ["ALICE@EXAMPLE.COM", "Alice@Example.com", " alice@example.com "]
    )
    async def test_email_is_case_insensitive(self, client: httpx.AsyncClient, email: str) -> None:
        tokens = await tokens_of(client, email)

        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))

        assert me.json()["email"] == "alice@example.com"

    async def test_me_without_a_token_is_unauthenticated(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(f"{API}/me"), 401, "unauthenticated")

    async def test_me_with_another_scheme_is_unauthenticated(
        self, client: httpx.AsyncClient
    ) -> None:
        basic = "Basic " + base64.b64encode(b"alice@example.com:demo-password").decode()

        response = await client.get(f"{API}/me", headers={"Authorization": basic})

        assert_problem(response, 401, "unauthenticated")


class TestWrongPasswordAndUnknownEmailAreIndistinguishable:
    async def test_both_get_the_same_401_body(self, client: httpx.AsyncClient) -> None:
        wrong_password = await login(client, "alice@example.com", "not-her-password")
        unknown_email = await login(client, "nobody@example.com", "not-her-password")

        assert_problem(wrong_password, 401, "unauthenticated")
        assert_problem(unknown_email, 401, "unauthenticated")
        assert wrong_password.json() == unknown_email.json()
        assert wrong_password.headers.get("www-authenticate") == unknown_email.headers.get(
            "www-authenticate"
        )

    async def test_both_verify_a_password_hash(
        self, client: httpx.AsyncClient, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        real_verify = container.hasher.verify
        verified: list[str] = []

        def spy(password: str, password_hash: str) -> bool:
            verified.append(password_hash)
            return real_verify(password, password_hash)

        monkeypatch.setattr(container.hasher, "verify", spy)

        await login(client, "alice@example.com", "not-her-password")
        assert len(verified) == 1
        await login(client, "nobody@example.com", "not-her-password")
        assert len(verified) == 2
        assert all(h.startswith("$argon2") for h in verified)

    @pytest.mark.parametrize("settings_overrides", [PRODUCTION_HASH_COST], indirect=True)
    async def test_both_take_argon2_time(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        # The demo data is hashed at the tests' least cost: alice's password as a service
        # at the standard cost would have stored it.
        async with container.database.writer.begin() as connection:
            await connection.execute(
                text("UPDATE users SET password_hash = :hash WHERE email = :email"),
                {"hash": container.hasher.hash(DEMO_PASSWORD), "email": "alice@example.com"},
            )
        for email in ("alice@example.com", "nobody@example.com"):
            started = time.perf_counter()
            response = await login(client, email, "not-her-password")
            elapsed = time.perf_counter() - started
            assert response.status_code == 401
            assert elapsed > 0.010, f"{email}: {elapsed * 1000:.1f} ms"

    async def test_an_unknown_email_costs_no_more_hashing_than_a_wrong_password(
        self, client: httpx.AsyncClient, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await login(client, "warm-up@example.com", "x")  # a one-off dummy hash may be fine
        calls: list[str] = []
        for name in ("hash", "verify"):
            real = getattr(container.hasher, name)

            def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
                calls.append(_name)
                return _real(*args)

            monkeypatch.setattr(container.hasher, name, spy)

        await login(client, "alice@example.com", "not-her-password")
        wrong_password_work = list(calls)
        calls.clear()
        await login(client, "nobody@example.com", "not-her-password")

        assert calls == wrong_password_work


class TestTokenAnswersAreNeverCached:
    async def test_login_and_refresh_answers_carry_no_store(
        self, client: httpx.AsyncClient
    ) -> None:
        signed_in = await login(client, "alice@example.com")
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": signed_in.json()["refresh_token"]}
        )

        for response in (signed_in, refreshed):
            assert response.status_code == 200, response.text
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["pragma"] == "no-cache"
