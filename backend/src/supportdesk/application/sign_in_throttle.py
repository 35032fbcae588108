"""Sign-in throttling that slows guessers without letting strangers lock anyone out.

Failures are counted three ways (OWASP's authentication cheat sheet), each with its own
answer, so that nobody's right password is refused because of somebody else's mistakes:

- per (account, client address) pair: after ``free_failures`` wrong passwords the pair backs
  off exponentially (1 s, 2 s, 4 s, … up to ``max_backoff_seconds``); an attempt inside the
  back-off is refused with 429 and the time left. Only that pair waits: the same account
  from another address, and other accounts from this address, are untouched. A success
  clears the pair.
- per client address, whatever the account: after ``address_max_failures`` in a window the
  address is refused (429) for accounts that have never signed in from it, which stops one
  address spraying guesses over many accounts. An account that signed in from the address
  before is not refused there: an office behind one NAT keeps working.
- per account, from every address: after ``account_slowdown_after`` wrong passwords, each
  attempt on that account from an unfamiliar address is slowed before the password is
  checked, never refused. A guesser spread over many addresses pays the delay on every
  guess; the owner still signs in.

Keys hold a hash of the email and the address, not the values themselves: both come from
the client, may be long and may contain the separator.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from supportdesk.application.ports import CacheBackend, Clock
from supportdesk.domain.errors import RateLimited

# How long an address counts as familiar to an account after a successful sign-in from it.
KNOWN_ADDRESS_SECONDS = 30 * 86400
# Held while one attempt of a pair is being checked; long enough for a slow hash, short
# enough that a crashed worker does not keep the pair waiting.
_CHECKING_SECONDS = 30
_CHECKING = "checking"


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    free_failures: int = 5
    failure_window_seconds: int = 86400
    max_backoff_seconds: int = 900
    address_max_failures: int = 100
    address_window_seconds: int = 900
    account_slowdown_after: int = 20
    account_max_delay_seconds: float = 3.0

    def backoff_seconds(self, failures: int) -> int:
        """The wait after the pair's ``failures``-th wrong password: none before the free
        failures are used up, then 1 s doubling with each failure, capped."""
        if failures < self.free_failures:
            return 0
        exponent = min(failures - self.free_failures, 30)  # 2**30 s is past any cap
        return min(1 << exponent, self.max_backoff_seconds)

    def account_delay_seconds(self, failures: int) -> float:
        """How long an attempt from an unfamiliar address waits when the account has had
        ``failures`` wrong passwords from anywhere: a quarter second doubling, capped."""
        if failures < self.account_slowdown_after:
            return 0.0
        exponent = min(failures - self.account_slowdown_after, 30)
        return min(0.25 * (1 << exponent), self.account_max_delay_seconds)


def in_words(seconds: int) -> str:
    """A wait as a person says it, rounded up: '1 second', '40 seconds', '3 minutes'."""
    if seconds < 60:
        return "1 second" if seconds <= 1 else f"{seconds} seconds"
    if seconds < 3600:
        minutes = math.ceil(seconds / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours = math.ceil(seconds / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class SignInAttempt:
    """One sign-in attempt for an account from an address, once it was let through:
    the caller checks the password and reports how it went, exactly once."""

    def __init__(self, throttle: SignInThrottle, account: str, address: str, known: bool) -> None:
        self._throttle = throttle
        self.pair = _digest(account, address)
        self.account = _digest(account)
        self.address = _digest(address)
        self.known = known

    async def succeeded(self) -> None:
        cache = self._throttle.cache
        await cache.delete(f"login:pair-failures:{self.pair}")
        await cache.delete(f"login:pair-wait:{self.pair}")
        await cache.set(f"login:known:{self.pair}", "1", KNOWN_ADDRESS_SECONDS)

    async def failed(self) -> None:
        throttle, cache, policy = self._throttle, self._throttle.cache, self._throttle.policy
        failures = await cache.incr(
            f"login:pair-failures:{self.pair}", policy.failure_window_seconds
        )
        await cache.incr(throttle.address_key(self.address), policy.address_window_seconds)
        await cache.incr(f"login:account-failures:{self.account}", policy.failure_window_seconds)
        wait = policy.backoff_seconds(failures)
        if wait > 0:
            until = throttle.clock.now().timestamp() + wait
            await cache.set(f"login:pair-wait:{self.pair}", f"{until:.3f}", wait)
        else:
            await cache.delete(f"login:pair-wait:{self.pair}")

    async def abandoned(self) -> None:
        """The check itself broke (not a wrong password): let the pair try again at once."""
        await self._throttle.cache.delete(f"login:pair-wait:{self.pair}")


class SignInThrottle:
    def __init__(
        self,
        cache: CacheBackend,
        clock: Clock,
        policy: ThrottlePolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.cache = cache
        self.clock = clock
        self.policy = policy
        self._sleep = sleep

    def address_key(self, address_digest: str) -> str:
        # A fixed window per address, so the answer can say exactly when it ends.
        window = self.policy.address_window_seconds
        bucket = int(self.clock.now().timestamp() // window)
        return f"login:address-failures:{address_digest}:{bucket}"

    async def admit(self, account: str, address: str) -> SignInAttempt:
        """Let an attempt through, after slowing it if need be, or refuse it (RateLimited).

        Only one attempt per pair is checked at a time: a burst from one address at one
        account gets one guess, not as many as it sends at once."""
        attempt = SignInAttempt(self, account, address, known=False)
        pair = attempt.pair
        attempt.known = await self.cache.get(f"login:known:{pair}") is not None
        if not attempt.known:
            await self._refuse_a_spraying_address(attempt.address)
        wait_key = f"login:pair-wait:{pair}"
        if not await self.cache.set_if_absent(wait_key, _CHECKING, _CHECKING_SECONDS):
            raise self._backing_off(await self.cache.get(wait_key))
        if not attempt.known:
            failures = await self.cache.get(f"login:account-failures:{attempt.account}")
            delay = self.policy.account_delay_seconds(int(failures or 0))
            if delay > 0:
                await self._sleep(delay)
        return attempt

    async def _refuse_a_spraying_address(self, address_digest: str) -> None:
        failures = await self.cache.get(self.address_key(address_digest))
        if failures is None or int(failures) < self.policy.address_max_failures:
            return
        window = self.policy.address_window_seconds
        left = max(1, math.ceil(window - self.clock.now().timestamp() % window))
        raise RateLimited(
            "too many failed sign-ins from your network address; "
            f"wait {in_words(left)} before trying again",
            retry_after=left,
        )

    def _backing_off(self, stored: str | None) -> RateLimited:
        if stored is None or stored == _CHECKING:
            return RateLimited(
                "another sign-in to this account from your address is being checked; "
                "wait 1 second before trying again",
                retry_after=1,
            )
        try:
            until = float(stored)
        except ValueError:
            until = self.clock.now().timestamp() + 1
        left = max(1, math.ceil(until - self.clock.now().timestamp()))
        return RateLimited(
            "too many failed sign-ins to this account from your address; "
            f"wait {in_words(left)} before trying again",
            retry_after=left,
        )
