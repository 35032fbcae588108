"""ProviderSignInService's rules, against in-memory fakes of the ports and a fake provider
that says who signed in: where a sign-in may lead, each answer once and in its browser,
which account a provider identity becomes, and which sign-ins a provider's sign-out ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from supportdesk.application.auth import ended_sign_in_key
from supportdesk.application.ports import (
    ProviderIdentity,
    ProviderSignOut,
    TokenPair,
)
from supportdesk.application.provider_sign_in import (
    ProviderSignInService,
    SignInNotFinished,
    same_site_path,
)
from supportdesk.domain.access import Role
from supportdesk.domain.errors import Unauthenticated, ValidationFailed
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.cache import MemoryCache

from .fakes import FakeUnitOfWork, FixedClock, Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ALICE = UserAccount(
    id="u-alice",
    email="alice@example.com",
    name="Alice",
    role=Role.CUSTOMER,
    customer_id="CUST-1001",
    password_hash="-",
    active=True,
    created_at=NOW,
)


def identity(**changes: object) -> ProviderIdentity:
    base = ProviderIdentity(
        subject="CUST-1001",
        role=Role.CUSTOMER,
        customer_id="CUST-1001",
        email="Alice@Example.com",
        email_verified=True,
        name="Alice Martin",
        session_id="op-session-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


class FakeProvider:
    display_name = "Example Shop"

    def __init__(self) -> None:
        self.next_identity = identity()
        self.exchanged: list[tuple[str, str, str]] = []

    async def authorization_url(
        self, *, state: str, nonce: str, code_verifier: str, redirect_uri: str
    ) -> str:
        self.state, self.nonce, self.verifier = state, nonce, code_verifier
        return f"https://id.shop.example/authorize?state={state}"

    async def identity(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> ProviderIdentity:
        self.exchanged.append((code, code_verifier, nonce))
        return self.next_identity

    async def sign_out(self, logout_token: str) -> ProviderSignOut:
        sid, _, sub = logout_token.partition("|")
        return ProviderSignOut(token_id=logout_token, session_id=sid or None, subject=sub or None)


class Tokens:
    def issue(self, user: UserAccount, family_id: str) -> tuple[TokenPair, str]:
        return TokenPair(f"access:{user.id}:{family_id}", f"refresh:{family_id}", 900), "r"


class Hasher:
    def hash(self, password: str) -> str:
        return "hashed"


@pytest.fixture
def store() -> Store:
    store = Store()
    store.users[ALICE.id] = ALICE
    return store


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


class Ticking:
    """The cache backend's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticking() -> Ticking:
    return Ticking()


@pytest.fixture
def service(store: Store, provider: FakeProvider, ticking: Ticking) -> ProviderSignInService:
    return ProviderSignInService(
        provider,
        FakeUnitOfWork(store),
        MemoryCache(clock=ticking),
        Tokens(),  # type: ignore[arg-type]
        Hasher(),  # type: ignore[arg-type]
        FixedClock(NOW),
        issuer="https://id.shop.example",
        redirect_uri="https://desk.shop.example/api/v1/auth/oidc/callback",
        refresh_ttl_seconds=3600,
    )


async def signed_in(service: ProviderSignInService, provider: FakeProvider) -> TokenPair:
    started = await service.start("/cases", None)
    finished = await service.finish(
        state=provider.state, code="c", error=None, browser_binding=started.browser_binding
    )
    return await service.redeem(finished.code)


def family_of(pair: TokenPair) -> str:
    return pair.access_token.rsplit(":", 1)[1]


class TestWhereASignInMayLead:
    @pytest.mark.parametrize(
        "path", ["/", "/cases", "/cases/case_1?tab=history#top", "/cases?q=broken mug"]
    )
    def test_a_path_of_this_site_is_kept(self, path: str) -> None:
        assert same_site_path(path) == path

    def test_no_path_is_the_start_page(self) -> None:
        assert same_site_path(None) == "/"
        assert same_site_path("") == "/"

    @pytest.mark.parametrize(
        "path",
        [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/a\\b",
            "evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/" + "a" * 2000,
        ],
    )
    def test_anything_a_browser_could_read_as_another_site_is_refused(self, path: str) -> None:
        with pytest.raises(ValidationFailed):
            same_site_path(path)


