"""Links by mail: a customer signs in with an order number and the email on the order, and
anyone with a password resets it (docs/sign-in.md).

Asking for a link never says whether the email or the order exists: the request only
checks its own shape and the client's request budget, answers, and does the rest (the
lookups, the mail) afterwards, outside the request, so that known and unknown emails get
the same answer in the same time. A link is a signed token for one purpose that works
once, until it expires; it lives nowhere but in the mail.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from typing import Any

import structlog

from supportdesk.application.accounts import SignedInAccounts
from supportdesk.application.ports import (
    AccountMail,
    CacheBackend,
    Clock,
    LinkClaims,
    LinkTokens,
    OrderSystem,
    OrderSystemUnavailable,
    PasswordHasher,
    PasswordPolicy,
    TokenIssuer,
    TokenPair,
    UnitOfWork,
)
from supportdesk.domain.access import Role
from supportdesk.domain.errors import (
    EmailTaken,
    InvalidLink,
    NotFound,
    RateLimited,
    UpstreamUnavailable,
    ValidationFailed,
)
from supportdesk.domain.events import new_id
from supportdesk.domain.notifications import Person
from supportdesk.domain.users import UserAccount

log = structlog.get_logger(__name__)

ORDER_LINK = "order-link"
PASSWORD_RESET = "password-reset"
HOUR = 3600


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    sign_in_link_ttl_seconds: int = 900
    password_reset_ttl_seconds: int = 1800
    mails_per_email_per_hour: int = 3
    requests_per_address_per_hour: int = 20


def _digest(*parts: str) -> str:
    """Cache keys name people by a digest, never by their email."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def _fingerprint(password_hash: str) -> str:
    """Names the password a reset link was made for: once it changes, the link is spent."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class DetachedTasks:
    """Work that goes on after the answer was sent. Kept referenced until done (the event
    loop holds tasks weakly), its failures logged, and awaited at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("detached_task_failed", exc_info=task.exception())

    async def drain(self, most_seconds: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=most_seconds)


