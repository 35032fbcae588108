"""Sign-in throttling (AuthService.login with SignInThrottle) over the in-process store,
with a clock the test moves: back-off per (account, address), the address limit, the
account's slowdown, and that the right password is never refused for others' failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.application.auth import AuthService, LoginLimits
from supportdesk.application.ports import TokenPair
from supportdesk.application.sign_in_throttle import ThrottlePolicy, in_words
from supportdesk.domain.access import Role
from supportdesk.domain.errors import RateLimited, Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.cache import MemoryCache

from .fakes import FakeUnitOfWork, FixedClock, Store

RIGHT = "right-password"
OFFICE, HOME, ATTACKER, BOTNET = "198.51.100.10", "198.51.100.20", "203.0.113.66", "192.0.2."


class PlainHasher:
    def hash(self, password: str) -> str:
        return f"plain:{password}"

    def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == f"plain:{password}"

    def dummy_hash(self) -> str:
        return "plain:\x00nobody"


class CountingTokens:
    def __init__(self) -> None:
        self.issued = 0

    def issue(self, user: UserAccount, family_id: str) -> tuple[TokenPair, str]:
        self.issued += 1
        return TokenPair(f"access-{self.issued}", f"refresh-{self.issued}", 900), "r"

    def read_refresh(self, token: str) -> object:
        raise Unauthenticated("not used here")


class SlowUnitOfWork(FakeUnitOfWork):
    """Lets other tasks run while the user is read, as a real database does."""

    async def __aenter__(self) -> SlowUnitOfWork:
        await asyncio.sleep(0)
        return await super().__aenter__()


class World:
    """Two accounts, a shared store and clocks the test moves together."""

    def __init__(self, policy: ThrottlePolicy) -> None:
        self.clock = FixedClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        self.monotonic = 1000.0
        self.cache = MemoryCache(clock=lambda: self.monotonic)
        self.slept: list[float] = []
        store = Store()
        for name in ("alice", "carol"):
            store.users[f"u-{name}"] = UserAccount(
                id=f"u-{name}",
                email=f"{name}@example.com",
                name=name,
                role=Role.CUSTOMER,
                customer_id=f"c-{name}",
                password_hash=f"plain:{RIGHT}",
                active=True,
                created_at=self.clock.now(),
            )
        self.store = store
        self.policy = policy

    def service(self) -> AuthService:
        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        return AuthService(
            SlowUnitOfWork(self.store),
            self.cache,
            CountingTokens(),  # type: ignore[arg-type]
            PlainHasher(),
            self.clock,
            LoginLimits(throttle=self.policy, refresh_ttl_seconds=3600),
            sleep=sleep,
        )

    def wait(self, seconds: float) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        self.monotonic += seconds

    async def login(self, who: str, address: str, password: str = RIGHT) -> str:
        """'ok', 'wrong', or 'wait N' (the Retry-After of a 429)."""
        try:
            await self.service().login(f"{who}@example.com", password, address)
        except Unauthenticated:
            return "wrong"
        except RateLimited as refused:
            return f"wait {refused.retry_after}"
        return "ok"


def world(**policy: int | float) -> World:
    return World(ThrottlePolicy(**policy))  # type: ignore[arg-type]


class TestBackOffPerAccountAndAddress:
    async def test_five_wrong_passwords_from_one_address_leave_the_right_one_from_another_in(
        self,
    ) -> None:
        w = world()
        assert [await w.login("alice", ATTACKER, "guess") for _ in range(5)] == ["wrong"] * 5

        assert await w.login("alice", HOME) == "ok"
        assert w.slept == []

    async def test_the_pair_waits_one_second_after_the_free_failures_then_doubling_to_the_cap(
        self,
    ) -> None:
        w = world(free_failures=3, max_backoff_seconds=60)
        for _ in range(3):
            assert await w.login("alice", ATTACKER, "guess") == "wrong"
        waits = []
        for _ in range(9):
            refused = await w.login("alice", ATTACKER, "guess")
            assert refused.startswith("wait "), refused
            waits.append(int(refused.split()[1]))
            w.wait(waits[-1])
            assert await w.login("alice", ATTACKER, "guess") == "wrong"

        assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]

    async def test_inside_the_back_off_even_the_right_password_from_that_pair_waits(
        self,
    ) -> None:
        w = world(free_failures=2)
        assert [await w.login("alice", ATTACKER, "guess") for _ in range(3)] == [
            "wrong",
            "wrong",
            "wait 1",
        ]
        w.wait(1)
        assert await w.login("alice", ATTACKER, "guess") == "wrong"

        assert await w.login("alice", ATTACKER) == "wait 2"
        w.wait(2)
        assert await w.login("alice", ATTACKER) == "ok"

    async def test_a_success_clears_the_pairs_failures(self) -> None:
        w = world(free_failures=3)
        for _ in range(3):
            await w.login("alice", HOME, "typo")
        w.wait(1)
        assert await w.login("alice", HOME) == "ok"

        # Counted from zero again: two more typos are free, not a longer back-off.
        assert [await w.login("alice", HOME, "typo") for _ in range(2)] == ["wrong", "wrong"]
        assert await w.login("alice", HOME) == "ok"

    async def test_the_failures_are_forgotten_after_the_window(self) -> None:
        w = world(free_failures=2, failure_window_seconds=600, max_backoff_seconds=30)
        for _ in range(2):
            await w.login("alice", HOME, "typo")
        w.wait(600)

        assert await w.login("alice", HOME, "typo") == "wrong"
        assert await w.login("alice", HOME, "typo") == "wrong"

    async def test_other_accounts_from_the_same_address_are_not_slowed(self) -> None:
        w = world(free_failures=2)
        for _ in range(5):
            await w.login("alice", OFFICE, "guess")

        assert await w.login("carol", OFFICE) == "ok"

    async def test_a_burst_at_one_pair_gets_one_guess_checked_at_a_time(self) -> None:
        w = world()
        answers = await asyncio.gather(
            *(w.login("alice", ATTACKER, f"guess-{n}") for n in range(10))
        )

        assert answers.count("wrong") == 1
        assert answers.count("wait 1") == 9


class TestTheAddressLimit:
    async def test_an_address_spraying_many_accounts_is_refused_for_unfamiliar_accounts(
        self,
    ) -> None:
        w = world(address_max_failures=10, address_window_seconds=900)
        for n in range(10):
            assert await w.login(f"guess{n}", ATTACKER, "guess") == "wrong"

        refused = await w.login("carol", ATTACKER)
        assert refused.startswith("wait ")
        assert 0 < int(refused.split()[1]) <= 900
        assert await w.login("alice", HOME) == "ok"

    async def test_an_account_that_signed_in_from_the_address_before_is_not_refused_there(
        self,
    ) -> None:
        """An office behind one NAT: a stranger's spraying does not lock the staff out."""
        w = world(address_max_failures=10)
        assert await w.login("carol", OFFICE) == "ok"
        for n in range(10):
            await w.login(f"guess{n}", OFFICE, "guess")

        assert await w.login("carol", OFFICE) == "ok"
        assert (await w.login("alice", OFFICE)).startswith("wait ")

    async def test_the_address_is_let_in_again_when_its_window_ends(self) -> None:
        w = world(address_max_failures=3, address_window_seconds=900)
        for n in range(3):
            await w.login(f"guess{n}", ATTACKER, "guess")
        refused = await w.login("carol", ATTACKER)
        w.wait(int(refused.split()[1]))

        assert await w.login("carol", ATTACKER) == "ok"


