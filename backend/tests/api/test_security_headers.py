"""What every answer carries: security headers, a request id, and CORS only when configured."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

API = "/api/v1"
SHOP = "https://shop.example"


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """conftest's fixture ignores indirect parameters; this one applies them."""
    return dict(getattr(request, "param", {}))


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", headers
    assert headers.get("x-frame-options") == "DENY", headers
    assert headers.get("referrer-policy"), headers
    csp = headers.get("content-security-policy", "")
    assert "default-src" in csp, headers
    assert "frame-ancestors 'none'" in csp, headers


async def _requests(client: httpx.AsyncClient, as_user: Any) -> dict[str, httpx.Response]:
    alice = await as_user("alice")
    return {
        "200 health": await client.get(f"{API}/health/live"),
        "200 signed in": await client.get(f"{API}/me", headers=alice),
        "401": await client.get(f"{API}/me"),
        "403": await client.get(f"{API}/users", headers=alice),
        "404 unknown path": await client.get(f"{API}/no-such-thing"),
        "404 other's order": await client.get(f"{API}/orders/ORD-2001", headers=alice),
        "wrong method": await client.delete(f"{API}/me", headers=alice),
        "422": await client.post(f"{API}/auth/login", json={"email": "a"}),
        "400 malformed json": await client.post(
            f"{API}/auth/login", content=b"{", headers={"content-type": "application/json"}
        ),
        "413": await client.post(
            f"{API}/auth/login",
            content=b"x" * (2 * 1024 * 1024),
            headers={"content-type": "application/json"},
        ),
        "web app": await client.get("/"),
    }


class TestEveryResponseCarriesSecurityHeaders:
    async def test_success_and_error_answers_alike(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        answers = await _requests(client, as_user)

        for name, response in answers.items():
            expected = name.split()[0]
            if expected.isdigit():
                assert response.status_code == int(expected), (name, response.text)
            assert_security_headers(response)

    async def test_an_api_answer_is_json_or_problem_json(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        answers = await _requests(client, as_user)

        for name, response in answers.items():
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), name
                assert response.json()["status"] == response.status_code

    @pytest.mark.parametrize("settings_overrides", [{"cors_origins": [SHOP]}], indirect=True)
    async def test_with_cors_on_answers_still_carry_them(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/health/live", headers={"Origin": SHOP})

        assert_security_headers(response)


class TestAWrongMethodIsNotAllowed:
    async def test_a_wrong_method_on_an_existing_path_is_405_with_allow(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        response = await client.delete(f"{API}/me", headers=await as_user("alice"))

        assert response.status_code == 405, response.text
        assert response.json()["code"] == "method_not_allowed"
        assert "GET" in response.headers.get("allow", "")


class TestRequestIdIsEchoedOrGenerated:
    async def test_a_sent_request_id_is_echoed(self, client: httpx.AsyncClient) -> None:
        for path in (f"{API}/health/live", f"{API}/me"):
            response = await client.get(path, headers={"X-Request-ID": "trace-abc-123"})
            assert response.headers["x-request-id"] == "trace-abc-123"

    async def test_without_one_a_fresh_id_is_generated_per_request(
        self, client: httpx.AsyncClient
    ) -> None:
        first = (await client.get(f"{API}/health/live")).headers.get("x-request-id")
        second = (await client.get(f"{API}/me")).headers.get("x-request-id")

        assert first and second
        assert first != second
        assert re.fullmatch(r"[0-9a-f]{32}", first)

    @pytest.mark.parametrize("sent", ["x" * 500, "bad\tid"])
    async def test_an_unusable_request_id_is_replaced(
        self, client: httpx.AsyncClient, sent: str
    ) -> None:
        response = await client.get(f"{API}/health/live", headers={"X-Request-ID": sent})

        echoed = response.headers["x-request-id"]
        assert echoed != sent
        assert 0 < len(echoed) <= 128

    async def test_the_too_large_answer_carries_the_request_id(
        self, client: httpx.AsyncClient
    ) -> None:
        """413s are written by the middleware itself, before the app runs."""
        response = await client.post(
            f"{API}/auth/login",
            content=b"x" * (2 * 1024 * 1024),
            headers={"content-type": "application/json", "X-Request-ID": "big-1"},
        )

        assert response.status_code == 413
        assert response.headers["x-request-id"] == "big-1"
        assert response.json()["code"] == "payload_too_large"


class TestCorsIsOffUnlessAnOriginIsConfigured:
    async def test_by_default_no_origin_is_allowed(self, client: httpx.AsyncClient) -> None:
        simple = await client.get(f"{API}/health/live", headers={"Origin": SHOP})
        preflight = await client.options(
            f"{API}/me",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )

        assert "access-control-allow-origin" not in simple.headers
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-credentials" not in simple.headers

    @pytest.mark.parametrize("settings_overrides", [{"cors_origins": [SHOP]}], indirect=True)
    async def test_a_configured_origin_is_allowed(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/health/live", headers={"Origin": SHOP})

        assert response.headers.get("access-control-allow-origin") == SHOP
        exposed = response.headers.get("access-control-expose-headers", "").lower()
        assert "x-request-id" in exposed
        assert "etag" in exposed

    @pytest.mark.parametrize("settings_overrides", [{"cors_origins": [SHOP]}], indirect=True)
    async def test_a_configured_origin_passes_preflight_for_api_calls(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            f"{API}/support-cases/x",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )

        assert response.status_code == 200, response.text
        assert response.headers.get("access-control-allow-origin") == SHOP
        assert "PATCH" in response.headers.get("access-control-allow-methods", "")
        allowed = response.headers.get("access-control-allow-headers", "").lower()
        assert {"authorization", "content-type", "if-match"} <= {
            h.strip() for h in allowed.split(",")
        }

    @pytest.mark.parametrize("settings_overrides", [{"cors_origins": [SHOP]}], indirect=True)
    async def test_another_origin_is_not_allowed(self, client: httpx.AsyncClient) -> None:
        evil = "https://evil.example"
        simple = await client.get(f"{API}/health/live", headers={"Origin": evil})
        preflight = await client.options(
            f"{API}/me", headers={"Origin": evil, "Access-Control-Request-Method": "GET"}
        )

        assert "access-control-allow-origin" not in simple.headers
        assert preflight.headers.get("access-control-allow-origin") != evil
        assert preflight.status_code == 400

    @pytest.mark.parametrize(
        "settings_overrides",
        [{"cors_origins": f"{SHOP}, https://admin.shop.example"}],
        indirect=True,
    )
    async def test_origins_may_be_given_comma_separated(self, client: httpx.AsyncClient) -> None:
        for origin in (SHOP, "https://admin.shop.example"):
            response = await client.get(f"{API}/health/live", headers={"Origin": origin})
            assert response.headers.get("access-control-allow-origin") == origin

    @pytest.mark.parametrize("settings_overrides", [{"cors_origins": [SHOP]}], indirect=True)
    async def test_a_preflight_answer_carries_security_headers_and_request_id(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            f"{API}/me",
            headers={
                "Origin": SHOP,
                "Access-Control-Request-Method": "GET",
                "X-Request-ID": "pre-1",
            },
        )

        assert response.status_code == 200
        assert response.headers.get("x-request-id") == "pre-1"
        assert_security_headers(response)
