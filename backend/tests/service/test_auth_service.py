"""AuthService's use cases of who is calling: authenticate, logout, /me and the staff list,
against in-memory fakes of the ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supportdesk.application.auth import AuthService, LoginLimits
from supportdesk.application.ports import AccessClaims, RefreshClaims, TokenPair
from supportdesk.application.sign_in_throttle import ThrottlePolicy
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.cache import MemoryCache

from .fakes import FakeUnitOfWork, FixedClock, Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class KnownTokens:
    """Our tokens, as a table from the token's text to its claims."""

    def __init__(self) -> None:
        self.claims: dict[str, AccessClaims] = {}

    def add(self, token: str, user: UserAccount, session_id: str | None) -> None:
        self.claims[token] = AccessClaims(
            user_id=user.id,
            role=user.role,
            customer_id=user.customer_id,
            token_id=f"jti-{token}",
            expires_at=NOW + timedelta(minutes=15),
            session_id=session_id,
        )

    def issue(self, user: UserAccount, family_id: str) -> tuple[TokenPair, str]:
        raise AssertionError("not used here")

    def read_access(self, token: str) -> AccessClaims:
        if token not in self.claims:
            raise Unauthenticated("the token is invalid or expired")
        return self.claims[token]

    def read_refresh(self, token: str) -> RefreshClaims:
        raise Unauthenticated("not a refresh token")

    def is_ours(self, token: str) -> bool:
        return token in self.claims


def a_user(name: str, role: Role, *, active: bool = True) -> UserAccount:
    return UserAccount(
        id=f"u-{name}",
        email=f"{name}@example.com",
        name=name.title(),
        role=role,
        customer_id=f"c-{name}" if role is Role.CUSTOMER else None,
        password_hash="-",
        active=active,
        created_at=NOW,
    )


ALICE = a_user("alice", Role.CUSTOMER)
BOB = a_user("bob", Role.AGENT)
SAM = a_user("sam", Role.SUPERVISOR)
GONE = a_user("gone", Role.AGENT, active=False)


@pytest.fixture
def tokens() -> KnownTokens:
    return KnownTokens()


@pytest.fixture
def auth(tokens: KnownTokens) -> AuthService:
    store = Store()
    for user in (ALICE, BOB, SAM, GONE):
        store.users[user.id] = user
    return AuthService(
        FakeUnitOfWork(store),
        MemoryCache(),
        tokens,
        object(),  # type: ignore[arg-type]
        FixedClock(NOW),
        LoginLimits(throttle=ThrottlePolicy(), refresh_ttl_seconds=3600),
    )


class TestAuthenticate:
    async def test_a_token_of_ours_names_its_account(
        self, auth: AuthService, tokens: KnownTokens
    ) -> None:
        tokens.add("t1", ALICE, session_id="fam-1")

        actor = await auth.authenticate("t1")

        assert actor == Actor(id=ALICE.id, role=Role.CUSTOMER, customer_id="c-alice")

    async def test_after_logout_every_access_token_of_that_sign_in_is_refused(
        self, auth: AuthService, tokens: KnownTokens
    ) -> None:
        tokens.add("t1", ALICE, session_id="fam-1")
        tokens.add("t2", ALICE, session_id="fam-1")
        tokens.add("other-sign-in", ALICE, session_id="fam-2")

        await auth.logout("t1", None)

        for ended in ("t1", "t2"):
            with pytest.raises(Unauthenticated):
                await auth.authenticate(ended)
        assert (await auth.authenticate("other-sign-in")).id == ALICE.id

    async def test_logging_out_a_token_that_names_no_sign_in_ends_that_token_alone(
        self, auth: AuthService, tokens: KnownTokens
    ) -> None:
        tokens.add("old-1", ALICE, session_id=None)
        tokens.add("old-2", ALICE, session_id=None)

        await auth.logout("old-1", None)

        with pytest.raises(Unauthenticated):
            await auth.authenticate("old-1")
        assert (await auth.authenticate("old-2")).id == ALICE.id


class TestMe:
    async def test_an_account_here_is_named_as_stored(self, auth: AuthService) -> None:
        me = await auth.me(Actor(id=ALICE.id, role=Role.CUSTOMER, customer_id="c-alice"))

        assert (me.email, me.name, me.customer_id) == ("alice@example.com", "Alice", "c-alice")

    async def test_someone_signed_in_by_the_identity_provider_is_named_by_customer_id(
        self, auth: AuthService
    ) -> None:
        me = await auth.me(Actor(id="idp:42", role=Role.CUSTOMER, customer_id="CUST-42"))

        assert (me.id, me.email, me.name, me.customer_id) == ("idp:42", "", "CUST-42", "CUST-42")


class TestStaff:
    async def test_the_staff_list_holds_active_staff_only(self, auth: AuthService) -> None:
        staff = await auth.staff()

        assert sorted(user.id for user in staff) == [BOB.id, SAM.id]
