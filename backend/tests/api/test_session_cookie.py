"""The web app's sign-in survives a reload and a new tab: its refresh token is an HttpOnly
cookie that only the sign-in endpoints receive, used only with a header a page of another
site cannot send. API clients keep the JSON flow."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from supportdesk.devdata import DEMO_PASSWORD
from tests.api.signing_in import API, assert_problem, bearer

WEB = {"X-Session-Cookie": "1"}


async def web_login(client: httpx.AsyncClient, email: str = "bob@example.com") -> httpx.Response:
    response = await client.post(
        f"{API}/auth/login", json={"email": email, "password": DEMO_PASSWORD}, headers=WEB
    )
    assert response.status_code == 200, response.text
    return response


def cookie_lines(response: httpx.Response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


class TestTheCookie:
    async def test_the_refresh_token_is_only_in_an_httponly_strict_cookie_of_the_auth_path(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await web_login(client)

        assert response.json()["refresh_token"] is None
        refresh = cookie_lines(response)["supportdesk_refresh"].lower()
        assert "httponly" in refresh
        assert "samesite=strict" in refresh
        assert "path=/api/v1/auth" in refresh
        assert "secure" not in refresh  # plain http in tests; Secure in production
        hint = cookie_lines(response)["supportdesk_signed_in"].lower()
        assert "httponly" not in hint and "path=/" in hint

    @pytest.mark.parametrize("settings_overrides", [{"refresh_cookie_secure": True}], indirect=True)
    async def test_it_is_secure_where_configured(self, client: httpx.AsyncClient) -> None:
        response = await web_login(client)

        assert "secure" in cookie_lines(response)["supportdesk_refresh"].lower()

    async def test_a_reload_restores_the_sign_in_from_the_cookie(
        self, client: httpx.AsyncClient
    ) -> None:
        await web_login(client)

        restored = await client.post(f"{API}/auth/refresh", headers=WEB)

        assert restored.status_code == 200, restored.text
        me = await client.get(f"{API}/me", headers=bearer(restored.json()["access_token"]))
        assert me.json()["email"] == "bob@example.com"
        assert "supportdesk_refresh" in cookie_lines(restored)  # rotated

    async def test_without_the_header_the_cookie_is_not_used(
        self, client: httpx.AsyncClient
    ) -> None:
        """A form or an image of another site can send a request, not a custom header."""
        await web_login(client)

        response = await client.post(f"{API}/auth/refresh")

        assert_problem(response, 401, "unauthenticated")

    async def test_two_tabs_restoring_at_once_both_stay_signed_in(
        self, client: httpx.AsyncClient
    ) -> None:
        await web_login(client)
        cookie = client.cookies.get("supportdesk_refresh")

        answers = await asyncio.gather(
            *(
                client.post(
                    f"{API}/auth/refresh",
                    headers={**WEB, "Cookie": f"supportdesk_refresh={cookie}"},
                )
                for _ in range(20)
            )
        )

        assert {a.status_code for a in answers} == {200}
        for answer in answers:
            me = await client.get(f"{API}/me", headers=bearer(answer.json()["access_token"]))
            assert me.status_code == 200

    async def test_signing_out_ends_the_cookies_sign_in_and_clears_it(
        self, client: httpx.AsyncClient
    ) -> None:
        access = (await web_login(client)).json()["access_token"]
        cookie = client.cookies.get("supportdesk_refresh")

        out = await client.post(f"{API}/auth/logout", headers={**WEB, **bearer(access)})

        assert out.status_code == 204
        assert "max-age=0" in cookie_lines(out)["supportdesk_refresh"].lower()
        replayed = await client.post(
            f"{API}/auth/refresh", headers={**WEB, "Cookie": f"supportdesk_refresh={cookie}"}
        )
        assert_problem(replayed, 401, "unauthenticated")
        assert_problem(
            await client.get(f"{API}/me", headers=bearer(access)), 401, "unauthenticated"
        )

    async def test_a_refused_cookie_is_cleared(self, client: httpx.AsyncClient) -> None:
        client.cookies.set("supportdesk_refresh", "not-a-token", path="/api/v1/auth")

        response = await client.post(f"{API}/auth/refresh", headers=WEB)

        assert_problem(response, 401, "unauthenticated")
        assert "max-age=0" in cookie_lines(response)["supportdesk_refresh"].lower()


class TestApiClientsAreUnchanged:
    async def test_login_and_refresh_in_json_set_no_cookie(self, client: httpx.AsyncClient) -> None:
        login = await client.post(
            f"{API}/auth/login", json={"email": "bob@example.com", "password": DEMO_PASSWORD}
        )
        assert login.json()["refresh_token"]
        assert "set-cookie" not in login.headers

        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
        )

        assert refreshed.status_code == 200
        assert refreshed.json()["refresh_token"]
        assert "set-cookie" not in refreshed.headers
