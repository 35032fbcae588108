"""Access tokens over HTTP: the standard claims, and only genuine, unexpired tokens of ours
are accepted."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from supportdesk.bootstrap import Container

from .signing_in import (
    API,
    assert_problem,
    b64url,
    bearer,
    our_claims,
    secret_of,
    tokens_of,
)


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
