"""Signing in and who is calling, through HTTP with the real app: login, tokens, refresh
rotation, logout, user management, the shop's identity provider and the per-user budget
(SPEC section 2 and the /auth and /me rows of section 5)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from supportdesk.api.app import create_app
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


@pytest.fixture
def client_at(container: Container) -> Callable[[str], Any]:
    """A client of the same app (and store) calling from another network address."""

    @asynccontextmanager
    async def open_client(host: str) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(container.settings, container=container)
        transport = httpx.ASGITransport(app=app, client=(host, 40000))
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as other,
        ):
            yield other

    return open_client


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


# --- login ----------------------------------------------------------------------------------


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

    async def test_both_take_argon2_time(self, client: httpx.AsyncClient) -> None:
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


class TestRepeatedFailuresAreRateLimited:
    async def test_after_five_failures_even_the_right_password_gets_429(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        assert container.settings.login_max_failures == 5
        for _ in range(5):
            assert (await login(client, "alice@example.com", "wrong")).status_code == 401

        response = await login(client, "alice@example.com")

        assert_problem(response, 429, "rate_limited")
        assert_retry_after(response, container.settings.login_failure_window_seconds)

    async def test_failures_from_one_address_do_not_lock_the_account_out_elsewhere(
        self, client_at: Callable[[str], Any]
    ) -> None:
        """Five wrong passwords for alice from X, then her right password from Y: in at
        once. (The account-wide lock this replaces let any stranger lock her out.)"""
        async with client_at("203.0.113.7") as x, client_at("198.51.100.20") as y:
            for _ in range(5):
                assert (await login(x, "Alice@example.com", "wrong")).status_code == 401

            started = time.perf_counter()
            from_y = await login(y, "alice@example.com")
            elapsed = time.perf_counter() - started
            from_x = await login(x, "alice@example.com")

        assert from_y.status_code == 200, from_y.text
        assert elapsed < 1.0
        assert_problem(from_x, 429, "rate_limited")

    @pytest.mark.parametrize(
        "settings_overrides", [{"login_address_max_failures": 5}], indirect=True
    )
    async def test_the_client_address_limit_spans_different_emails(
        self, client_at: Callable[[str], Any]
    ) -> None:
        async with client_at("203.0.113.7") as attacker, client_at("198.51.100.20") as other:
            for n in range(5):
                response = await login(attacker, f"guess{n}@example.com", "wrong")
                assert response.status_code == 401

            from_attacker = await login(attacker, "bob@example.com")
            from_elsewhere = await login(other, "bob@example.com")

        assert_problem(from_attacker, 429, "rate_limited")
        assert "retry-after" in from_attacker.headers
        assert from_elsewhere.status_code == 200, from_elsewhere.text

    @pytest.mark.parametrize(
        "settings_overrides", [{"login_address_max_failures": 10}], indirect=True
    )
    async def test_carols_address_is_throttled_while_alice_signs_in_from_another(
        self, client_at: Callable[[str], Any]
    ) -> None:
        async with client_at("198.51.100.30") as carols, client_at("198.51.100.40") as alices:
            assert (await login(carols, "carol@example.com")).status_code == 200
            for n in range(10):
                await login(carols, f"someone{n}@example.com", "wrong")

            stranger_from_carols = await login(carols, "bob@example.com")
            carol_from_carols = await login(carols, "carol@example.com")
            alice_elsewhere = await login(alices, "alice@example.com")

        body = assert_problem(stranger_from_carols, 429, "rate_limited")
        assert "network address" in body["detail"]
        # Carol signed in from her address before: a stranger's spraying there spares her.
        assert carol_from_carols.status_code == 200, carol_from_carols.text
        assert alice_elsewhere.status_code == 200, alice_elsewhere.text

    @pytest.mark.parametrize(
        "settings_overrides", [{"login_address_max_failures": 5}], indirect=True
    )
    async def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_reset_the_count(
        self, client_at: Callable[[str], Any]
    ) -> None:
        async with client_at("203.0.113.7") as attacker:
            for n in range(5):
                forged = {"X-Forwarded-For": f"192.0.2.{n}"}
                response = await attacker.post(
                    f"{API}/auth/login",
                    json={"email": f"guess{n}@example.com", "password": "wrong"},
                    headers=forged,
                )
                assert response.status_code == 401

            rotated = await attacker.post(
                f"{API}/auth/login",
                json={"email": "bob@example.com", "password": DEMO_PASSWORD},
                headers={"X-Forwarded-For": "192.0.2.200"},
            )

        assert_problem(rotated, 429, "rate_limited")

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"login_address_max_failures": 5, "forwarded_allow_ips": "10.0.0.0/8"}],
        indirect=True,
    )
    async def test_a_trusted_proxy_names_the_client_by_its_rightmost_untrusted_hop(
        self, client_at: Callable[[str], Any]
    ) -> None:
        def through_proxy(chain: str) -> dict[str, str]:
            return {"X-Forwarded-For": chain}

        async with client_at("10.0.0.2") as proxy:
            for n in range(5):
                # The client prepended a forged hop; the proxies appended the real one.
                response = await proxy.post(
                    f"{API}/auth/login",
                    json={"email": f"guess{n}@example.com", "password": "wrong"},
                    headers=through_proxy(f"192.0.2.{n}, 203.0.113.7, 10.0.0.9"),
                )
                assert response.status_code == 401
            attacker = await proxy.post(
                f"{API}/auth/login",
                json={"email": "bob@example.com", "password": DEMO_PASSWORD},
                headers=through_proxy("192.0.2.99, 203.0.113.7"),
            )
            someone_else = await proxy.post(
                f"{API}/auth/login",
                json={"email": "bob@example.com", "password": DEMO_PASSWORD},
                headers=through_proxy("198.51.100.5, 10.0.0.9"),
            )

        assert_problem(attacker, 429, "rate_limited")
        assert someone_else.status_code == 200, someone_else.text

    async def test_the_429_says_in_words_how_long_to_wait(self, client: httpx.AsyncClient) -> None:
        for _ in range(5):
            await login(client, "alice@example.com", "wrong")

        response = await login(client, "alice@example.com")

        body = assert_problem(response, 429, "rate_limited")
        assert "wait 1 second before trying again" in body["detail"]
        assert response.headers["retry-after"] == "1"

    async def test_a_success_clears_the_count_of_its_account_and_address(
        self, client: httpx.AsyncClient
    ) -> None:
        for _ in range(4):
            await login(client, "alice@example.com", "wrong")
        assert (await login(client, "alice@example.com")).status_code == 200

        for _ in range(4):
            assert (await login(client, "alice@example.com", "wrong")).status_code == 401
        assert (await login(client, "alice@example.com")).status_code == 200

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"login_account_slowdown_after": 3, "login_account_max_delay_seconds": 0.3}],
        indirect=True,
    )
    async def test_guesses_at_one_account_from_many_addresses_slow_it_but_never_refuse(
        self, client_at: Callable[[str], Any]
    ) -> None:
        for n in range(6):
            async with client_at(f"192.0.2.{n}") as bot:
                assert (await login(bot, "alice@example.com", "guess")).status_code == 401

        async with client_at("198.51.100.20") as alice:
            started = time.perf_counter()
            response = await login(alice, "alice@example.com")
            elapsed = time.perf_counter() - started

        assert response.status_code == 200, response.text
        assert elapsed >= 0.3

    async def test_a_concurrent_burst_gets_no_more_guesses_than_the_limit(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        answers = await asyncio.gather(
            *(login(client, "alice@example.com", f"guess-{n}") for n in range(15))
        )

        statuses = sorted(a.status_code for a in answers)
        assert statuses.count(401) <= container.settings.login_max_failures, statuses
        assert statuses.count(429) >= 15 - container.settings.login_max_failures, statuses

    @pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 2}], indirect=True)
    async def test_the_limit_follows_the_setting(self, client: httpx.AsyncClient) -> None:
        for _ in range(2):
            assert (await login(client, "carol@example.com", "wrong")).status_code == 401

        assert_problem(await login(client, "carol@example.com"), 429, "rate_limited")

    async def test_fewer_failures_than_the_limit_still_let_the_right_password_in(
        self, client: httpx.AsyncClient
    ) -> None:
        for _ in range(4):
            await login(client, "alice@example.com", "wrong")

        assert (await login(client, "alice@example.com")).status_code == 200


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


# --- access tokens --------------------------------------------------------------------------


class TestAccessTokensCarryTheStandardClaims:
    async def test_claims_name_user_role_issuer_audience_lifetime_and_id(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        tokens = await tokens_of(client, "bob@example.com")
        me = (await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))).json()

        header = jwt.get_unverified_header(tokens["access_token"])
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})

        assert header["alg"] == "HS256"
        assert {"sub", "role", "exp", "iat", "iss", "aud", "jti"} <= set(claims)
        assert claims["sub"] == me["id"]
        assert claims["role"] == "agent"
        assert claims["iss"] == container.settings.jwt_issuer
        assert claims["aud"] == container.settings.jwt_audience
        assert claims["exp"] - claims["iat"] == container.settings.access_token_ttl_seconds
        assert abs(claims["iat"] - time.time()) < 60
        assert claims["jti"]

    async def test_every_login_gets_a_new_token_id(self, client: httpx.AsyncClient) -> None:
        first = (await tokens_of(client, "alice@example.com"))["access_token"]
        second = (await tokens_of(client, "alice@example.com"))["access_token"]

        unverified = {"verify_signature": False}
        assert (
            jwt.decode(first, options=unverified)["jti"]
            != jwt.decode(second, options=unverified)["jti"]
        )

    @pytest.mark.parametrize(
        "settings_overrides", [{"access_token_ttl_seconds": 60}], indirect=True
    )
    async def test_lifetime_follows_the_setting(self, client: httpx.AsyncClient) -> None:
        tokens = await tokens_of(client, "alice@example.com")
        claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})

        assert tokens["expires_in"] == 60
        assert claims["exp"] - claims["iat"] == 60


class TestOnlyGenuineUnexpiredAccessTokensAreAccepted:
    @pytest.fixture
    async def alice_id(self, client: httpx.AsyncClient) -> str:
        tokens = await tokens_of(client, "alice@example.com")
        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))
        return str(me.json()["id"])

    async def test_a_token_crafted_like_ours_is_accepted(
        self, client: httpx.AsyncClient, container: Container, alice_id: str
    ) -> None:
        """The control: the forgeries below differ from this one in one respect each."""
        token = jwt.encode(our_claims(container, sub=alice_id), secret_of(container), "HS256")

        me = await client.get(f"{API}/me", headers=bearer(token))

        assert me.status_code == 200, me.text
        assert me.json()["customer_id"] == "CUST-1001"

    async def test_alg_none_is_refused(
        self, client: httpx.AsyncClient, container: Container, alice_id: str
    ) -> None:
        claims = {
            **our_claims(container, sub=alice_id),
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
        }
        for alg in ("none", "None", "NONE"):
            header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
            payload = b64url(json.dumps(claims).encode())
            for token in (f"{header}.{payload}.", f"{header}.{payload}"):
                response = await client.get(f"{API}/me", headers=bearer(token))
                assert_problem(response, 401, "unauthenticated")

    @pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
    @pytest.mark.parametrize("algorithm", ["HS512", "HS384"])
    async def test_another_algorithm_is_refused_even_with_our_secret(
        self, client: httpx.AsyncClient, container: Container, alice_id: str, algorithm: str
    ) -> None:
        token = jwt.encode(our_claims(container, sub=alice_id), secret_of(container), algorithm)

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_an_asymmetric_token_is_refused_when_no_identity_provider_is_configured(
        self, client: httpx.AsyncClient, container: Container, alice_id: str
    ) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(our_claims(container, sub=alice_id), key, "RS256")

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"aud": "someone-else"}, id="wrong-audience"),
            pytest.param({"aud": None}, id="no-audience"),
            pytest.param({"iss": "someone-else"}, id="wrong-issuer"),
            pytest.param({"iss": None}, id="no-issuer"),
            pytest.param({"exp": datetime.now(UTC) - timedelta(seconds=5)}, id="expired"),
            pytest.param({"exp": None}, id="no-expiry"),
            pytest.param({"jti": None}, id="no-token-id"),
            pytest.param({"typ": "refresh"}, id="refresh-type"),
            pytest.param({"typ": None}, id="no-type"),
        ],
    )
    async def test_a_token_with_wrong_or_missing_claims_is_refused(
        self,
        client: httpx.AsyncClient,
        container: Container,
        alice_id: str,
        changes: dict[str, Any],
    ) -> None:
        claims = our_claims(container, sub=alice_id)
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        token = jwt.encode(claims, secret_of(container), "HS256")

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_a_token_signed_with_another_secret_is_refused(
        self, client: httpx.AsyncClient, container: Container, alice_id: str
    ) -> None:
        token = jwt.encode(our_claims(container, sub=alice_id), "x" * 48, "HS256")

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_a_tampered_payload_or_signature_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        token = (await tokens_of(client, "alice@example.com"))["access_token"]
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["role"] = "admin"
        escalated = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"
        flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

        for forged in (escalated, f"{header}.{payload}.{flipped}", f"{header}.{payload}."):
            response = await client.get(f"{API}/me", headers=bearer(forged))
            assert_problem(response, 401, "unauthenticated")

    async def test_a_refresh_token_is_not_an_access_token(self, client: httpx.AsyncClient) -> None:
        tokens = await tokens_of(client, "alice@example.com")

        response = await client.get(f"{API}/me", headers=bearer(tokens["refresh_token"]))

        assert_problem(response, 401, "unauthenticated")

    async def test_an_access_token_is_not_a_refresh_token(self, client: httpx.AsyncClient) -> None:
        tokens = await tokens_of(client, "alice@example.com")

        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["access_token"]}
        )

        assert_problem(response, 401, "unauthenticated")

    @pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 3000])
    async def test_garbage_is_unauthenticated_never_a_500(
        self, client: httpx.AsyncClient, garbage: str
    ) -> None:
        response = await client.get(f"{API}/me", headers={"Authorization": f"Bearer {garbage}"})

        assert_problem(response, 401, "unauthenticated")


# --- refresh and logout ---------------------------------------------------------------------


class TestRefreshRotatesAndDetectsReuse:
    async def test_refresh_answers_a_new_pair_that_works(self, client: httpx.AsyncClient) -> None:
        first = await tokens_of(client, "alice@example.com")

        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )

        assert response.status_code == 200, response.text
        second = response.json()
        assert second["token_type"] == "bearer"
        assert second["refresh_token"] != first["refresh_token"]
        assert second["access_token"] != first["access_token"]
        me = await client.get(f"{API}/me", headers=bearer(second["access_token"]))
        assert me.json()["customer_id"] == "CUST-1001"
        third = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert third.status_code == 200, third.text

    async def test_a_used_refresh_token_is_refused_and_revokes_its_family(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        rotated = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert rotated.status_code == 200
        new_refresh = rotated.json()["refresh_token"]

        replay = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert_problem(replay, 401, "unauthenticated")

        after_reuse = await client.post(f"{API}/auth/refresh", json={"refresh_token": new_refresh})
        assert_problem(after_reuse, 401, "unauthenticated")

    async def test_reuse_spares_other_sign_ins_of_the_same_user(
        self, client: httpx.AsyncClient
    ) -> None:
        stolen = await tokens_of(client, "alice@example.com")
        other_device = await tokens_of(client, "alice@example.com")
        await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]})

        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
        )

        assert response.status_code == 200, response.text

    async def test_a_forged_refresh_token_is_refused(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        tokens = await tokens_of(client, "alice@example.com")
        claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
        forged = jwt.encode({**claims, "jti": uuid.uuid4().hex}, "y" * 48, "HS256")

        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": forged})

        assert_problem(response, 401, "unauthenticated")

    async def test_an_expired_refresh_token_is_refused(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        tokens = await tokens_of(client, "alice@example.com")
        claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
        claims.update(jti=uuid.uuid4().hex, exp=int(time.time()) - 5)
        expired = jwt.encode(claims, secret_of(container), "HS256")

        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": expired})

        assert_problem(response, 401, "unauthenticated")

    async def test_a_missing_refresh_token_is_a_validation_error(
        self, client: httpx.AsyncClient
    ) -> None:
        assert_problem(await client.post(f"{API}/auth/refresh", json={}), 422, "validation_error")


class TestLogoutEndsTheSignIn:
    async def test_the_refresh_token_stops_working(self, client: httpx.AsyncClient) -> None:
        tokens = await tokens_of(client, "alice@example.com")

        out = await client.post(
            f"{API}/auth/logout",
            headers=bearer(tokens["access_token"]),
            json={"refresh_token": tokens["refresh_token"]},
        )

        assert out.status_code == 204, out.text
        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert_problem(response, 401, "unauthenticated")

    async def test_the_access_token_used_for_logout_stops_working(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await tokens_of(client, "alice@example.com")
        headers = bearer(tokens["access_token"])
        assert (await client.get(f"{API}/me", headers=headers)).status_code == 200

        out = await client.post(
            f"{API}/auth/logout", headers=headers, json={"refresh_token": tokens["refresh_token"]}
        )

        assert out.status_code == 204, out.text
        assert_problem(await client.get(f"{API}/me", headers=headers), 401, "unauthenticated")

    async def test_logout_without_a_body_still_ends_the_access_token(
        self, client: httpx.AsyncClient
    ) -> None:
        headers = bearer((await tokens_of(client, "alice@example.com"))["access_token"])

        assert (await client.post(f"{API}/auth/logout", headers=headers)).status_code == 204

        assert_problem(await client.get(f"{API}/me", headers=headers), 401, "unauthenticated")

    async def test_refreshed_tokens_of_the_family_stop_working_after_logout(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        second = (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
        ).json()

        await client.post(
            f"{API}/auth/logout",
            headers=bearer(second["access_token"]),
            json={"refresh_token": second["refresh_token"]},
        )

        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert_problem(response, 401, "unauthenticated")

    async def test_logout_without_a_body_ends_the_refresh_token_of_that_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await tokens_of(client, "alice@example.com")

        out = await client.post(f"{API}/auth/logout", headers=bearer(tokens["access_token"]))

        assert out.status_code == 204, out.text
        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert_problem(response, 401, "unauthenticated")

    async def test_logout_ends_every_access_token_of_the_sign_in_not_only_the_one_used(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        second = (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
        ).json()
        earlier_access = bearer(first["access_token"])
        assert (await client.get(f"{API}/me", headers=earlier_access)).status_code == 200

        out = await client.post(f"{API}/auth/logout", headers=bearer(second["access_token"]))

        assert out.status_code == 204, out.text
        assert_problem(
            await client.get(f"{API}/me", headers=earlier_access), 401, "unauthenticated"
        )
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert_problem(refreshed, 401, "unauthenticated")

    async def test_an_access_token_names_its_sign_in_and_keeps_it_across_refreshes(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        second = (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
        ).json()
        other = await tokens_of(client, "alice@example.com")

        def sid(token: str) -> str:
            return str(jwt.decode(token, options={"verify_signature": False})["sid"])

        assert sid(first["access_token"]) == sid(second["access_token"])
        assert sid(first["access_token"]) != sid(other["access_token"])

    async def test_a_reused_refresh_token_ends_the_access_tokens_of_its_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        stolen = await tokens_of(client, "alice@example.com")
        rotated = (
            await client.post(
                f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]}
            )
        ).json()
        await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]})

        response = await client.get(f"{API}/me", headers=bearer(rotated["access_token"]))

        assert_problem(response, 401, "unauthenticated")

    async def test_other_sign_ins_survive_a_logout(self, client: httpx.AsyncClient) -> None:
        laptop = await tokens_of(client, "alice@example.com")
        phone = await tokens_of(client, "alice@example.com")

        await client.post(
            f"{API}/auth/logout",
            headers=bearer(laptop["access_token"]),
            json={"refresh_token": laptop["refresh_token"]},
        )

        assert (
            await client.get(f"{API}/me", headers=bearer(phone["access_token"]))
        ).status_code == 200
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": phone["refresh_token"]}
        )
        assert refreshed.status_code == 200, refreshed.text

    async def test_logout_needs_a_signed_in_caller(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.post(f"{API}/auth/logout"), 401, "unauthenticated")


# --- user management ------------------------------------------------------------------------


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


# --- the shop's identity provider -----------------------------------------------------------


def _pem(private_key: Any) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_EC_KEY = ec.generate_private_key(ec.SECP256R1())

IDP_KEYS = [
    pytest.param((RSA_KEY, OTHER_RSA_KEY, "RS256"), id="RS256"),
    pytest.param((EC_KEY, OTHER_EC_KEY, "ES256"), id="ES256"),
]


def idp_token(
    key: Any, algorithm: str, headers: dict[str, Any] | None = None, **claims: Any
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"sub": "CUST-1001", "role": "customer", "iat": now, "exp": now + 300}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm, headers=headers)


@pytest.fixture
def idp(request: pytest.FixtureRequest) -> tuple[Any, Any, str]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Tests elsewhere in this module set it with indirect parametrization; the identity
    provider tests derive it from their key."""
    if hasattr(request, "param"):
        return dict(request.param)
    if "idp" in request.fixturenames:
        key, _, _ = request.getfixturevalue("idp")
        return {"idp_public_key": _pem(key)}
    return {}


