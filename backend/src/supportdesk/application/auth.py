"""Signing in and out: passwords, rotating refresh tokens, login rate limits."""

from __future__ import annotations

from dataclasses import dataclass, replace

from supportdesk.application.accounts import SignedInAccounts
from supportdesk.application.ports import (
    CacheBackend,
    Clock,
    PasswordHasher,
    TokenIssuer,
    TokenPair,
    UnitOfWork,
)
from supportdesk.domain.access import Role
from supportdesk.domain.errors import NotFound, RateLimited, Unauthenticated, ValidationFailed
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
        accounts: SignedInAccounts | None = None,
    ) -> None:
        self.uow = uow
        self.accounts = accounts
        self.cache = cache
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.limits = limits

    async def login(self, email: str, password: str, client: str) -> TokenPair:
        """A wrong password and an unknown email get the same answer in the same time.
        After too many failures per email or per client address, logins wait."""
        email = email.strip().lower()
        by_email, by_client = f"login-failures:email:{email}", f"login-failures:client:{client}"
        window = self.limits.window_seconds
        # Counting the attempt before checking the password means a concurrent burst gets
        # no more guesses than the limit; a successful sign-in clears the email's count.
        if await self.cache.incr(by_email, window) > self.limits.max_failures:
            raise RateLimited("too many failed sign-ins; try again later", retry_after=window)
        client_failures = await self.cache.get(by_client)
        if client_failures is not None and int(client_failures) >= self.limits.max_failures:
            raise RateLimited("too many failed sign-ins; try again later", retry_after=window)
        async with self.uow:
            user = await self.uow.users.by_email(email)
        valid = self.hasher.verify(
            password, user.password_hash if user else self.hasher.dummy_hash()
        )
        if user is None or not valid or not user.active:
            await self.cache.incr(by_client, window)
            raise Unauthenticated("wrong email or password")
        await self.cache.delete(by_email)
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

    async def create_user(
        self, *, email: str, name: str, role: Role, password: str, customer_id: str | None
    ) -> UserAccount:
        """Customers have a customer id and staff have none; an email is taken once,
        whatever its case."""
        if (role is Role.CUSTOMER) != bool(customer_id):
            raise ValidationFailed(
                "customers have a customer id and staff have none", field="customer_id"
            )
        user = UserAccount(
            id=new_id("usr"),
            email=email.strip().lower(),
            name=name,
            role=role,
            customer_id=customer_id,
            password_hash=self.hasher.hash(password),
            active=True,
            created_at=self.clock.now(),
        )
        async with self.uow:
            if await self.uow.users.by_email(user.email) is not None:
                raise ValidationFailed("a user with this email exists", field="email")
            await self.uow.users.add(user)
            await self.uow.commit()
        return user

    async def deactivate(self, user_id: str) -> UserAccount:
        """A deactivated user's tokens stop working at once: every request checks the
        account's standing, which this overwrites, and refreshing needs an active one."""
        async with self.uow:
            user = await self.uow.users.get(user_id)
            if user is None:
                raise NotFound(f"no user '{user_id}'")
            await self.uow.users.set_active(user_id, False)
            await self.uow.commit()
        user = replace(user, active=False)
        if self.accounts is not None:
            await self.accounts.changed(user)
        return user

    async def _issue(self, user: UserAccount, family_id: str) -> TokenPair:
        pair, _ = self.tokens.issue(user, family_id)
        return pair
