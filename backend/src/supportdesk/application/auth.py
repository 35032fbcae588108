"""Signing in and out (passwords, rotating refresh tokens, sign-in throttling), who is
signed in, and the users admins manage."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from supportdesk.application.accounts import SignedInAccounts, standing_key
from supportdesk.application.ports import (
    AccessClaims,
    CacheBackend,
    Clock,
    IdentityProvider,
    PasswordHasher,
    TokenIssuer,
    TokenPair,
    UnitOfWork,
)
from supportdesk.application.sign_in_throttle import SignInThrottle, ThrottlePolicy
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import (
    EmailTaken,
    Forbidden,
    LastAdmin,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from supportdesk.domain.events import new_id
from supportdesk.domain.notifications import NotificationSettings
from supportdesk.domain.users import UserAccount


def ended_sign_in_key(family_id: str) -> str:
    """Marks a sign-in (a refresh-token family) as ended: by logout or by a reused refresh
    token. Its refresh tokens and the access tokens naming it (``sid``) stop working."""
    return f"family-revoked:{family_id}"


def revocation_key(claims: AccessClaims) -> str:
    """Where a logout marks an access token as ended: its whole sign-in when it names one,
    else (tokens issued before access tokens named their sign-in) the token alone."""
    if claims.session_id:
        return ended_sign_in_key(claims.session_id)
    return f"access-revoked:{claims.token_id}"


@dataclass(frozen=True, slots=True)
class Person:
    """Who is signed in, as the web app greets them."""

    id: str
    email: str
    name: str
    role: Role
    customer_id: str | None


@dataclass(frozen=True, slots=True)
class LoginLimits:
    throttle: ThrottlePolicy
    refresh_ttl_seconds: int
    refresh_reuse_grace_seconds: int = 0


class SignedIn:
    """Who a token signs in, and until when (``AuthService.signed_in``), on its own: every
    signed-in request asks, and building an ``AuthService`` for it (its units of work, its
    throttle) was a thirtieth of the CPU of a GET of a case."""

    def __init__(
        self,
        tokens: TokenIssuer,
        cache: CacheBackend,
        accounts: SignedInAccounts | None,
        identity_provider: IdentityProvider | None,
    ) -> None:
        self.tokens = tokens
        self.cache = cache
        self.accounts = accounts
        self.identity_provider = identity_provider

    async def __call__(self, access_token: str) -> tuple[Actor, datetime]:
        idp = self.identity_provider
        if idp is not None and idp.configured and not self.tokens.is_ours(access_token):
            claims = idp.read_access(access_token)
            return claims.actor, claims.expires_at
        ours = self.tokens.read_access(access_token)
        if self.accounts is None:
            if await self.cache.get(revocation_key(ours)) is not None:
                raise Unauthenticated("this sign-in was ended; sign in again")
            return ours.actor, ours.expires_at
        # The revocation and the account's standing in one read: every signed-in request
        # makes it, and two were two round trips to Redis.
        revoked, standing = await self.cache.get_many(
            revocation_key(ours), standing_key(ours.user_id)
        )
        if revoked is not None:
            raise Unauthenticated("this sign-in was ended; sign in again")
        actor = await self.accounts.actor(ours.user_id, ours.role, ours.issued_at, cached=standing)
        return actor, ours.expires_at


class AuthService:
    """Use cases of signing in (login, refresh with rotation and reuse detection, logout,
    who is calling) and of the users admins manage."""

    def __init__(
        self,
        uow: UnitOfWork,
        cache: CacheBackend,
        tokens: TokenIssuer,
        hasher: PasswordHasher,
        clock: Clock,
        limits: LoginLimits,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        accounts: SignedInAccounts | None = None,
        *,
        reads: UnitOfWork | None = None,
        identity_provider: IdentityProvider | None = None,
    ) -> None:
        self.uow = uow
        self.reads = reads or uow
        self.identity_provider = identity_provider
        self.accounts = accounts
        self.cache = cache
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.limits = limits
        self.throttle = SignInThrottle(cache, clock, limits.throttle, sleep)

    async def login(self, email: str, password: str, client: str) -> TokenPair:
        """A wrong password and an unknown email get the same answer in the same time.
        Failures slow down the (email, address) pair that made them, refuse an address that
        sprays many accounts, and slow guesses at one account from unfamiliar addresses;
        the right password is never refused because of someone else's failures."""
        email = email.strip().lower()
        attempt = await self.throttle.admit(email, client)
        try:
            async with self.uow:
                user = await self.uow.users.by_email(email)
            valid = self.hasher.verify(
                password, user.password_hash if user else self.hasher.dummy_hash()
            )
        except BaseException:
            await attempt.abandoned()
            raise
        if user is None or not valid or not user.active:
            await attempt.failed()
            raise Unauthenticated("wrong email or password")
        await attempt.succeeded()
        return await self._issue(user, family_id=new_id("fam"))

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Each refresh token works once. Presenting a used one revokes its whole family:
        somebody else has a copy. Except within ``refresh_reuse_grace_seconds`` of its first
        use: two tabs of one browser refreshing at the same moment (or a retry of a refresh
        whose answer was lost) present one token together, and each gets a pair of the same
        sign-in rather than all of them being signed out, the first included."""
        claims = self.tokens.read_refresh(refresh_token)
        if await self.cache.get(ended_sign_in_key(claims.family_id)) is not None:
            raise Unauthenticated("this sign-in was ended; sign in again")
        ttl = self.limits.refresh_ttl_seconds
        used = f"refresh-used:{claims.token_id}"
        now = self.clock.now().timestamp()
        first_use = await self.cache.set_if_absent(used, f"{now:.3f}", ttl)
        if not first_use and not self._within_grace(await self.cache.get(used), now):
            await self.cache.set(ended_sign_in_key(claims.family_id), "reuse", ttl)
            raise Unauthenticated("this refresh token was already used; sign in again")
        async with self.uow:
            user = await self.uow.users.get(claims.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the account is not active")
        if not user.signs_in(claims.issued_at):
            raise Unauthenticated("the password was changed since this sign-in; sign in again")
        return await self._issue(user, family_id=claims.family_id)

    def _within_grace(self, first_used_at: str | None, now: float) -> bool:
        grace = self.limits.refresh_reuse_grace_seconds
        try:
            return grace > 0 and now - float(first_used_at or "") <= grace
        except ValueError:  # marked used before the grace existed
            return False

    async def authenticate(self, access_token: str) -> Actor:
        """Who calls with this token (see ``signed_in``)."""
        actor, _ = await self.signed_in(access_token)
        return actor

    async def signed_in(self, access_token: str) -> tuple[Actor, datetime]:
        """Who a token signs in, and until when; Unauthenticated if it does not (any more).
        Ours must not belong to an ended sign-in, and its account must still be active in
        the token's role (which the cache backend knows without a transaction); a token of
        the shop's identity provider is taken with the role it names. A long-lived request
        (the live-update stream) asks again now and then."""
        check = SignedIn(self.tokens, self.cache, self.accounts, self.identity_provider)
        return await check(access_token)

    async def logout(self, access_token: str, refresh_token: str | None) -> None:
        """Ends the sign-in the access token belongs to: every refresh token of its family
        and every access token naming it stop working, with or without a body. A refresh
        token sent along ends its own sign-in too (whoever holds it could use it anyway).
        An access token of ours from before tokens named their sign-in is ended alone; one
        of the identity provider is the provider's to end."""
        session_id = None
        if self.tokens.is_ours(access_token):
            claims = self.tokens.read_access(access_token)
            session_id = claims.session_id
            if session_id is None:
                remaining = (claims.expires_at - self.clock.now()).total_seconds()
                await self.cache.set(revocation_key(claims), "logout", max(int(remaining), 1))
        families = {session_id} if session_id else set()
        if refresh_token:
            with contextlib.suppress(Unauthenticated):
                families.add(self.tokens.read_refresh(refresh_token).family_id)
        for family_id in families:
            await self.cache.set(
                ended_sign_in_key(family_id), "logout", self.limits.refresh_ttl_seconds
            )

    async def me(self, actor: Actor) -> Person:
        """The signed-in person. Someone signed in through the shop's identity provider has
        no account here: they are named by their customer id."""
        async with self.reads:
            user = await self.reads.users.get(actor.id)
        if user is None:
            return Person(
                id=actor.id,
                email="",
                name=actor.customer_id or actor.id,
                role=actor.role,
                customer_id=actor.customer_id,
            )
        return Person(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            customer_id=user.customer_id,
        )

    async def users(self) -> Sequence[UserAccount]:
        """Every user, active or not, for the admins who manage them."""
        async with self.reads:
            return await self.reads.users.list()

    async def staff(self) -> list[UserAccount]:
        """The active support staff: whom a case can be assigned to."""
        async with self.reads:
            users = await self.reads.users.list()
        return [user for user in users if user.actor.is_staff and user.active]

    async def create_user(
        self, *, email: str, name: str, role: Role, password: str, customer_id: str | None
    ) -> UserAccount:
        """Customers have a customer id and staff have none; an email is taken once,
        whatever its case (409 ``email_taken``, also when two admins race for it)."""
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
                raise EmailTaken("a user with this email exists")
            await self.uow.users.add(user)
            await self.uow.commit()
        return user

    async def deactivate(self, user_id: str) -> UserAccount:
        """A deactivated user's tokens stop working at once: every request checks the
        account's standing, which this overwrites, and refreshing needs an active one. The last
        active admin stays: somebody
        must be able to manage users (409 ``last_admin``, also when two admins deactivate
        each other at once, as the active admins are locked while counted)."""
        async with self.uow:
            user = await self.uow.users.get(user_id)
            if user is None:
                raise NotFound(f"no user '{user_id}'")
            last_admin = (
                user.role is Role.ADMIN
                and user.active
                and not await self.uow.users.active_admin_ids() - {user.id}
            )
            if last_admin:
                raise LastAdmin("the last active admin cannot be deactivated")
            await self.uow.users.set_active(user_id, False)
            await self.uow.commit()
        user = replace(user, active=False)
        if self.accounts is not None:
            await self.accounts.changed(user)
        return user

    async def change_role(self, user_id: str, role: Role) -> UserAccount:
        """Staff move between agent, supervisor and admin; a customer's account belongs to
        a customer of the shop and stays one (422 naming ``role``). The user's tokens of the
        old role stop working at once ("the account's role has changed; sign in again"),
        and the last active admin stays one (409 ``last_admin``, locked as in
        ``deactivate``)."""
        async with self.uow:
            user = await self.uow.users.get(user_id)
            if user is None:
                raise NotFound(f"no user '{user_id}'")
            if (user.role is Role.CUSTOMER) != (role is Role.CUSTOMER):
                raise ValidationFailed(
                    "a customer's account stays a customer's and staff stay staff: "
                    "create a new account instead",
                    field="role",
                )
            if user.role is role:
                return user
            last_admin = (
                user.role is Role.ADMIN
                and user.active
                and not await self.uow.users.active_admin_ids() - {user.id}
            )
            if last_admin:
                raise LastAdmin("the last active admin cannot stop being an admin")
            await self.uow.users.set_role(user_id, role)
            await self.uow.commit()
        user = replace(user, role=role)
        if self.accounts is not None:
            await self.accounts.changed(user)
        return user

    async def reactivate(self, user_id: str) -> UserAccount:
        """A deactivated user may sign in again; tokens they held keep working only while
        they have not expired."""
        async with self.uow:
            user = await self.uow.users.get(user_id)
            if user is None:
                raise NotFound(f"no user '{user_id}'")
            await self.uow.users.set_active(user_id, True)
            await self.uow.commit()
        user = replace(user, active=True)
        if self.accounts is not None:
            await self.accounts.changed(user)
        return user

    async def notification_settings(self, actor: Actor) -> NotificationSettings:
        """Staff choose which mails they get; customers' mails are the shop's to switch
        (403 for a customer)."""
        self._require_staff(actor)
        async with self.reads:
            return await self.reads.notification_settings.get(actor.id)

    async def change_notification_settings(
        self,
        actor: Actor,
        *,
        case_replies: bool | None = None,
        new_unassigned: bool | None = None,
        supervisor_approvals: bool | None = None,
    ) -> NotificationSettings:
        """A staff member changes any of their own choices; the others stay. Only those
        who approve refunds above the threshold choose mails about them (422 for others:
        an agent's switch would change nothing, as agents are never asked)."""
        self._require_staff(actor)
        if supervisor_approvals is not None and not actor.may_approve_above_threshold:
            raise ValidationFailed(
                "only supervisors and admins get mails about refunds waiting for a supervisor",
                field="supervisor_approvals",
            )
        async with self.uow:
            current = await self.uow.notification_settings.get(actor.id)
            chosen = current.changed(
                case_replies=case_replies,
                new_unassigned=new_unassigned,
                supervisor_approvals=supervisor_approvals,
            )
            if chosen != current:
                await self.uow.notification_settings.save(actor.id, chosen, self.clock.now())
                await self.uow.commit()
        return chosen

    @staticmethod
    def _require_staff(actor: Actor) -> None:
        if not actor.is_staff:
            raise Forbidden("notification settings are for support staff")

    async def _issue(self, user: UserAccount, family_id: str) -> TokenPair:
        pair, _ = self.tokens.issue(user, family_id)
        return pair
