"""Signing in through the shop's identity provider (OpenID Connect) over HTTP, against the
embedded test provider (IDP_SIMULATOR): start, the provider, the callback, the one-time
code, and the provider's sign-out ending the sign-ins it started."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from supportdesk.infrastructure.simulators.identity_provider import (
    IdentityProviderSimulator,
    Person,
)

from .signing_in import ALICE_ORDERS, API, assert_problem, bearer, login, order_ids


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"idp_simulator": True}


@pytest.fixture
def provider(container: Container) -> IdentityProviderSimulator:
    assert container.idp_simulator is not None
    return container.idp_simulator


def _local(url: str) -> str:
    """A URL of this app as the test client asks for it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _query(response: httpx.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


async def _at_provider(
    client: httpx.AsyncClient, who: str, *, next_path: str | None = None
) -> httpx.Response:
    """Start, and sign in at the provider as ``who``: its redirect back to our callback."""
    start = await client.get(
        f"{API}/auth/oidc/start", params={"next": next_path} if next_path else None
    )
    assert start.status_code == 302, start.text
    authorize = start.headers["location"] + f"&login_hint={who}"
    answer = await client.get(_local(authorize))
    assert answer.status_code == 302, answer.text
    return answer


async def _callback(client: httpx.AsyncClient, provider_answer: httpx.Response) -> httpx.Response:
    location = provider_answer.headers["location"]
    assert location.startswith("http://127.0.0.1:8000/api/v1/auth/oidc/callback?")
    response = await client.get(_local(location))
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith("/sign-in/oidc?")
    assert response.headers["cache-control"] == "no-store"
    return response


async def sign_in_through_provider(
    client: httpx.AsyncClient, who: str = "alice@example.com", next_path: str | None = None
) -> dict[str, Any]:
    landing = await _callback(client, await _at_provider(client, who, next_path=next_path))
    code = _query(landing)["code"]
    redeemed = await client.post(f"{API}/auth/oidc/redeem", json={"code": code})
    assert redeemed.status_code == 200, redeemed.text
    return dict(redeemed.json())


async def error_page_reason(client: httpx.AsyncClient, provider_answer: httpx.Response) -> str:
    landing = await _callback(client, provider_answer)
    assert set(_query(landing)) == {"error"}, landing.headers["location"]
    return _query(landing)["error"]


class TestSigningInThroughTheProvider:
    async def test_the_login_page_learns_the_providers_name(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(f"{API}/auth/providers")

        assert response.status_code == 200
        assert response.json() == {"oidc": {"name": "Example Shop"}}

    async def test_a_customer_signs_in_and_sees_their_own_orders(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await sign_in_through_provider(client, "alice@example.com")

        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))
        orders = await client.get(f"{API}/orders", headers=bearer(tokens["access_token"]))

        assert me.status_code == 200, me.text
        assert me.json()["email"] == "alice@example.com"
        assert me.json()["customer_id"] == "CUST-1001"
        assert me.json()["role"] == "customer"
        assert order_ids(orders) == ALICE_ORDERS
        assert tokens["token_type"] == "bearer"

    async def test_the_pair_is_ours_and_refreshes_like_a_password_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await sign_in_through_provider(client)

        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )

        assert refreshed.status_code == 200, refreshed.text

    async def test_staff_sign_in_to_their_own_account_in_its_role(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await sign_in_through_provider(client, "bob@example.com")

        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))

        assert me.json()["role"] == "agent"
        assert me.json()["email"] == "bob@example.com"

    async def test_a_customer_without_an_account_gets_one_on_first_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await sign_in_through_provider(client, "dave@example.com")
        second = await sign_in_through_provider(client, "dave@example.com")

        me = await client.get(f"{API}/me", headers=bearer(first["access_token"]))
        again = await client.get(f"{API}/me", headers=bearer(second["access_token"]))
        orders = await client.get(f"{API}/orders", headers=bearer(first["access_token"]))

        assert me.json()["name"] == "Dave Okafor"
        assert me.json()["customer_id"] == "CUST-3001"
        assert again.json()["id"] == me.json()["id"]
        assert order_ids(orders) == ["ORD-3001"]

    async def test_the_new_account_has_no_password_anyone_knows(
        self, client: httpx.AsyncClient
    ) -> None:
        await sign_in_through_provider(client, "dave@example.com")

        for guess in ("", "demo-password", "CUST-3001"):
            response = await login(client, "dave@example.com", guess or "x")
            assert response.status_code in (401, 422), response.text

    async def test_next_comes_back_to_the_web_app(self, client: httpx.AsyncClient) -> None:
        landing = await _callback(
            client, await _at_provider(client, "alice@example.com", next_path="/cases?x=1")
        )

        assert _query(landing)["next"] == "/cases?x=1"

    @pytest.mark.parametrize(
        "next_path",
        ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"],
    )
    async def test_next_on_another_site_is_refused(
        self, client: httpx.AsyncClient, next_path: str
    ) -> None:
        response = await client.get(f"{API}/auth/oidc/start", params={"next": next_path})

        assert_problem(response, 422, "validation_error")

    async def test_the_provider_gets_the_verifier_of_the_challenge_it_was_shown(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        start = await client.get(f"{API}/auth/oidc/start")
        sent = parse_qs(urlsplit(start.headers["location"]).query)
        answer = await client.get(
            _local(start.headers["location"] + "&login_hint=alice@example.com")
        )
        await _callback(client, answer)

        verifier = provider.token_requests[-1]["code_verifier"]
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        assert sent["code_challenge_method"] == ["S256"]
        assert sent["code_challenge"] == [challenge]
        assert 43 <= len(verifier) <= 128
        assert sent["nonce"][0] and sent["state"][0]
        assert verifier not in start.headers["location"]

    async def test_the_test_provider_refuses_a_wrong_verifier(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        start = await client.get(f"{API}/auth/oidc/start")
        answer = await client.get(
            _local(start.headers["location"] + "&login_hint=alice@example.com")
        )
        code = _query(answer)["code"]

        token = await client.post(
            "/sim/idp/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": provider.redirect_uri,
                "code_verifier": "x" * 50,
                "client_id": provider.client_id,
            },
        )

        assert token.status_code == 400
        assert token.json()["error"] == "invalid_grant"


class TestEveryFailureEndsOnTheErrorPage:
    async def test_a_state_answered_twice(self, client: httpx.AsyncClient) -> None:
        answer = await _at_provider(client, "alice@example.com")
        await _callback(client, answer)

        assert await error_page_reason(client, answer) == "expired"

    async def test_an_unknown_or_missing_state(self, client: httpx.AsyncClient) -> None:
        for query in ("code=abc&state=made-up", "code=abc", ""):
            landing = await client.get(f"{API}/auth/oidc/callback?{query}")
            assert landing.status_code == 302
            assert landing.headers["location"] == "/sign-in/oidc?error=expired"

    async def test_an_answer_opened_in_another_browser(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        """Login CSRF: someone else's provider answer sent to a victim signs nobody in."""
        answer = await _at_provider(client, "carol@example.com")
        app = create_app(container.settings, container=container)
        async with (
            LifespanManager(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as victim,
        ):
            assert await error_page_reason(victim, answer) == "expired"

    async def test_the_person_saying_no_at_the_provider(self, client: httpx.AsyncClient) -> None:
        assert await error_page_reason(client, await _at_provider(client, "deny")) == "denied"

    @pytest.mark.parametrize(
        "changes",
        [
            pytest.param({"nonce": "another-sign-ins-nonce"}, id="wrong-nonce"),
            pytest.param({"nonce": None}, id="no-nonce"),
            pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
            pytest.param({"aud": "someone-else"}, id="wrong-audience"),
            pytest.param({"aud": ["someone-else", "supportdesk"]}, id="shared-audience-no-azp"),
            pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
            pytest.param({"sub": None}, id="no-subject"),
            pytest.param({"role": "superuser"}, id="unknown-role"),
        ],
    )
    async def test_an_id_token_that_does_not_prove_who_signed_in(
        self,
        client: httpx.AsyncClient,
        provider: IdentityProviderSimulator,
        changes: dict[str, Any],
    ) -> None:
        provider.id_token_changes = changes

        answer = await _at_provider(client, "alice@example.com")

        assert await error_page_reason(client, answer) == "invalid_id_token"

    async def test_an_id_token_signed_by_another_key(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        provider.sign_with_wrong_key = True

        answer = await _at_provider(client, "alice@example.com")

        assert await error_page_reason(client, answer) == "invalid_id_token"

    async def test_an_expired_provider_code(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        provider.code_ttl_seconds = -1

        answer = await _at_provider(client, "alice@example.com")

        assert await error_page_reason(client, answer) == "provider_error"

    async def test_an_answer_naming_another_issuer(self, client: httpx.AsyncClient) -> None:
        answer = await _at_provider(client, "alice@example.com")
        mixed_up = httpx.Response(
            302, headers={"location": answer.headers["location"] + "&iss=https%3A%2F%2Fevil"}
        )

        assert await error_page_reason(client, mixed_up) == "provider_error"

    async def test_an_email_the_provider_has_not_verified(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        provider.id_token_changes = {"email_verified": False}

        answer = await _at_provider(client, "alice@example.com")

        assert await error_page_reason(client, answer) == "email_not_verified"

    async def test_an_account_of_another_customer_with_that_email(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        """Neither side's word is taken: one of them would hand out a customer's data."""
        provider.id_token_changes = {"sub": "CUST-1002", "customer_id": "CUST-1002"}

        answer = await _at_provider(client, "alice@example.com")

        assert await error_page_reason(client, answer) == "account_mismatch"

    async def test_a_role_the_account_here_does_not_have(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        provider.id_token_changes = {"role": "admin"}

        answer = await _at_provider(client, "bob@example.com")

        assert await error_page_reason(client, answer) == "account_mismatch"

    async def test_staff_without_an_account_here(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        provider.people = (*provider.people, Person("staff-eve", "eve@example.com", "Eve", "agent"))

        answer = await _at_provider(client, "eve@example.com")

        assert await error_page_reason(client, answer) == "no_account"

    async def test_a_deactivated_account(self, client: httpx.AsyncClient, as_user: Any) -> None:
        admin = await as_user("admin")
        users = (await client.get(f"{API}/users", headers=admin)).json()
        carol = next(u for u in users if u["email"] == "carol@example.com")
        await client.post(f"{API}/users/{carol['id']}/deactivate", headers=admin)

        answer = await _at_provider(client, "carol@example.com")

        assert await error_page_reason(client, answer) == "account_inactive"


class TestTheOneTimeCode:
    async def test_it_works_once(self, client: httpx.AsyncClient) -> None:
        landing = await _callback(client, await _at_provider(client, "alice@example.com"))
        code = _query(landing)["code"]

        first = await client.post(f"{API}/auth/oidc/redeem", json={"code": code})
        second = await client.post(f"{API}/auth/oidc/redeem", json={"code": code})

        assert first.status_code == 200
        assert first.headers["cache-control"] == "no-store"
        assert_problem(second, 401, "unauthenticated")

    async def test_an_unknown_code_signs_nobody_in(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/auth/oidc/redeem", json={"code": "made-up"})

        assert_problem(response, 401, "unauthenticated")


class TestSigningOutAtTheProvider:
    async def test_it_ends_the_sign_in_at_once(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        tokens = await sign_in_through_provider(client, "alice@example.com")
        headers = bearer(tokens["access_token"])
        assert (await client.get(f"{API}/me", headers=headers)).status_code == 200

        notified = await provider.sign_out(email="alice@example.com")

        assert notified == [200]
        assert_problem(await client.get(f"{API}/me", headers=headers), 401, "unauthenticated")
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert_problem(refreshed, 401, "unauthenticated")

    async def test_it_ends_only_the_sign_ins_it_started(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator, as_user: Any
    ) -> None:
        alice = await sign_in_through_provider(client, "alice@example.com")
        carol = await sign_in_through_provider(client, "carol@example.com")
        alice_by_password = await as_user("alice")

        await provider.sign_out(email="alice@example.com")

        assert (
            await client.get(f"{API}/me", headers=bearer(carol["access_token"]))
        ).status_code == 200
        assert (await client.get(f"{API}/me", headers=alice_by_password)).status_code == 200
        assert (
            await client.get(f"{API}/me", headers=bearer(alice["access_token"]))
        ).status_code == 401

    async def test_a_token_naming_only_the_person_ends_all_their_provider_sign_ins(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        first = await sign_in_through_provider(client, "alice@example.com")
        second = await sign_in_through_provider(client, "alice@example.com")

        response = await client.post(
            f"{API}/auth/oidc/backchannel-logout",
            data={"logout_token": provider.logout_token(sub="CUST-1001")},
        )

        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        for tokens in (first, second):
            me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))
            assert me.status_code == 401

    async def test_the_same_logout_token_again_is_answered_alike(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        token = provider.logout_token(sub="CUST-1001")
        for _ in range(2):
            response = await client.post(
                f"{API}/auth/oidc/backchannel-logout", data={"logout_token": token}
            )
            assert response.status_code == 200

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"events": None}, id="no-event"),
            pytest.param({"events": {"http://example.com/other": {}}}, id="another-event"),
            pytest.param({"nonce": "n"}, id="an-id-token-with-a-nonce"),
            pytest.param({"aud": "someone-else"}, id="wrong-audience"),
            pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
            pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
            pytest.param({"jti": None}, id="no-jti"),
            pytest.param({"sub": None}, id="neither-sid-nor-sub"),
        ],
    )
    async def test_a_token_that_is_not_the_providers_logout_ends_nothing(
        self,
        client: httpx.AsyncClient,
        provider: IdentityProviderSimulator,
        claims: dict[str, Any],
    ) -> None:
        tokens = await sign_in_through_provider(client, "alice@example.com")
        token = provider.logout_token(**{"sub": "CUST-1001", **claims})

        response = await client.post(
            f"{API}/auth/oidc/backchannel-logout", data={"logout_token": token}
        )

        assert_problem(response, 400, "invalid_logout_token")
        me = await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 200

    async def test_a_logout_token_signed_by_another_key_ends_nothing(
        self, client: httpx.AsyncClient, provider: IdentityProviderSimulator
    ) -> None:
        tokens = await sign_in_through_provider(client, "alice@example.com")
        provider.sign_with_wrong_key = True

        response = await client.post(
            f"{API}/auth/oidc/backchannel-logout",
            data={"logout_token": provider.logout_token(sub="CUST-1001")},
        )

        assert_problem(response, 400, "invalid_logout_token")
        assert (
            await client.get(f"{API}/me", headers=bearer(tokens["access_token"]))
        ).status_code == 200

    async def test_a_logout_as_json_or_without_a_token_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        as_json = await client.post(
            f"{API}/auth/oidc/backchannel-logout", json={"logout_token": "x"}
        )
        empty = await client.post(f"{API}/auth/oidc/backchannel-logout", data={"other": "x"})

        assert_problem(as_json, 415, "unsupported_media_type")
        assert_problem(empty, 400, "invalid_logout_token")


class TestWithoutAProvider:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}

    async def test_no_button_and_no_flow(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(f"{API}/auth/providers")).json() == {"oidc": None}
        assert_problem(await client.get(f"{API}/auth/oidc/start"), 404, "not_found")
        callback = await client.get(f"{API}/auth/oidc/callback?code=a&state=b")
        assert callback.headers["location"] == "/sign-in/oidc?error=not_configured"
        redeem = await client.post(f"{API}/auth/oidc/redeem", json={"code": "a"})
        assert_problem(redeem, 404, "not_found")
