"""Sign-in throttling over HTTP: slow the guesser, never lock the owner out, per (email,
address), per address and per account (docs/decisions.md, "Sign-in throttling")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from supportdesk.api.app import create_app
from supportdesk.application.sign_in_throttle import ThrottlePolicy
from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD

from .signing_in import (
    API,
    assert_problem,
    assert_retry_after,
    login,
)


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
        self, client_at: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Five wrong passwords for alice from X, then her right password from Y: in at
        once. (The account-wide lock this replaces let any stranger lock her out.) "At
        once" is read off the throttle's own decision, not a clock: a password hash takes
        most of a second on a busy machine."""
        delays: list[float] = []
        decide = ThrottlePolicy.account_delay_seconds

        def recorded(policy: ThrottlePolicy, failures: int) -> float:
            delays.append(decide(policy, failures))
            return delays[-1]

        monkeypatch.setattr(ThrottlePolicy, "account_delay_seconds", recorded)
        async with client_at("203.0.113.7") as x, client_at("198.51.100.20") as y:
            for _ in range(5):
                assert (await login(x, "Alice@example.com", "wrong")).status_code == 401

            delays.clear()
            # X first: its wait after the fifth failure is one second, and Y's sign-in (a
            # password hash) took longer than that on a busy machine, after which X was
            # let in again and the test read the expiry as a missing refusal.
            from_x = await login(x, "alice@example.com")
            from_y = await login(y, "alice@example.com")

        assert from_y.status_code == 200, from_y.text
        assert delays and delays[0] == 0.0  # Y's attempt was not slowed
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
