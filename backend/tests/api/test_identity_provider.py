"""Tokens of the shop's identity provider over HTTP: by public key and by JWKS, with the
claims the settings name."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .signing_in import (
    ALICE_ORDERS,
    API,
    assert_problem,
    b64url,
    bearer,
    order_ids,
)


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