@pytest.mark.parametrize("idp", IDP_KEYS, indirect=True)
class TestIdentityProviderTokensAreAccepted:
    async def test_me_names_the_customer_of_the_token(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp

        me = await client.get(f"{API}/me", headers=bearer(idp_token(key, algorithm)))

        assert me.status_code == 200, me.text
        assert me.json()["role"] == "customer"
        assert me.json()["customer_id"] == "CUST-1001"

    async def test_the_customer_sees_their_own_orders_only(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp
        headers = bearer(idp_token(key, algorithm))

        orders = await client.get(f"{API}/orders", headers=headers)

        assert orders.status_code == 200, orders.text
        assert order_ids(orders) == ALICE_ORDERS
        assert (await client.get(f"{API}/orders/ORD-1001", headers=headers)).status_code == 200
        assert_problem(
            await client.get(f"{API}/orders/ORD-2001", headers=headers), 404, "not_found"
        )

    async def test_another_customer_sees_theirs(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp

        orders = await client.get(
            f"{API}/orders", headers=bearer(idp_token(key, algorithm, sub="CUST-1002"))
        )

        assert order_ids(orders) == ["ORD-2001"]

    async def test_our_own_tokens_still_work(
        self, client: httpx.AsyncClient, as_user, idp: tuple[Any, Any, str]
    ) -> None:
        me = await client.get(f"{API}/me", headers=await as_user("bob"))

        assert me.status_code == 200, me.text
        assert me.json()["role"] == "agent"

    async def test_a_token_signed_by_another_key_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        _, other, algorithm = idp

        response = await client.get(f"{API}/me", headers=bearer(idp_token(other, algorithm)))

        assert_problem(response, 401, "unauthenticated")

    async def test_an_expired_token_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp
        token = idp_token(key, algorithm, exp=int(time.time()) - 5)

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_a_token_without_expiry_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp
        token = idp_token(key, algorithm, exp=None)

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_a_customer_token_without_a_customer_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp
        token = idp_token(key, algorithm, sub=None)

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_an_unknown_role_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        key, _, algorithm = idp
        token = idp_token(key, algorithm, role="superuser")

        assert_problem(await client.get(f"{API}/me", headers=bearer(token)), 401, "unauthenticated")

    async def test_the_public_key_used_as_an_hmac_secret_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        """Algorithm confusion: an HS256 token 'signed' with the provider's public key."""
        key, _, _ = idp
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        now = int(time.time())
        payload = b64url(
            json.dumps({"sub": "CUST-1001", "role": "customer", "exp": now + 300}).encode()
        )
        signature = b64url(
            hmac.new(_pem(key).encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        )

        response = await client.get(f"{API}/me", headers=bearer(f"{header}.{payload}.{signature}"))

        assert_problem(response, 401, "unauthenticated")

    async def test_alg_none_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        payload = b64url(
            json.dumps(
                {"sub": "CUST-1001", "role": "customer", "exp": int(time.time()) + 300}
            ).encode()
        )

        response = await client.get(f"{API}/me", headers=bearer(f"{header}.{payload}."))

        assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize("idp", IDP_KEYS, indirect=True)
class TestIdentityProviderClaimsFollowTheSettings:
    @pytest.fixture
    def settings_overrides(self, idp: tuple[Any, Any, str]) -> dict[str, Any]:
        return {
            "idp_public_key": _pem(idp[0]),
            "idp_customer_claim": "customer_id",
            "idp_issuer": "https://id.shop.example",
            "idp_audience": "supportdesk",
        }

    def token(self, idp: tuple[Any, Any, str], **claims: Any) -> str:
        key, _, algorithm = idp
        base = {
            "sub": "user-42",
            "customer_id": "CUST-1001",
            "iss": "https://id.shop.example",
            "aud": "supportdesk",
        }
        return idp_token(key, algorithm, **{**base, **claims})

    async def test_the_configured_customer_claim_names_the_customer(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        headers = bearer(self.token(idp))

        me = await client.get(f"{API}/me", headers=headers)

        assert me.status_code == 200, me.text
        assert me.json()["customer_id"] == "CUST-1001"
        assert order_ids(await client.get(f"{API}/orders", headers=headers)) == ALICE_ORDERS

    async def test_a_customer_token_without_the_customer_claim_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        response = await client.get(f"{API}/me", headers=bearer(self.token(idp, customer_id=None)))

        assert_problem(response, 401, "unauthenticated")

    async def test_a_token_without_a_role_is_a_customer_token(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str]
    ) -> None:
        ok = await client.get(f"{API}/me", headers=bearer(self.token(idp, role=None)))
        missing = await client.get(
            f"{API}/me", headers=bearer(self.token(idp, role=None, customer_id=None))
        )

        assert ok.json()["role"] == "customer"
        assert_problem(missing, 401, "unauthenticated")

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
            pytest.param({"iss": None}, id="no-issuer"),
            pytest.param({"aud": "someone-else"}, id="wrong-audience"),
            pytest.param({"aud": None}, id="no-audience"),
        ],
    )
    async def test_a_wrong_issuer_or_audience_is_refused(
        self, client: httpx.AsyncClient, idp: tuple[Any, Any, str], claims: dict[str, Any]
    ) -> None:
        response = await client.get(f"{API}/me", headers=bearer(self.token(idp, **claims)))

        assert_problem(response, 401, "unauthenticated")


class _JwksServer:
    """A JWKS document on a loopback port (PyJWKClient fetches with urllib, not httpx)."""

    def __init__(self, keys: list[tuple[str, Any]]) -> None:
        document = json.dumps(
            {
                "keys": [
                    {**json.loads(jwk_json), "kid": kid, "use": "sig"}
                    for kid, jwk_json in (
                        (
                            kid,
                            (
                                jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())
                                if isinstance(key, rsa.RSAPrivateKey)
                                else jwt.algorithms.ECAlgorithm.to_jwk(key.public_key())
                            ),
                        )
                        for kid, key in keys
                    )
                ]
            }
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def jwks() -> Iterator[_JwksServer]:
    with _JwksServer([("rsa-1", RSA_KEY), ("ec-1", EC_KEY)]) as server:
        yield server


class TestIdentityProviderKeysFromJwks:
    @pytest.fixture
    def settings_overrides(self, jwks: _JwksServer) -> dict[str, Any]:
        return {"idp_jwks_url": jwks.url}

    @pytest.mark.parametrize(
        ("kid", "key", "algorithm"),
        [("rsa-1", RSA_KEY, "RS256"), ("ec-1", EC_KEY, "ES256")],
    )
    async def test_a_token_signed_by_a_published_key_is_accepted(
        self, client: httpx.AsyncClient, kid: str, key: Any, algorithm: str
    ) -> None:
        headers = bearer(idp_token(key, algorithm, headers={"kid": kid}))

        me = await client.get(f"{API}/me", headers=headers)

        assert me.status_code == 200, me.text
        assert me.json()["customer_id"] == "CUST-1001"
        assert order_ids(await client.get(f"{API}/orders", headers=headers)) == ALICE_ORDERS

    async def test_an_unpublished_key_is_refused(self, client: httpx.AsyncClient) -> None:
        token = idp_token(OTHER_RSA_KEY, "RS256", headers={"kid": "rsa-1"})
        unknown_kid = idp_token(OTHER_RSA_KEY, "RS256", headers={"kid": "rotated-away"})

        for forged in (token, unknown_kid):
            response = await client.get(f"{API}/me", headers=bearer(forged))
            assert_problem(response, 401, "unauthenticated")


# --- the per-user request budget ------------------------------------------------------------


def _away_from_a_minute_boundary() -> None:
    """The budget counts per wall-clock minute; do not start a burst just before it turns."""
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.1)


class TestEachUserHasARequestBudget:
    @pytest.mark.parametrize("settings_overrides", [{"rate_limit_per_minute": 3}], indirect=True)
    async def test_the_request_over_the_budget_gets_429_with_retry_after(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")
        bob = await as_user("bob")
        _away_from_a_minute_boundary()

        answers = [(await client.get(f"{API}/me", headers=alice)).status_code for _ in range(3)]
        over = await client.get(f"{API}/me", headers=alice)

        assert answers == [200, 200, 200]
        assert_problem(over, 429, "rate_limited")
        assert_retry_after(over, 60)
        assert (await client.get(f"{API}/me", headers=bob)).status_code == 200

    @pytest.mark.parametrize("settings_overrides", [{"rate_limit_per_minute": 3}], indirect=True)
    async def test_the_budget_is_per_user_not_per_token(self, client: httpx.AsyncClient) -> None:
        _away_from_a_minute_boundary()
        tokens = [await tokens_of(client, "alice@example.com") for _ in range(2)]

        statuses = [
            (
                await client.get(f"{API}/me", headers=bearer(tokens[n % 2]["access_token"]))
            ).status_code
            for n in range(4)
        ]

        assert statuses == [200, 200, 200, 429]

    async def test_the_budget_is_off_when_set_to_zero(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        alice = await as_user("alice")

        statuses = {(await client.get(f"{API}/me", headers=alice)).status_code for _ in range(10)}

        assert statuses == {200}
