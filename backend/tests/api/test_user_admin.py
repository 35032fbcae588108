"""Managing users: an email is taken once even under a race, somebody always remains able to
manage users, and a deactivated user can be let back in."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from supportdesk.bootstrap import Container
from supportdesk.domain.access import Role
from supportdesk.domain.errors import EmailTaken
from supportdesk.domain.users import UserAccount
from tests.conftest import sign_in

API = "/api/v1"

NEW_ADMIN = {
    "email": "erin@example.com",
    "name": "Erin Admin",
    "role": "admin",
    "password": "a-long-enough-password",
}


async def users_by_email(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    return {u["email"]: u for u in (await client.get(f"{API}/users", headers=admin)).json()}


class TestAnEmailIsTakenOnce:
    async def test_concurrent_creations_of_one_email_give_one_user_and_409_email_taken(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        body = {**NEW_ADMIN, "role": "agent", "email": "dana@example.com"}

        answers = await asyncio.gather(
            *(client.post(f"{API}/users", headers=admin, json=body) for _ in range(6))
        )

        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409, 409]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {"email_taken"}
        emails = [u["email"] for u in (await client.get(f"{API}/users", headers=admin)).json()]
        assert emails.count("dana@example.com") == 1

    async def test_the_unique_index_is_answered_as_email_taken_when_the_check_missed_it(
        self, container: Container
    ) -> None:
        async with container.uow() as uow:
            bob = await uow.users.by_email("bob@example.com")
        assert bob is not None
        twin = UserAccount(
            id="usr_twin",
            email="BOB@example.com",
            name="Bob's twin",
            role=Role.AGENT,
            customer_id=None,
            password_hash=bob.password_hash,
            active=True,
            created_at=bob.created_at,
        )

        async with container.uow() as uow:
            with pytest.raises(EmailTaken):
                await uow.users.add(twin)

        async with container.uow() as uow:
            assert await uow.users.get("usr_twin") is None


class TestSomebodyAlwaysManagesUsers:
    async def test_the_only_active_admin_cannot_deactivate_themself(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        me = (await client.get(f"{API}/me", headers=admin)).json()

        response = await client.post(f"{API}/users/{me['id']}/deactivate", headers=admin)

        assert response.status_code == 409, response.text
        assert response.json()["code"] == "last_admin"
        assert (await users_by_email(client, admin))["admin@example.com"]["active"] is True

    async def test_with_a_second_admin_one_may_go_but_not_both(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        created = await client.post(f"{API}/users", headers=admin, json=NEW_ADMIN)
        erin = await sign_in_as(client, NEW_ADMIN["email"], NEW_ADMIN["password"])
        me = (await client.get(f"{API}/me", headers=admin)).json()

        first = await client.post(f"{API}/users/{me['id']}/deactivate", headers=erin)
        second = await client.post(f"{API}/users/{created.json()['id']}/deactivate", headers=erin)

        assert first.status_code == 200, first.text
        assert second.status_code == 409
        assert second.json()["code"] == "last_admin"

    async def test_two_admins_deactivating_each_other_at_once_leave_one_active(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        erin_id = (await client.post(f"{API}/users", headers=admin, json=NEW_ADMIN)).json()["id"]
        erin = await sign_in_as(client, NEW_ADMIN["email"], NEW_ADMIN["password"])
        admin_id = (await client.get(f"{API}/me", headers=admin)).json()["id"]

        answers = await asyncio.gather(
            client.post(f"{API}/users/{erin_id}/deactivate", headers=admin),
            client.post(f"{API}/users/{admin_id}/deactivate", headers=erin),
        )

        codes = sorted(a.status_code for a in answers)
        assert codes in ([200, 409], [200, 401]), [a.text for a in answers]
        assert await _active_admins(client, admin, erin) == 1

    async def test_deactivating_a_customer_or_an_agent_needs_no_other_admin(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        users = await users_by_email(client, admin)

        for email in ("carol@example.com", "bob@example.com"):
            response = await client.post(
                f"{API}/users/{users[email]['id']}/deactivate", headers=admin
            )
            assert response.status_code == 200, response.text


class TestAdminReactivatesUsers:
    async def test_a_reactivated_user_signs_in_again(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        carol_id = (await users_by_email(client, admin))["carol@example.com"]["id"]
        await client.post(f"{API}/users/{carol_id}/deactivate", headers=admin)

        response = await client.post(f"{API}/users/{carol_id}/reactivate", headers=admin)

        assert response.status_code == 200, response.text
        assert response.json()["active"] is True
        assert (await users_by_email(client, admin))["carol@example.com"]["active"] is True
        await sign_in(client, "carol@example.com")

    async def test_an_unknown_user_is_not_found(self, client: httpx.AsyncClient, as_user) -> None:
        response = await client.post(
            f"{API}/users/usr-nobody/reactivate", headers=await as_user("admin")
        )

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize("who", ["alice", "bob", "sam"])
    async def test_only_admins_reactivate(
        self, client: httpx.AsyncClient, as_user, who: str
    ) -> None:
        admin = await as_user("admin")
        carol_id = (await users_by_email(client, admin))["carol@example.com"]["id"]
        await client.post(f"{API}/users/{carol_id}/deactivate", headers=admin)

        response = await client.post(
            f"{API}/users/{carol_id}/reactivate", headers=await as_user(who)
        )

        assert response.status_code == 403
        assert (await users_by_email(client, admin))["carol@example.com"]["active"] is False


async def sign_in_as(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class TestAdminChangesRoles:
    async def test_an_agent_made_supervisor_must_sign_in_again_and_then_acts_as_one(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        bob = await sign_in(client, "bob@example.com")
        bob_id = (await users_by_email(client, admin))["bob@example.com"]["id"]

        response = await client.patch(
            f"{API}/users/{bob_id}", headers=admin, json={"role": "supervisor"}
        )

        assert response.status_code == 200, response.text
        assert response.json()["role"] == "supervisor"
        # The token of the old role stops working at once, not at its expiry.
        stale = await client.get(f"{API}/me", headers=bob)
        assert stale.status_code == 401
        assert "role has changed" in stale.json()["detail"]
        again = await sign_in(client, "bob@example.com")
        assert (await client.get(f"{API}/me", headers=again)).json()["role"] == "supervisor"

    async def test_the_only_active_admin_cannot_stop_being_an_admin(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        me = (await client.get(f"{API}/me", headers=admin)).json()

        response = await client.patch(
            f"{API}/users/{me['id']}", headers=admin, json={"role": "agent"}
        )

        assert response.status_code == 409, response.text
        assert response.json()["code"] == "last_admin"
        assert (await users_by_email(client, admin))["admin@example.com"]["role"] == "admin"

    async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        erin_id = (await client.post(f"{API}/users", headers=admin, json=NEW_ADMIN)).json()["id"]
        erin = await sign_in_as(client, NEW_ADMIN["email"], NEW_ADMIN["password"])
        admin_id = (await client.get(f"{API}/me", headers=admin)).json()["id"]

        answers = await asyncio.gather(
            client.patch(f"{API}/users/{erin_id}", headers=admin, json={"role": "agent"}),
            client.patch(f"{API}/users/{admin_id}", headers=erin, json={"role": "agent"}),
        )

        codes = sorted(a.status_code for a in answers)
        assert codes in ([200, 409], [200, 401]), [a.text for a in answers]
        assert await _active_admins(client, admin, erin) == 1

    @pytest.mark.parametrize(
        ("email", "role"),
        [("carol@example.com", "agent"), ("bob@example.com", "customer")],
    )
    async def test_a_customer_stays_a_customer_and_staff_stay_staff(
        self, client: httpx.AsyncClient, as_user, email: str, role: str
    ) -> None:
        admin = await as_user("admin")
        before = (await users_by_email(client, admin))[email]

        response = await client.patch(
            f"{API}/users/{before['id']}", headers=admin, json={"role": role}
        )

        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"
        assert (await users_by_email(client, admin))[email]["role"] == before["role"]

    async def test_an_unknown_user_or_role_is_refused(
        self, client: httpx.AsyncClient, as_user
    ) -> None:
        admin = await as_user("admin")
        bob_id = (await users_by_email(client, admin))["bob@example.com"]["id"]

        unknown = await client.patch(
            f"{API}/users/usr-nobody", headers=admin, json={"role": "agent"}
        )
        bad = await client.patch(f"{API}/users/{bob_id}", headers=admin, json={"role": "owner"})

        assert unknown.status_code == 404
        assert bad.status_code == 422
        assert (await users_by_email(client, admin))["bob@example.com"]["role"] == "agent"

    @pytest.mark.parametrize("who", ["alice", "bob", "sam"])
    async def test_only_admins_change_roles(
        self, client: httpx.AsyncClient, as_user, who: str
    ) -> None:
        admin = await as_user("admin")
        bob_id = (await users_by_email(client, admin))["bob@example.com"]["id"]

        response = await client.patch(
            f"{API}/users/{bob_id}", headers=await as_user(who), json={"role": "admin"}
        )

        assert response.status_code == 403
        assert (await users_by_email(client, admin))["bob@example.com"]["role"] == "agent"


async def _active_admins(client: httpx.AsyncClient, *admins: dict[str, str]) -> int:
    for headers in admins:
        response = await client.get(f"{API}/users", headers=headers)
        if response.status_code == 200:
            return sum(1 for u in response.json() if u["role"] == "admin" and u["active"])
    raise AssertionError("no admin can list users any more")
