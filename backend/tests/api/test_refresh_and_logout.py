"""Refresh rotation with reuse detection, and logout ending the whole sign-in, over HTTP."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import jwt
import pytest

from supportdesk.bootstrap import Container

from .signing_in import (
    API,
    assert_problem,
    bearer,
    secret_of,
    tokens_of,
)

# A refresh token presented again within the grace after its first use is two tabs at once;
# after it, a copy in other hands. These tests wait out a grace of one second.
AFTER_THE_GRACE = pytest.mark.parametrize(
    "settings_overrides", [{"refresh_reuse_grace_seconds": 1}], indirect=True
)


async def past_the_grace() -> None:
    await asyncio.sleep(1.2)


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

    @AFTER_THE_GRACE
    async def test_a_used_refresh_token_is_refused_and_revokes_its_family(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        rotated = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert rotated.status_code == 200
        new_refresh = rotated.json()["refresh_token"]
        await past_the_grace()

        replay = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert_problem(replay, 401, "unauthenticated")

        after_reuse = await client.post(f"{API}/auth/refresh", json={"refresh_token": new_refresh})
        assert_problem(after_reuse, 401, "unauthenticated")

    @AFTER_THE_GRACE
    async def test_reuse_spares_other_sign_ins_of_the_same_user(
        self, client: httpx.AsyncClient
    ) -> None:
        stolen = await tokens_of(client, "alice@example.com")
        other_device = await tokens_of(client, "alice@example.com")
        await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
        await past_the_grace()
        reused = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]}
        )
        assert_problem(reused, 401, "unauthenticated")

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

    @AFTER_THE_GRACE
    async def test_a_reused_refresh_token_ends_the_access_tokens_of_its_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        stolen = await tokens_of(client, "alice@example.com")
        rotated = (
            await client.post(
                f"{API}/auth/refresh", json={"refresh_token": stolen["refresh_token"]}
            )
        ).json()
        await past_the_grace()
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


class TestTabsRefreshingAtOnce:
    async def test_twenty_refreshes_of_one_token_at_once_all_get_a_pair_and_sign_nobody_out(
        self, client: httpx.AsyncClient
    ) -> None:
        """Each tab of one browser refreshes when its access token runs out: together they
        present one refresh token. All used to be signed out, the first one included."""
        first = await tokens_of(client, "alice@example.com")

        answers = await asyncio.gather(
            *(
                client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
                for _ in range(20)
            )
        )

        assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
        for answer in answers:
            pair = answer.json()
            me = await client.get(f"{API}/me", headers=bearer(pair["access_token"]))
            assert me.status_code == 200, me.text
        onward = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": answers[-1].json()["refresh_token"]}
        )
        assert onward.status_code == 200, onward.text

    @AFTER_THE_GRACE
    async def test_the_grace_is_short_a_copy_used_later_still_ends_the_sign_in(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await tokens_of(client, "alice@example.com")
        together = await asyncio.gather(
            *(
                client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
                for _ in range(2)
            )
        )
        assert [a.status_code for a in together] == [200, 200]
        await past_the_grace()

        later = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )

        assert_problem(later, 401, "unauthenticated")
        for answer in together:
            me = await client.get(f"{API}/me", headers=bearer(answer.json()["access_token"]))
            assert_problem(me, 401, "unauthenticated")
