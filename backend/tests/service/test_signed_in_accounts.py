"""SignedInAccounts: an account's standing comes from the cache backend, not from a
transaction per request, and a change of the account counts at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from supportdesk.application.accounts import SignedInAccounts
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.cache import MemoryCache

from .fakes import FakeUnitOfWork, Store

ALICE = UserAccount(
    id="usr_alice",
    email="alice@example.com",
    name="Alice",
    role=Role.CUSTOMER,
    customer_id="CUST-1001",
    password_hash="x",
    active=True,
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
)


class CountingUnitOfWork(FakeUnitOfWork):
    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.opened = 0

    async def __aenter__(self) -> CountingUnitOfWork:
        self.opened += 1
        await super().__aenter__()
        return self


def accounts_of(*users: UserAccount) -> tuple[SignedInAccounts, CountingUnitOfWork, MemoryCache]:
    reads = CountingUnitOfWork(Store(users={u.id: u for u in users}))
    cache = MemoryCache()
    return SignedInAccounts(lambda: reads, cache, ttl_seconds=30), reads, cache


async def test_an_active_accounts_standing_is_read_once_and_then_comes_from_the_cache() -> None:
    accounts, reads, _ = accounts_of(ALICE)

    first = await accounts.actor("usr_alice", Role.CUSTOMER)
    second = await accounts.actor("usr_alice", Role.CUSTOMER)

    assert first == second == Actor(id="usr_alice", role=Role.CUSTOMER, customer_id="CUST-1001")
    assert reads.opened == 1


async def test_an_unknown_or_inactive_account_may_not_act() -> None:
    accounts, _, _ = accounts_of(replace(ALICE, active=False))

    with pytest.raises(Unauthenticated):
        await accounts.actor("usr_alice", Role.CUSTOMER)
    with pytest.raises(Unauthenticated):
        await accounts.actor("usr_nobody", Role.AGENT)


async def test_a_token_for_a_role_the_account_no_longer_has_is_refused() -> None:
    accounts, _, _ = accounts_of(ALICE)

    with pytest.raises(Unauthenticated, match="role"):
        await accounts.actor("usr_alice", Role.ADMIN)


async def test_a_deactivation_counts_at_once_although_the_standing_was_cached() -> None:
    accounts, _, _ = accounts_of(ALICE)
    await accounts.actor("usr_alice", Role.CUSTOMER)

    await accounts.changed(replace(ALICE, active=False))

    with pytest.raises(Unauthenticated):
        await accounts.actor("usr_alice", Role.CUSTOMER)


async def test_a_read_that_raced_a_deactivation_cannot_put_the_old_standing_back() -> None:
    accounts, _, cache = accounts_of(ALICE)
    fill = cache.set_if_absent

    async def deactivated_meanwhile(key: str, value: str, ttl_seconds: int | None = None) -> bool:
        # The account was read as active; the deactivation commits before the fill lands.
        await accounts.changed(replace(ALICE, active=False))
        return await fill(key, value, ttl_seconds)

    cache.set_if_absent = deactivated_meanwhile  # type: ignore[method-assign]

    with pytest.raises(Unauthenticated):
        await accounts.actor("usr_alice", Role.CUSTOMER)
    cache.set_if_absent = fill  # type: ignore[method-assign]
    with pytest.raises(Unauthenticated):
        await accounts.actor("usr_alice", Role.CUSTOMER)