class AccountLinks:
    """Sign-in links for an order's customer and password resets."""

    def __init__(
        self,
        uow: UnitOfWork,
        cache: CacheBackend,
        orders: OrderSystem,
        links: LinkTokens,
        tokens: TokenIssuer,
        hasher: PasswordHasher,
        passwords: PasswordPolicy,
        mail: AccountMail,
        clock: Clock,
        policy: LinkPolicy,
        detached: DetachedTasks,
        accounts: SignedInAccounts | None = None,
    ) -> None:
        self.uow = uow
        self.cache = cache
        self.orders = orders
        self.links = links
        self.tokens = tokens
        self.hasher = hasher
        self.passwords = passwords
        self.mail = mail
        self.clock = clock
        self.policy = policy
        self.detached = detached
        self.accounts = accounts

    # --- asking for a link ------------------------------------------------------------

    async def request_order_link(self, order_id: str, email: str, client: str) -> None:
        """Mails a sign-in link to ``email`` if it is the email on the order; says nothing
        either way. 429 once the client address asked too often."""
        email = email.strip().lower()
        await self._admit(client)
        self.detached.spawn(self._send_order_link(order_id.strip(), email))

    async def request_password_reset(self, email: str, client: str) -> None:
        """Mails a reset link to ``email`` if an active account has it; says nothing
        either way. 429 once the client address asked too often."""
        email = email.strip().lower()
        await self._admit(client)
        self.detached.spawn(self._send_reset_to(email))

    async def send_password_reset(self, user_id: str) -> None:
        """An admin sends a user a reset link (the user's own mailbox decides who uses it).
        Counted against the user's mails an hour like any other request."""
        async with self.uow:
            user = await self.uow.users.get(user_id)
        if user is None:
            raise NotFound(f"no user '{user_id}'")
        if not user.active:
            raise ValidationFailed(
                "the user is deactivated: reactivate them before sending a reset link",
                field="user_id",
            )
        if not await self._mail_allowed(PASSWORD_RESET, user.email):
            raise RateLimited(
                f"{self.policy.mails_per_email_per_hour} reset mails went to this user in the "
                "last hour; wait before sending another",
                retry_after=HOUR,
            )
        await self._mail_reset(user)

    async def _admit(self, client: str) -> None:
        count = await self.cache.incr(f"links:address:{_digest(client)}", HOUR)
        if count > self.policy.requests_per_address_per_hour:
            raise RateLimited(
                "too many links were asked for from this address; try again in an hour",
                retry_after=HOUR,
            )

    async def _mail_allowed(self, purpose: str, email: str) -> bool:
        """A flood of requests for one address sends it a few mails an hour, no more."""
        count = await self.cache.incr(f"links:mails:{purpose}:{_digest(email)}", HOUR)
        return count <= self.policy.mails_per_email_per_hour

    async def _send_order_link(self, order_id: str, email: str) -> None:
        if not await self._mail_allowed(ORDER_LINK, email):
            return
        try:
            order = await self.orders.get_order(order_id)
        except OrderSystemUnavailable:
            log.warning("sign_in_link_not_sent", reason="order system unavailable")
            return
        if order is None or order.customer is None:
            return
        customer = order.customer
        if customer.email.strip().lower() != email:
            return
        ttl = self.policy.sign_in_link_ttl_seconds
        token = self.links.issue(ORDER_LINK, {"email": email, "order_id": order.id}, ttl)
        async with self.uow:
            user = await self.uow.users.by_customer_id(customer.id)
        to = Person(id=user.id if user else customer.id, email=email, name=customer.name)
        await self.mail.sign_in_link(to, f"/sign-in/link#token={token}", order.id, ttl // 60)

    async def _send_reset_to(self, email: str) -> None:
        if not await self._mail_allowed(PASSWORD_RESET, email):
            return
        async with self.uow:
            user = await self.uow.users.by_email(email)
        if user is not None and user.active:
            await self._mail_reset(user)

    async def _mail_reset(self, user: UserAccount) -> None:
        ttl = self.policy.password_reset_ttl_seconds
        token = self.links.issue(
            PASSWORD_RESET, {"user_id": user.id, "pw": _fingerprint(user.password_hash)}, ttl
        )
        to = Person(id=user.id, email=user.email, name=user.name)
        await self.mail.password_reset(to, f"/reset-password#token={token}", ttl // 60)

    # --- using a link -----------------------------------------------------------------

    async def redeem_order_link(self, token: str) -> TokenPair:
        """The usual token pair for the order's customer; the first sign-in creates her
        account from the order system's customer data. An email that already belongs to
        someone else's account (staff, or another customer) does not sign in by order."""
        link = self.links.read(ORDER_LINK, token)
        email, order_id = link.claims["email"], link.claims["order_id"]
        try:
            order = await self.orders.get_order(order_id)
        except OrderSystemUnavailable:
            raise UpstreamUnavailable("the shop's order system is not answering") from None
        customer = order.customer if order is not None else None
        if customer is None or customer.email.strip().lower() != email:
            raise InvalidLink("this link no longer matches the order; ask for a new one")
        await self._use_once(link)
        user = await self._customer_account(customer.id, customer.name, email)
        if not user.active:
            raise InvalidLink("this account is deactivated; contact the shop's support")
        pair, _ = self.tokens.issue(user, new_id("fam"))
        return pair

    async def _customer_account(self, customer_id: str, name: str, email: str) -> UserAccount:
        async with self.uow:
            user = await self.uow.users.by_customer_id(customer_id)
            if user is not None:
                return user
            if await self.uow.users.by_email(email) is not None:
                raise InvalidLink(
                    "this email belongs to another account: sign in with its password"
                )
            user = UserAccount(
                id=new_id("usr"),
                email=email,
                name=name,
                role=Role.CUSTOMER,
                customer_id=customer_id,
                # No password until she sets one (a reset link): nobody knows this one.
                password_hash=self.hasher.hash(secrets.token_urlsafe(32)),
                active=True,
                created_at=self.clock.now(),
            )
            try:
                await self.uow.users.add(user)
            except EmailTaken:
                raise InvalidLink(
                    "this email belongs to another account: sign in with its password"
                ) from None
            await self.uow.commit()
        return user

    async def reset_password(self, token: str, password: str) -> None:
        """Sets the new password and ends every sign-in of the user. A password that may
        not be chosen is refused (422 naming ``password``) without spending the link."""
        link = self.links.read(PASSWORD_RESET, token)
        async with self.uow:
            user = await self.uow.users.get(link.claims["user_id"])
        if user is None or not user.active:
            raise InvalidLink("this link is for an account that is no longer active")
        if _fingerprint(user.password_hash) != link.claims["pw"]:
            raise InvalidLink("this link was already used; ask for a new one")
        problem = self.passwords.problem(password, about=(user.email, user.name))
        if problem:
            raise ValidationFailed(problem, field="password")
        await self._use_once(link)
        now = self.clock.now()
        password_hash = self.hasher.hash(password)
        async with self.uow:
            await self.uow.users.set_password(user.id, password_hash, sessions_since=now)
            await self.uow.commit()
        if self.accounts is not None:
            await self.accounts.changed(
                replace(user, password_hash=password_hash, sessions_since=now)
            )

    async def _use_once(self, link: LinkClaims) -> None:
        remaining = int((link.expires_at - self.clock.now()).total_seconds()) + 1
        if not await self.cache.set_if_absent(f"links:used:{link.token_id}", "1", remaining):
            raise InvalidLink("this link was already used; ask for a new one")
