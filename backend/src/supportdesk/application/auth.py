"""Signing in and out: passwords, rotating refresh tokens, login rate limits."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.application.ports import (
    CacheBackend,
    Clock,
    PasswordHasher,
    TokenIssuer,
    TokenPair,
    UnitOfWork,
)
from supportdesk.domain.errors import RateLimited, Unauthenticated
from supportdesk.domain.events import new_id
from supportdesk.domain.users import UserAccount

# Verifying against this keeps an unknown email as slow as a wrong password.
_DUMMY_PASSWORD = "not-the-password-of-anyone"


@dataclass(frozen=True, slots=True)
class LoginLimits:
    max_failures: int
    window_seconds: int
    refresh_ttl_seconds: int


class AuthService:
    """Use cases of signing in: login, refresh with rotation and reuse detection, logout."""

    def __init__(
        self,
        uow: UnitOfWork,
        cache: CacheBackend,
        tokens: TokenIssuer,
        hasher: PasswordHasher,
        clock: Clock,
        limits: LoginLimits,
    ) -> None:
        self.uow = uow
        self.cache = cache
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.limits = limits
        self._dummy_hash: str | None = None

    async def login(self, email: str, password: str, client: str) -> TokenPair:
        """A wrong password and an unknown email get the same answer in the same time.
        After too many failures per email or per client address, logins wait."""
        email = email.strip().lower()
        keys = (f"login-failures:email:{email}", f"login-failures:client:{client}")
        for key in keys:
            failures = await self.cache.get(key)
            if failures is not None and int(failures) >= self.limits.max_failures:
                raise RateLimited(
                    "too many failed sign-ins; try again later",
                    retry_after=self.limits.window_seconds,
                )
        async with self.uow:
            user = await self.uow.users.by_email(email)
        valid = self.hasher.verify(password, user.password_hash if user else self._dummy())
        if user is None or not valid or not user.active:
            for key in keys:
                await self.cache.incr(key, self.limits.window_seconds)
            raise Unauthenticated("wrong email or password")
        await self.cache.delete(keys[0])
        return await self._issue(user, family_id=new_id("fam"))

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Each refresh token works once. Presenting a used one revokes its whole family:
        somebody else has a copy."""
        claims = self.tokens.read_refresh(refresh_token)
        if await self.cache.get(f"family-revoked:{claims.family_id}") is not None:
            raise Unauthenticated("this sign-in was ended; sign in again")
        ttl = self.limits.refresh_ttl_seconds
        first_use = await self.cache.set_if_absent(f"refresh-used:{claims.token_id}", "1", ttl)
        if not first_use:
            await self.cache.set(f"family-revoked:{claims.family_id}", "reuse", ttl)
            raise Unauthenticated("this refresh token was already used; sign in again")
        async with self.uow:
            user = await self.uow.users.get(claims.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the account is not active")
        return await self._issue(user, family_id=claims.family_id)

    async def logout(self, refresh_token: str | None) -> None:
        """Ends the sign-in: the refresh token (and its family) stops working."""
        if not refresh_token:
            return
        try:
            claims = self.tokens.read_refresh(refresh_token)
        except Unauthenticated:
            return
        await self.cache.set(
            f"family-revoked:{claims.family_id}", "logout", self.limits.refresh_ttl_seconds
        )

    async def _issue(self, user: UserAccount, family_id: str) -> TokenPair:
        pair, _ = self.tokens.issue(user, family_id)
        return pair

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(_DUMMY_PASSWORD)
        return self._dummy_hash