class TestFinish:
    async def test_the_code_is_exchanged_with_the_sign_ins_own_verifier_and_nonce(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        started = await service.start(None, None)

        finished = await service.finish(
            state=provider.state, code="c", error=None, browser_binding=started.browser_binding
        )

        assert provider.exchanged == [("c", provider.verifier, provider.nonce)]
        assert finished.next_path == "/"

    async def test_each_answer_is_taken_once(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        started = await service.start(None, None)
        answer = {"state": provider.state, "code": "c", "error": None}
        await service.finish(**answer, browser_binding=started.browser_binding)

        with pytest.raises(SignInNotFinished) as refused:
            await service.finish(**answer, browser_binding=started.browser_binding)
        assert refused.value.reason == "expired"

    async def test_an_answer_in_another_browser_is_refused(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        await service.start(None, None)

        with pytest.raises(SignInNotFinished) as refused:
            await service.finish(
                state=provider.state, code="c", error=None, browser_binding="another-browser"
            )
        assert refused.value.reason == "expired"
        assert provider.exchanged == []

    async def test_a_browser_keeps_its_binding_for_several_tabs(
        self, service: ProviderSignInService
    ) -> None:
        first = await service.start(None, None)
        second = await service.start(None, first.browser_binding)

        assert second.browser_binding == first.browser_binding


class TestTimeLimits:
    async def test_a_sign_in_left_at_the_provider_for_over_ten_minutes_is_over(
        self, service: ProviderSignInService, provider: FakeProvider, ticking: Ticking
    ) -> None:
        started = await service.start(None, None)
        ticking.now += 601

        with pytest.raises(SignInNotFinished) as refused:
            await service.finish(
                state=provider.state, code="c", error=None, browser_binding=started.browser_binding
            )
        assert refused.value.reason == "expired"

    async def test_the_one_time_code_lasts_a_minute(
        self, service: ProviderSignInService, provider: FakeProvider, ticking: Ticking
    ) -> None:
        started = await service.start(None, None)
        finished = await service.finish(
            state=provider.state, code="c", error=None, browser_binding=started.browser_binding
        )
        ticking.now += 61

        with pytest.raises(Unauthenticated):
            await service.redeem(finished.code)


class TestWhichAccount:
    async def test_the_account_of_that_email_whatever_its_case(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        pair = await signed_in(service, provider)

        assert pair.access_token.startswith("access:u-alice:")

    async def test_a_new_customer_gets_an_account_with_the_providers_name(
        self, service: ProviderSignInService, provider: FakeProvider, store: Store
    ) -> None:
        provider.next_identity = identity(
            subject="CUST-3001", customer_id="CUST-3001", email="dave@example.com", name="Dave"
        )

        await signed_in(service, provider)

        dave = next(u for u in store.users.values() if u.email == "dave@example.com")
        assert (dave.role, dave.customer_id, dave.name) == (Role.CUSTOMER, "CUST-3001", "Dave")

    async def test_staff_get_no_account_they_were_not_given(
        self, service: ProviderSignInService, provider: FakeProvider, store: Store
    ) -> None:
        provider.next_identity = identity(
            role=Role.ADMIN, customer_id=None, email="mallory@example.com"
        )

        with pytest.raises(SignInNotFinished) as refused:
            await signed_in(service, provider)
        assert refused.value.reason == "no_account"
        assert len(store.users) == 1

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"role": Role.AGENT, "customer_id": None}, "account_mismatch"),
            ({"customer_id": "CUST-1002"}, "account_mismatch"),
            ({"email": None}, "no_email"),
            ({"email_verified": False}, "email_not_verified"),
        ],
    )
    async def test_an_identity_that_does_not_fit_the_account_signs_nobody_in(
        self,
        service: ProviderSignInService,
        provider: FakeProvider,
        changes: dict[str, object],
        reason: str,
    ) -> None:
        provider.next_identity = identity(**changes)

        with pytest.raises(SignInNotFinished) as refused:
            await signed_in(service, provider)
        assert refused.value.reason == reason


class TestProviderSignOut:
    async def test_it_ends_every_sign_in_of_that_provider_session_and_no_other(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        first = await signed_in(service, provider)
        second = await signed_in(service, provider)
        provider.next_identity = identity(session_id="op-session-2")
        other = await signed_in(service, provider)

        ended = await service.provider_signed_out("op-session-1|")

        assert ended == 2
        for pair in (first, second):
            assert await service.cache.get(ended_sign_in_key(family_of(pair))) is not None
        assert await service.cache.get(ended_sign_in_key(family_of(other))) is None

    async def test_naming_only_the_person_ends_all_their_sign_ins(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        first = await signed_in(service, provider)
        provider.next_identity = identity(session_id=None)
        second = await signed_in(service, provider)

        assert await service.provider_signed_out("|CUST-1001") == 2
        for pair in (first, second):
            assert await service.cache.get(ended_sign_in_key(family_of(pair))) is not None

    async def test_a_code_not_yet_redeemed_is_refused_after_the_sign_out(
        self, service: ProviderSignInService, provider: FakeProvider
    ) -> None:
        started = await service.start(None, None)
        finished = await service.finish(
            state=provider.state, code="c", error=None, browser_binding=started.browser_binding
        )

        await service.provider_signed_out("op-session-1|")

        with pytest.raises(Unauthenticated):
            await service.redeem(finished.code)
