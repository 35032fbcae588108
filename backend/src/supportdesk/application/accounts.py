"""Whether a signed-in account may still act: a short-lived, shared record of each account's
standing, so that a request need not open a database transaction to know it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from supportdesk.application.ports import CacheBackend, UnitOfWork
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount

# The value of an account that may not act (deactivated, or not there at all).
_INACTIVE = "inactive"


def standing_key(user_id: str) -> str:
    """The cache key of the account's standing: a caller of ``SignedInAccounts.actor`` may
    read it with its own keys, in one round trip, and pass it on as ``cached``."""
    return f"account:{user_id}"


def _standing(user: UserAccount | None) -> str:
    """``role:customer_id:sessions_since`` of an active account (the last as a whole
    epoch second, or empty), ``inactive`` otherwise."""
    if user is None or not user.active:
        return _INACTIVE
    since = int(user.sessions_since.timestamp()) if user.sessions_since else ""
    return f"{user.role.value}:{user.customer_id or ''}:{since}"


class SignedInAccounts:
    """The token says who signs in and in what role; whether that account is still active
    in that role comes from the cache backend (shared by replicas when it is Redis), filled
    from the database and kept at most ``ttl_seconds``.

    A change of an account overwrites its entry when it commits, and a fill only adds an
    absent entry, so a fill that read the account just before a deactivation cannot put
    the old standing back: the deactivation counts at once, on every replica.
    """

    def __init__(
        self, reads: Callable[[], UnitOfWork], cache: CacheBackend, ttl_seconds: int
    ) -> None:
        """``reads``: a new unit of work for reading, made only when the cache misses."""
        self.reads = reads
        self.cache = cache
        self.ttl_seconds = ttl_seconds

    async def actor(
        self,
        user_id: str,
        role: Role,
        issued_at: datetime | None = None,
        *,
        cached: str | None = None,
    ) -> Actor:
        """The acting account, or Unauthenticated when it is inactive, unknown, no longer
        has the role its token was issued for, or its sign-ins all ended (a password
        reset) after the token was issued. ``cached``: the standing at ``standing_key(user_id)``,
        if the caller already read it."""
        key = standing_key(user_id)
        standing = cached if cached is not None else await self.cache.get(key)
        if standing is None:
            async with self.reads() as reads:
                standing = _standing(await reads.users.get(user_id))
            if not await self.cache.set_if_absent(key, standing, self.ttl_seconds):
                # A change of the account got there first; it knows better than our read.
                standing = await self.cache.get(key) or standing
        if standing == _INACTIVE:
            raise Unauthenticated("the account is not active")
        current_role, _, rest = standing.partition(":")
        customer_id, _, since = rest.partition(":")
        if current_role != role.value:
            raise Unauthenticated("the account's role has changed; sign in again")
        if since and (issued_at is None or issued_at.timestamp() < int(since)):
            raise Unauthenticated("the password was changed since this sign-in; sign in again")
        return Actor(id=user_id, role=role, customer_id=customer_id or None)

    async def changed(self, user: UserAccount) -> None:
        """Record an account's new standing; call it once the change is committed."""
        await self.cache.set(standing_key(user.id), _standing(user), self.ttl_seconds)
