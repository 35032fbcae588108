"""Signing in with an order and resetting a password by mail, through HTTP: the links come
from the embedded mail catcher (a real SMTP server), as a customer's mailbox would get them."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from typing import Any

import httpx
import jwt
import pytest

from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD
from tests.api.signing_in import API, assert_problem, bearer, login, order_ids, tokens_of

DAVE = "dave@example.com"
NEW_PASSWORD = "lantern-orchard-veranda-41"


async def mails_to(client: httpx.AsyncClient, to: str, want: int = 1) -> list[dict[str, Any]]:
    """The mails the catcher holds for ``to`` (newest first), once there are ``want``: a
    link is sent after the request was answered."""
    for _ in range(100):
        items: list[dict[str, Any]] = (
            await client.get("/sim/mail/messages", params={"to": to})
        ).json()["items"]
        if len(items) >= want:
            return items
        await asyncio.sleep(0.05)
    return items


async def no_mail_to(client: httpx.AsyncClient, container: Container, to: str) -> bool:
    await container.detached.drain()
    items = (await client.get("/sim/mail/messages", params={"to": to})).json()["items"]
    return not items


def link_token(mail: dict[str, Any], path: str) -> str:
    match = re.search(rf"{re.escape(path)}#token=([\w.-]+)", mail["text"])
    assert match, mail["text"]
    return match.group(1)


async def ask_order_link(
    client: httpx.AsyncClient, order_id: str = "ORD-3001", email: str = DAVE
) -> httpx.Response:
    return await client.post(f"{API}/auth/order-link", json={"order_id": order_id, "email": email})


async def order_link_token(client: httpx.AsyncClient, order_id: str, email: str) -> str:
    assert (await ask_order_link(client, order_id, email)).status_code == 202
    [mail] = await mails_to(client, email)
    return link_token(mail, "/sign-in/link")


async def reset_token(client: httpx.AsyncClient, email: str, want: int = 1) -> str:
    response = await client.post(f"{API}/auth/password-reset", json={"email": email})
    assert response.status_code == 202, response.text
    mail = (await mails_to(client, email, want))[0]
    return link_token(mail, "/reset-password")


class TestSignInWithAnOrder:
    async def test_a_customer_without_an_account_gets_one_from_the_order_systems_data(
        self, client: httpx.AsyncClient
    ) -> None:
        token = await order_link_token(client, "ORD-3001", "Dave@Example.com")

        response = await client.post(f"{API}/auth/order-link/redeem", json={"token": token})

        assert response.status_code == 200, response.text
        me = await client.get(f"{API}/me", headers=bearer(response.json()["access_token"]))
        assert me.json() | {"id": None} == {
            "id": None,
            "email": DAVE,
            "name": "Dave Okafor",
            "role": "customer",
            "customer_id": "CUST-3001",
        }
        orders = await client.get(f"{API}/orders", headers=bearer(response.json()["access_token"]))
        assert order_ids(orders) == ["ORD-3001"]

    async def test_the_mail_names_the_order_and_how_long_the_link_works(
        self, client: httpx.AsyncClient
    ) -> None:
        await ask_order_link(client)
        [mail] = await mails_to(client, DAVE)
        assert "ORD-3001" in mail["text"]
        assert "15 minutes" in mail["text"]
        assert mail["to"] == [DAVE]
        assert "http://127.0.0.1:8000/sign-in/link#token=" in mail["text"]

    async def test_an_existing_customer_signs_in_to_her_own_account(
        self, client: httpx.AsyncClient
    ) -> None:
        alice = await tokens_of(client, "alice@example.com")
        alice_id = (await client.get(f"{API}/me", headers=bearer(alice["access_token"]))).json()[
            "id"
        ]
        token = await order_link_token(client, "ORD-1001", "alice@example.com")

        pair = (await client.post(f"{API}/auth/order-link/redeem", json={"token": token})).json()

        me = await client.get(f"{API}/me", headers=bearer(pair["access_token"]))
        assert me.json()["id"] == alice_id

    @pytest.mark.parametrize(
        ("order_id", "email"),
        [
            ("ORD-3001", "alice@example.com"),  # not the order's email
            ("ORD-9999", DAVE),  # no such order
            ("ORD-1001", DAVE),  # somebody else's order
        ],
    )
    async def test_no_link_is_sent_unless_the_email_is_the_orders(
        self, client: httpx.AsyncClient, container: Container, order_id: str, email: str
    ) -> None:
        response = await ask_order_link(client, order_id, email)

        assert response.status_code == 202
        assert await no_mail_to(client, container, email)

    async def test_a_link_works_once(self, client: httpx.AsyncClient) -> None:
        token = await order_link_token(client, "ORD-3001", DAVE)
        first = await client.post(f"{API}/auth/order-link/redeem", json={"token": token})
        assert first.status_code == 200

        again = await client.post(f"{API}/auth/order-link/redeem", json={"token": token})

        assert "already used" in assert_problem(again, 400, "invalid_link")["detail"]

    async def test_two_redeems_at_once_sign_in_once(self, client: httpx.AsyncClient) -> None:
        token = await order_link_token(client, "ORD-3001", DAVE)

        answers = await asyncio.gather(
            *(client.post(f"{API}/auth/order-link/redeem", json={"token": token}) for _ in range(5))
        )

        assert sorted(a.status_code for a in answers) == [200, 400, 400, 400, 400]

    @pytest.mark.parametrize(
        "settings_overrides", [{"sign_in_link_ttl_seconds": 60}], indirect=True
    )
    async def test_an_expired_link_says_so(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        token = await order_link_token(client, "ORD-3001", DAVE)
        claims = jwt.decode(token, options={"verify_signature": False})
        expired = jwt.encode(
            {**claims, "exp": int(time.time()) - 1},
            container.settings.jwt_secret.get_secret_value(),
            algorithm="HS256",
        )

        response = await client.post(f"{API}/auth/order-link/redeem", json={"token": expired})

        assert "expired" in assert_problem(response, 400, "invalid_link")["detail"]

    async def test_an_altered_link_is_refused(self, client: httpx.AsyncClient) -> None:
        token = await order_link_token(client, "ORD-3001", DAVE)
        head, _, signature = token.split(".")
        claims = jwt.decode(token, options={"verify_signature": False})
        forged = jwt.encode(
            {**claims, "email": "alice@example.com"},
            "a-guessed-secret-of-32-bytes-or-more",
            algorithm="HS256",
        )

        for bad in (f"{head}.{forged.split('.')[1]}.{signature}", "not-a-token", token[:-4]):
            response = await client.post(f"{API}/auth/order-link/redeem", json={"token": bad})
            assert_problem(response, 400, "invalid_link")

    async def test_a_reset_link_does_not_sign_in_by_order(self, client: httpx.AsyncClient) -> None:
        token = await reset_token(client, "alice@example.com")

        response = await client.post(f"{API}/auth/order-link/redeem", json={"token": token})

        assert_problem(response, 400, "invalid_link")

    async def test_an_email_that_belongs_to_staff_does_not_become_a_customer(
        self, client: httpx.AsyncClient, container: Container, as_user: Any
    ) -> None:
        # An admin gave Dave's address to a staff account before Dave ever signed in.
        created = await client.post(
            f"{API}/users",
            headers=await as_user("admin"),
            json={
                "email": DAVE,
                "name": "Dave at the desk",
                "role": "agent",
                "password": "a-long-staff-password-9",
            },
        )
        assert created.status_code == 201, created.text
        token = await order_link_token(client, "ORD-3001", DAVE)

        response = await client.post(f"{API}/auth/order-link/redeem", json={"token": token})

        assert "another account" in assert_problem(response, 400, "invalid_link")["detail"]


class TestEnumerationResistance:
    async def test_known_and_unknown_get_the_same_status_and_body(
        self, client: httpx.AsyncClient
    ) -> None:
        known = await ask_order_link(client, "ORD-3001", DAVE)
        unknown = await ask_order_link(client, "ORD-3001", "nobody@example.com")
        no_order = await ask_order_link(client, "ORD-0000", DAVE)
        assert known.status_code == unknown.status_code == no_order.status_code == 202
        assert known.json() == unknown.json() == no_order.json()

        reset_known = await client.post(
            f"{API}/auth/password-reset", json={"email": "alice@example.com"}
        )
        reset_unknown = await client.post(
            f"{API}/auth/password-reset", json={"email": "nobody@example.com"}
        )
        assert reset_known.status_code == reset_unknown.status_code == 202
        assert reset_known.json() == reset_unknown.json()

    @pytest.mark.parametrize(
        "settings_overrides", [{"link_requests_per_address_per_hour": 1000}], indirect=True
    )
    async def test_known_and_unknown_take_the_same_time(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        """Medians over many tries, taking turns: the lookups and the mail happen after the
        answer, so a known email costs the request nothing more."""

        async def timed(path: str, body: dict[str, str]) -> float:
            started = time.perf_counter()
            response = await client.post(f"{API}{path}", json=body)
            elapsed = time.perf_counter() - started
            assert response.status_code == 202
            # What follows the answer (the lookup, the mail) runs between the tries, so that
            # one try's background work is not timed as part of the next.
            await container.detached.drain()
            return elapsed

        cases = {
            "order-link": (
                {"order_id": "ORD-3001", "email": DAVE},
                {"order_id": "ORD-3001", "email": "nobody@example.com"},
            ),
            "password-reset": ({"email": "alice@example.com"}, {"email": "nobody@example.com"}),
        }
        for path, (known_body, unknown_body) in cases.items():
            known: list[float] = []
            unknown: list[float] = []
            for _ in range(60):
                known.append(await timed(f"/auth/{path}", known_body))
                unknown.append(await timed(f"/auth/{path}", unknown_body))
            known_median, unknown_median = statistics.median(known), statistics.median(unknown)
            # Within 1 ms or 25 % of each other, whichever is more.
            margin = max(0.001, 0.25 * min(known_median, unknown_median))
            assert abs(known_median - unknown_median) <= margin, (
                path,
                known_median,
                unknown_median,
            )


class TestLimits:
    async def test_a_flood_for_one_email_sends_a_few_mails(
        self, client: httpx.AsyncClient, container: Container
    ) -> None:
        answers = [await ask_order_link(client) for _ in range(10)]
        await container.detached.drain()

        assert {a.status_code for a in answers} == {202}
        mails = (await client.get("/sim/mail/messages", params={"to": DAVE})).json()["items"]
        assert len(mails) == container.settings.link_mails_per_email_per_hour == 3

    @pytest.mark.parametrize(
        "settings_overrides", [{"link_requests_per_address_per_hour": 4}], indirect=True
    )
    async def test_one_address_asking_too_often_is_told_to_wait(
        self, client: httpx.AsyncClient
    ) -> None:
        emails = [f"someone{n}@example.com" for n in range(4)]
        for email in emails:
            assert (await ask_order_link(client, "ORD-3001", email)).status_code == 202

        fifth = await client.post(f"{API}/auth/password-reset", json={"email": "x@example.com"})

        assert_problem(fifth, 429, "rate_limited")
        assert int(fifth.headers["retry-after"]) > 0

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"order_id": "ORD-3001"},
            {"order_id": "", "email": DAVE},
            {"order_id": "ORD-3001", "email": "x" * 400},
            {"order_id": "ORD-3001\n", "email": f"{DAVE}\r\nBcc: all@example.com"},
            {"order_id": "ORD-3001", "email": DAVE, "extra": 1},
        ],
    )
    async def test_malformed_requests_are_422_and_send_nothing(
        self, client: httpx.AsyncClient, container: Container, body: dict[str, Any]
    ) -> None:
        response = await client.post(f"{API}/auth/order-link", json=body)

        assert_problem(response, 422, "validation_error")
        assert await no_mail_to(client, container, DAVE)


class TestPasswordReset:
    async def test_a_new_password_works_and_the_old_one_does_not(
        self, client: httpx.AsyncClient
    ) -> None:
        token = await reset_token(client, "carol@example.com")

        response = await client.post(
            f"{API}/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )

        assert response.status_code == 204, response.text
        assert (await login(client, "carol@example.com", NEW_PASSWORD)).status_code == 200
        assert (await login(client, "carol@example.com", DEMO_PASSWORD)).status_code == 401

    async def test_every_other_sign_in_of_the_user_ends(self, client: httpx.AsyncClient) -> None:
        before = await tokens_of(client, "carol@example.com")
        assert (await client.get(f"{API}/me", headers=bearer(before["access_token"]))).is_success
        token = await reset_token(client, "carol@example.com")
        # Token times are whole seconds: the reset ends what was issued in earlier seconds.
        await asyncio.sleep(1.05)

        await client.post(
            f"{API}/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )

        me = await client.get(f"{API}/me", headers=bearer(before["access_token"]))
        assert_problem(me, 401, "unauthenticated")
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": before["refresh_token"]}
        )
        assert_problem(refreshed, 401, "unauthenticated")
        after = await login(client, "carol@example.com", NEW_PASSWORD)
        assert (
            await client.get(f"{API}/me", headers=bearer(after.json()["access_token"]))
        ).status_code == 200

    @pytest.mark.parametrize(
        ("password", "words"),
        [
            ("short1", "at least 10 characters"),
            ("password123", "common"),
            ("carolcarolcarol", ""),
        ],
    )
    async def test_a_weak_password_is_refused_and_the_link_still_works(
        self, client: httpx.AsyncClient, password: str, words: str
    ) -> None:
        token = await reset_token(client, "carol@example.com")

        weak = await client.post(
            f"{API}/auth/password-reset/confirm", json={"token": token, "password": password}
        )

        body = assert_problem(weak, 422, "validation_error")
        assert body["errors"][0]["loc"] == ["body", "password"]
        assert words in body["detail"].lower()
        strong = await client.post(
            f"{API}/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert strong.status_code == 204

    async def test_a_reset_link_works_once(self, client: httpx.AsyncClient) -> None:
        token = await reset_token(client, "carol@example.com")
        body = {"token": token, "password": NEW_PASSWORD}
        assert (
            await client.post(f"{API}/auth/password-reset/confirm", json=body)
        ).status_code == 204

        again = await client.post(
            f"{API}/auth/password-reset/confirm",
            json={"token": token, "password": "another-fine-password-77"},
        )

        assert "already used" in assert_problem(again, 400, "invalid_link")["detail"]

    async def test_an_older_link_is_spent_once_the_password_changed(
        self, client: httpx.AsyncClient
    ) -> None:
        older = await reset_token(client, "carol@example.com")
        newer = await reset_token(client, "carol@example.com", want=2)
        body = {"token": newer, "password": NEW_PASSWORD}
        assert (
            await client.post(f"{API}/auth/password-reset/confirm", json=body)
        ).status_code == 204

        response = await client.post(
            f"{API}/auth/password-reset/confirm",
            json={"token": older, "password": "another-fine-password-77"},
        )

        assert_problem(response, 400, "invalid_link")

    async def test_no_mail_for_an_unknown_or_deactivated_account(
        self, client: httpx.AsyncClient, container: Container, as_user: Any
    ) -> None:
        users = (await client.get(f"{API}/users", headers=await as_user("admin"))).json()
        carol = next(u for u in users if u["email"] == "carol@example.com")
        await client.post(f"{API}/users/{carol['id']}/deactivate", headers=await as_user("admin"))

        for email in ("carol@example.com", "nobody@example.com"):
            response = await client.post(f"{API}/auth/password-reset", json={"email": email})
            assert response.status_code == 202

        assert await no_mail_to(client, container, "carol@example.com")
        assert await no_mail_to(client, container, "nobody@example.com")


class TestAdminSendsAResetLink:
    async def test_the_user_gets_the_link(self, client: httpx.AsyncClient, as_user: Any) -> None:
        users = (await client.get(f"{API}/users", headers=await as_user("admin"))).json()
        bob = next(u for u in users if u["email"] == "bob@example.com")

        response = await client.post(
            f"{API}/users/{bob['id']}/password-reset", headers=await as_user("admin")
        )

        assert response.status_code == 202
        [mail] = await mails_to(client, "bob@example.com")
        token = link_token(mail, "/reset-password")
        confirm = await client.post(
            f"{API}/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert confirm.status_code == 204

    async def test_only_admins_send_one(self, client: httpx.AsyncClient, as_user: Any) -> None:
        users = (await client.get(f"{API}/users", headers=await as_user("admin"))).json()
        bob = next(u for u in users if u["email"] == "bob@example.com")

        response = await client.post(
            f"{API}/users/{bob['id']}/password-reset", headers=await as_user("sam")
        )

        assert_problem(response, 403, "forbidden")

    async def test_an_unknown_user_is_404(self, client: httpx.AsyncClient, as_user: Any) -> None:
        response = await client.post(
            f"{API}/users/usr_nobody/password-reset", headers=await as_user("admin")
        )
        assert_problem(response, 404, "not_found")
