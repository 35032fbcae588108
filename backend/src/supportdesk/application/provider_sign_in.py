"""Signing in through the shop's identity provider (OpenID Connect), and ending those
sign-ins when the person signs out there (back-channel logout).

The browser never holds a token of the provider: this service keeps the sign-in's secrets
(state, nonce, PKCE verifier) in the cache backend while the person is at the provider,
and hands the web app a one-time code it trades for our own token pair, as a password
sign-in would get (docs/identity-provider.md).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from supportdesk.application.auth import ended_sign_in_key
from supportdesk.application.ports import (
    CacheBackend,
    Clock,
    OpenIdProvider,
    PasswordHasher,
    ProviderIdentity,
    ProviderRefused,
    TokenIssuer,
    TokenPair,
    UnitOfWork,
)
from supportdesk.domain.access import Role
from supportdesk.domain.errors import EmailTaken, Unauthenticated, ValidationFailed
from supportdesk.domain.events import new_id
from supportdesk.domain.users import UserAccount

# The person has this long at the provider (signing in, perhaps resetting a password).
PENDING_SECONDS = 600
# The web app trades the one-time code at once; a code found later in a history is dead.
CODE_SECONDS = 60
NEXT_MAX_LENGTH = 2000


class SignInNotFinished(Exception):
    """A sign-in through the provider that cannot go on. ``reason`` is a stable word the
    web app's error page explains (``expired``, ``denied``, ``provider_error`` …)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def same_site_path(next_path: str | None) -> str:
    """Where to go after signing in: a path of this site, never another site (``//host``,
    ``/\\host`` and ``https://…`` are other sites to a browser, which also drops tabs and
    line breaks from a URL, so ``/<tab>/host`` is one too). 422 otherwise."""
    if not next_path:
        return "/"
    if (
        len(next_path) > NEXT_MAX_LENGTH
        or not next_path.startswith("/")
        or next_path.startswith(("//", "/\\"))
        or "\\" in next_path
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in next_path)
    ):
        raise ValidationFailed("next must be a path of this site, such as /cases", field="next")
    return next_path


@dataclass(frozen=True, slots=True)
class Started:
    """Where to send the browser, and the browser's binding to remember in a cookie."""

    authorization_url: str
    browser_binding: str