class TestADistributedGuesserIsSlowedNeverTheOwnerRefused:
    async def test_past_the_accounts_limit_each_attempt_from_a_new_address_is_slowed(
        self,
    ) -> None:
        w = world(account_slowdown_after=20, account_max_delay_seconds=3.0)
        for n in range(24):
            assert await w.login("alice", f"{BOTNET}{n}", "guess") == "wrong"

        assert await w.login("alice", f"{BOTNET}200") == "ok"
        # 20 failures: 0.25 s, doubling with each one after, at most 3 s.
        assert w.slept[-1] == 3.0
        assert w.slept[:4] == [0.25, 0.5, 1.0, 2.0]

    async def test_the_owner_from_a_familiar_address_is_not_slowed(self) -> None:
        w = world(account_slowdown_after=5)
        assert await w.login("alice", HOME) == "ok"
        for n in range(30):
            await w.login("alice", f"{BOTNET}{n}", "guess")
        w.slept.clear()

        assert await w.login("alice", HOME) == "ok"
        assert w.slept == []

    async def test_no_number_of_failures_elsewhere_refuses_the_right_password(self) -> None:
        w = world(free_failures=1, account_slowdown_after=1, address_max_failures=1)
        for n in range(50):
            await w.login("alice", f"{BOTNET}{n}", "guess")
            await w.login("alice", ATTACKER, "guess")
            w.wait(1000)  # past every back-off, so the attacker keeps failing

        assert await w.login("alice", "198.51.100.99") == "ok"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "1 second"),
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (900, "15 minutes"),
        (3600, "1 hour"),
        (7201, "3 hours"),
    ],
)
def test_a_wait_is_said_in_words_rounded_up(seconds: int, words: str) -> None:
    assert in_words(seconds) == words


async def test_the_refusal_says_how_long_to_wait_in_words() -> None:
    w = world(free_failures=1, max_backoff_seconds=900)
    for n in range(8):
        if n:
            w.wait(200)  # past each back-off, so every guess is checked and fails
        await w.login("alice", ATTACKER, "guess")

    with pytest.raises(RateLimited) as refused:
        await w.service().login("alice@example.com", RIGHT, ATTACKER)

    assert refused.value.retry_after == 128
    assert "wait 3 minutes before trying again" in refused.value.detail
