"""Each signed-in user has a request budget per minute (429 with Retry-After past it)."""

from __future__ import annotations

import time

import httpx
import pytest

from .signing_in import (
    API,
    assert_problem,
    assert_retry_after,
    bearer,
    tokens_of,
)


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