@dataclass(frozen=True, slots=True)
class Finished:
    """The one-time code for the web app, and where the person wanted to go."""

    code: str
    next_path: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class ProviderSignInService:
    """Use cases of signing in through the shop's identity provider: start, finish (the
    provider's answer), redeem (the web app's one-time code), and the provider's sign-out."""

    def __init__(
        self,
        provider: OpenIdProvider,
        uow: UnitOfWork,
        cache: CacheBackend,
        tokens: TokenIssuer,
        hasher: PasswordHasher,
        clock: Clock,
        *,
        issuer: str,
        redirect_uri: str,
        refresh_ttl_seconds: int,
    ) -> None:
        self.provider = provider
        self.uow = uow
        self.cache = cache
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.issuer = issuer
        self.redirect_uri = redirect_uri
        self.refresh_ttl_seconds = refresh_ttl_seconds

    async def start(self, next_path: str | None, browser_binding: str | None) -> Started:
        """A sign-in's state, nonce and PKCE verifier stay here, for ten minutes and one
        answer; the state is bound to the browser that started it (a cookie), so that a
        provider's answer meant for one browser cannot sign in another."""
        next_path = same_site_path(next_path)
        binding = browser_binding or secrets.token_urlsafe(32)
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
        url = await self.provider.authorization_url(
            state=state, nonce=nonce, code_verifier=verifier, redirect_uri=self.redirect_uri
        )
        pending = {
            "nonce": nonce,
            "verifier": verifier,
            "next": next_path,
            "browser": _digest(binding),
        }
        await self.cache.set(f"oidc-state:{_digest(state)}", json.dumps(pending), PENDING_SECONDS)
        return Started(url, binding)

    async def finish(
        self,
        *,
        state: str | None,
        code: str | None,
        error: str | None,
        browser_binding: str | None,
    ) -> Finished:
        """The provider's answer. Each state is answered once, by the browser that started
        it; the code is exchanged with the verifier, and the ID token must be the
        provider's, for us, with this sign-in's nonce. The person becomes our account of
        that email (same role and customer), or a new customer account; staff need an
        account made by an admin. SignInNotFinished says why not."""
        if not state:
            raise SignInNotFinished("expired", "the provider's answer names no sign-in")
        key = _digest(state)
        if not await self.cache.set_if_absent(f"oidc-state-used:{key}", "1", PENDING_SECONDS):
            raise SignInNotFinished("expired", "this sign-in was answered already")
        raw = await self.cache.get(f"oidc-state:{key}")
        await self.cache.delete(f"oidc-state:{key}")
        if raw is None:
            raise SignInNotFinished("expired", "no such sign-in, or it expired")
        pending = json.loads(raw)
        if browser_binding is None or _digest(browser_binding) != pending["browser"]:
            raise SignInNotFinished("expired", "the sign-in was started in another browser")
        if error is not None:
            reason = "denied" if error == "access_denied" else "provider_error"
            raise SignInNotFinished(reason, f"the provider answered {error[:100]!r}")
        if not code:
            raise SignInNotFinished("provider_error", "the provider's answer has no code")
        try:
            identity = await self.provider.identity(
                code=code,
                code_verifier=pending["verifier"],
                redirect_uri=self.redirect_uri,
                nonce=pending["nonce"],
            )
        except ProviderRefused as exc:
            raise SignInNotFinished(exc.reason, str(exc)) from None
        account = await self._account_for(identity)
        family_id = new_id("fam")
        await self._remember_provider_sign_in(identity, family_id)
        one_time = secrets.token_urlsafe(32)
        await self.cache.set(
            f"oidc-code:{_digest(one_time)}",
            json.dumps({"user": account.id, "family": family_id}),
            CODE_SECONDS,
        )
        return Finished(one_time, pending["next"])

    async def redeem(self, code: str) -> TokenPair:
        """A one-time code works once, within a minute, for the sign-in it was made for:
        our own token pair, of a sign-in the provider's sign-out can end."""
        key = _digest(code)
        if not await self.cache.set_if_absent(f"oidc-code-used:{key}", "1", CODE_SECONDS):
            raise Unauthenticated("this sign-in code was used already; sign in again")
        raw = await self.cache.get(f"oidc-code:{key}")
        await self.cache.delete(f"oidc-code:{key}")
        if raw is None:
            raise Unauthenticated("this sign-in code is unknown or expired; sign in again")
        made = json.loads(raw)
        if await self.cache.get(ended_sign_in_key(made["family"])) is not None:
            raise Unauthenticated("you signed out at the provider; sign in again")
        async with self.uow:
            user = await self.uow.users.get(made["user"])
        if user is None or not user.active:
            raise Unauthenticated("the account is not active")
        pair, _ = self.tokens.issue(user, made["family"])
        return pair

    async def provider_signed_out(self, logout_token: str) -> int:
        """The provider says a person signed out there (back-channel logout): every sign-in
        here that started from that provider sign-in (``sid``), or of that person when it
        names only them (``sub``), ends at once, as a logout here would end it. A token
        sent again changes nothing. Answers how many sign-ins ended."""
        signed_out = await self.provider.sign_out(logout_token)
        first = await self.cache.set_if_absent(
            f"oidc-logout:{_digest(signed_out.token_id)}", "1", self.refresh_ttl_seconds
        )
        if not first:
            return 0
        if signed_out.session_id is not None:
            families = await self._families(f"sid:{signed_out.session_id}")
        else:
            assert signed_out.subject is not None  # the adapter wants one of the two
            families = await self._families(f"sub:{signed_out.subject}")
        for family_id in families:
            await self.cache.set(
                ended_sign_in_key(family_id), "provider-logout", self.refresh_ttl_seconds
            )
        return len(families)

    async def _account_for(self, identity: ProviderIdentity) -> UserAccount:
        if not identity.email:
            raise SignInNotFinished("no_email", "the provider shared no email address")
        if identity.email_verified is False:
            raise SignInNotFinished("email_not_verified", "the provider's email is unverified")
        email = identity.email.strip().lower()
        async with self.uow:
            account = await self.uow.users.by_email(email)
        if account is None and identity.role is Role.CUSTOMER:
            account = await self._new_customer(identity, email)
        if account is None:
            raise SignInNotFinished("no_account", "staff sign in with an account an admin made")
        if not account.active:
            raise SignInNotFinished("account_inactive", "the account is deactivated")
        if account.role is not identity.role or account.customer_id != identity.customer_id:
            # The same email as another role or customer here: taking either side's word
            # could hand someone a role or a customer's data that is not theirs.
            raise SignInNotFinished("account_mismatch", "the provider and the account disagree")
        return account

    async def _new_customer(self, identity: ProviderIdentity, email: str) -> UserAccount:
        """A customer the provider knows and we do not gets an account on first sign-in,
        with no password of its own (signing in with one needs a password reset)."""
        account = UserAccount(
            id=new_id("usr"),
            email=email,
            name=(identity.name or email.split("@")[0])[:200],
            role=Role.CUSTOMER,
            customer_id=identity.customer_id,
            password_hash=self.hasher.hash(secrets.token_urlsafe(32)),
            active=True,
            created_at=self.clock.now(),
        )
        try:
            async with self.uow:
                await self.uow.users.add(account)
                await self.uow.commit()
        except EmailTaken:  # a second tab finished first: its account is this person's
            async with self.uow:
                taken = await self.uow.users.by_email(email)
            if taken is None:
                raise
            return taken
        return account

    async def _remember_provider_sign_in(self, identity: ProviderIdentity, family_id: str) -> None:
        """Which of our sign-ins a provider's sign-out ends: by its session and by its
        person. A counter gives each one a key of its own, so that two sign-ins at once
        are both remembered; the counter outlives the sign-ins it numbers."""
        names = [f"sub:{identity.subject}"]
        if identity.session_id is not None:
            names.append(f"sid:{identity.session_id}")
        for name in names:
            key = f"oidc-session:{_digest(self.issuer + chr(0) + name)}"
            number = await self.cache.incr(f"{key}:count", 2 * self.refresh_ttl_seconds)
            await self.cache.set(f"{key}:{number}", family_id, self.refresh_ttl_seconds)

    async def _families(self, name: str) -> list[str]:
        key = f"oidc-session:{_digest(self.issuer + chr(0) + name)}"
        count = int(await self.cache.get(f"{key}:count") or 0)
        families = []
        for number in range(1, count + 1):
            family_id = await self.cache.get(f"{key}:{number}")
            if family_id is not None:
                families.append(family_id)
        return families
