"""Wiring: builds the adapters once per process and the services per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from supportdesk.application.accounts import SignedInAccounts
from supportdesk.application.auth import AuthService, LoginLimits
from supportdesk.application.cases import CaseService
from supportdesk.application.orders import OrderService
from supportdesk.application.ports import CacheBackend, Clock
from supportdesk.application.refunds import RefundPolicy, RefundService
from supportdesk.application.sign_in_throttle import ThrottlePolicy
from supportdesk.domain.window import RefundWindowPolicy
from supportdesk.infrastructure.cache import make_cache
from supportdesk.infrastructure.clock import SystemClock
from supportdesk.infrastructure.db.live_feed import LiveFeed
from supportdesk.infrastructure.db.queries import ReadQueries
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from supportdesk.infrastructure.security import (
    Argon2PasswordHasher,
    IdentityProviderTokens,
    JwtTokens,
)
from supportdesk.infrastructure.settings import Settings
from supportdesk.infrastructure.wakeups import Wakeups, make_wakeups

if TYPE_CHECKING:
    from supportdesk.infrastructure.integrations import Integrations


@dataclass
class Container:
    settings: Settings
    database: Database
    cache: CacheBackend
    integrations: Integrations
    clock: Clock = field(default_factory=SystemClock)
    hasher: Argon2PasswordHasher = field(default_factory=Argon2PasswordHasher)
    wakeups: Wakeups = field(default_factory=Wakeups)

    def __post_init__(self) -> None:
        self.tokens = JwtTokens(self.settings)
        self.identity_provider = IdentityProviderTokens(self.settings)
        self.refund_policy = RefundPolicy(
            window=RefundWindowPolicy(days=self.settings.refund_window_days),
            supervisor_threshold=self.settings.refund_supervisor_threshold,
        )
        self._write_sessions = self.database.write_sessions()
        self._read_sessions = self.database.read_sessions()

    @classmethod
    def build(cls, settings: Settings) -> Container:
        from supportdesk.infrastructure.integrations import build_integrations

        cache = make_cache(settings)
        return cls(
            settings=settings,
            database=Database.connect(
                settings.database_url,
                echo=settings.database_echo,
                connect_timeout=settings.database_connect_timeout_seconds,
                command_timeout=settings.database_command_timeout_seconds,
            ),
            cache=cache,
            integrations=build_integrations(settings, cache),
            wakeups=make_wakeups(settings),
        )

    @property
    def read(self) -> ReadQueries:
        return ReadQueries(self._read_sessions)

    @property
    def live_feed(self) -> LiveFeed:
        return LiveFeed(self._read_sessions)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._write_sessions, self.database.write_lock, history_grew=self.wakeups.notify
        )

    def reads(self) -> SqlUnitOfWork:
        """A unit of work for reading only: on SQLite a deferred transaction on the reader
        engine, which never waits for the write lock. Committing it writes nothing."""
        return SqlUnitOfWork(self._read_sessions)

    def accounts(self) -> SignedInAccounts:
        return SignedInAccounts(self.reads(), self.cache, self.settings.account_cache_seconds)

    def case_service(self) -> CaseService:
        return CaseService(
            self.uow(), self.integrations.order_system, self.clock, reads=self.reads()
        )

    def order_service(self) -> OrderService:
        # It only reads: which of an order's units are refundable.
        return OrderService(
            self.reads(), self.integrations.order_system, self.clock, self.refund_policy.window
        )

    def refund_service(self) -> RefundService:
        return RefundService(
            self.uow(),
            self.integrations.order_system,
            self.integrations.gateway,
            self.clock,
            self.refund_policy,
            reads=self.reads(),
        )

    def auth_service(self) -> AuthService:
        return AuthService(
            self.uow(),
            self.cache,
            self.tokens,
            self.hasher,
            self.clock,
            LoginLimits(
                throttle=ThrottlePolicy(
                    free_failures=self.settings.login_max_failures,
                    failure_window_seconds=self.settings.login_failure_window_seconds,
                    max_backoff_seconds=self.settings.login_backoff_max_seconds,
                    address_max_failures=self.settings.login_address_max_failures,
                    address_window_seconds=self.settings.login_address_window_seconds,
                    account_slowdown_after=self.settings.login_account_slowdown_after,
                    account_max_delay_seconds=self.settings.login_account_max_delay_seconds,
                ),
                refresh_ttl_seconds=self.settings.refresh_token_ttl_seconds,
            ),
            accounts=self.accounts(),
        )

    async def aclose(self) -> None:
        await self.integrations.aclose()
        await self.wakeups.close()
        await self.cache.close()
        await self.database.dispose()
