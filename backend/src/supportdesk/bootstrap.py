"""Wiring: builds the adapters once per process and the services per request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client.registry import Collector

from supportdesk.api.webhook_payloads import StaffViewPayloads
from supportdesk.application.accounts import SignedInAccounts
from supportdesk.application.attachments import AttachmentService
from supportdesk.application.auth import AuthService, LoginLimits, SignedIn
from supportdesk.application.canned_replies import CannedReplyService
from supportdesk.application.cases import CaseService
from supportdesk.application.customers import CustomerService
from supportdesk.application.dispatcher import (
    DeliveryOutcomes,
    Dispatcher,
    DispatchSettings,
    OutboxService,
)
from supportdesk.application.links import AccountLinks, DetachedTasks, LinkPolicy
from supportdesk.application.live import LiveFeed
from supportdesk.application.orders import OrderService
from supportdesk.application.outbox import OutboxChannel
from supportdesk.application.payment_events import PaymentEventService
from supportdesk.application.policy import PolicyService
from supportdesk.application.ports import CacheBackend, Clock, FileStorage, ReadQueries
from supportdesk.application.provider_sign_in import ProviderSignInService
from supportdesk.application.reasons import ReasonCodeService
from supportdesk.application.refunds import RefundPolicy, RefundService
from supportdesk.application.sign_in_throttle import ThrottlePolicy
from supportdesk.application.sla import SlaService
from supportdesk.application.webhooks import AddressRule, WebhookService
from supportdesk.application.writeback import ORDER_SYSTEM_CHANNEL, OrderSystemChannel
from supportdesk.domain.attachments import AttachmentLimits
from supportdesk.domain.customers import FlagPolicy
from supportdesk.domain.notifications import MailPolicy
from supportdesk.domain.outbox import RetryPolicy
from supportdesk.domain.window import RefundWindowPolicy
from supportdesk.infrastructure.attachment_metrics import AttachmentMetrics
from supportdesk.infrastructure.business_calendar import sla_policy
from supportdesk.infrastructure.cache import make_cache
from supportdesk.infrastructure.clock import SystemClock
from supportdesk.infrastructure.db.canned_replies import SqlCannedReplyStore
from supportdesk.infrastructure.db.live_feed import SqlLiveFeed
from supportdesk.infrastructure.db.notifications import SqlMailFacts
from supportdesk.infrastructure.db.outbox import SqlOutboxStore
from supportdesk.infrastructure.db.policies import SqlPolicyStore
from supportdesk.infrastructure.db.reads import SqlReadQueries, TextSearch
from supportdesk.infrastructure.db.reasons import SqlReasonCodeStore
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from supportdesk.infrastructure.db.webhooks import SqlWebhookStore, active_admins
from supportdesk.infrastructure.files.inspect import PillowInspector
from supportdesk.infrastructure.files.storage import LocalFileStorage, S3FileStorage
from supportdesk.infrastructure.mail.account_mail import MailAccountLinks
from supportdesk.infrastructure.mail.channel import EmailChannel
from supportdesk.infrastructure.mail.render import MailIdentity, MailRenderer
from supportdesk.infrastructure.mail.smtp import SendFailed, SmtpServer, SmtpTransport
from supportdesk.infrastructure.security import (
    Argon2PasswordHasher,
    IdentityProviderTokens,
    JwtLinks,
    JwtTokens,
    ZxcvbnPasswords,
)
from supportdesk.infrastructure.settings import Settings
from supportdesk.infrastructure.simulators.identity_provider import IdentityProviderSimulator
from supportdesk.infrastructure.wakeups import Wakeups, make_wakeups
from supportdesk.infrastructure.webhooks import MailAdminNotices, WebhookChannel

if TYPE_CHECKING:
    from supportdesk.infrastructure.integrations import Integrations
    from supportdesk.infrastructure.mail.catcher import MailCatcher
    from supportdesk.infrastructure.oidc import OidcClient


@dataclass
class Container:
    settings: Settings
    database: Database
    cache: CacheBackend
    integrations: Integrations
    clock: Clock = field(default_factory=SystemClock)
    hasher: Argon2PasswordHasher = field(default_factory=Argon2PasswordHasher)
    # The outbox's channels by name ("email", "order_system"): every history event gets a
    # row for each, unless NOTIFICATIONS_ENABLED is false.
    channels: dict[str, OutboxChannel] = field(default_factory=dict)
    wakeups: Wakeups = field(default_factory=Wakeups)
    # Where the files' bytes live; from the settings unless the caller gives its own.
    file_storage: FileStorage | None = None

    def __post_init__(self) -> None:
        self.tokens = JwtTokens(self.settings)
        self.links = JwtLinks(self.settings)
        # Work that goes on after a request was answered (mailing a link); awaited at close.
        self.detached = DetachedTasks()
        self.link_policy = LinkPolicy(
            sign_in_link_ttl_seconds=self.settings.sign_in_link_ttl_seconds,
            password_reset_ttl_seconds=self.settings.password_reset_ttl_seconds,
            mails_per_email_per_hour=self.settings.link_mails_per_email_per_hour,
            requests_per_address_per_hour=self.settings.link_requests_per_address_per_hour,
        )
        self.identity_provider = IdentityProviderTokens(self.settings)
        self.idp_simulator, self.oidc = self._openid_provider()
        self.refund_policy = RefundPolicy(
            window=RefundWindowPolicy(
                days=self.settings.refund_window_days,
                lost_parcel_after_days=self.settings.lost_parcel_after_days,
            ),
            supervisor_threshold=self.settings.refund_supervisor_threshold,
            confirm_above=self.settings.refund_confirm_above,
        )
        self.sla_policy = sla_policy(self.settings)
        self.attachment_limits = AttachmentLimits(
            max_bytes=self.settings.attachment_max_bytes,
            case_max_count=self.settings.attachment_case_max_count,
            case_max_bytes=self.settings.attachment_case_max_bytes,
        )
        self.attachment_metrics = AttachmentMetrics()
        self.inspector = PillowInspector(self.settings.attachment_max_pixels)
        if self.file_storage is None:
            self.file_storage = make_file_storage(self.settings)
        self.storage: FileStorage = self.file_storage
        self.flag_policy = FlagPolicy(
            most_refunds=self.settings.customer_flag_most_refunds_90d,
            most_share_percent=self.settings.customer_flag_most_refund_share_percent,
        )
        self.login_limits = LoginLimits(
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
            refresh_reuse_grace_seconds=self.settings.refresh_reuse_grace_seconds,
        )
        self._write_sessions = self.database.write_sessions()
        self._read_sessions = self.database.read_sessions()
        # One per process: it keeps the version in force for a second (pages, not decisions).
        self.policy_store = SqlPolicyStore(
            self._write_sessions,
            self._read_sessions,
            self.database.write_lock,
            initial=self.refund_policy.first_version(),
        )
        # One per process: the text search remembers what it learnt of the database.
        self.read: ReadQueries = SqlReadQueries(
            self._read_sessions, TextSearch(), direct=self.database.direct_reader
        )
        # Set by a commit that wrote outbox rows; this process's dispatcher waits on it.
        self.outbox_written = asyncio.Event()
        self.mail_catcher = self._mail_catcher()
        self.account_mail = MailAccountLinks(
            self._mail_renderer(),
            SmtpTransport(self._mail_server(), self.settings.smtp_timeout_seconds),
            self.clock,
        )
        # The deployment's channels unless the caller named its own (tests do).
        if not self.channels and self.settings.notifications_enabled:
            email = self.email_channel()
            self.channels = {
                "email": email,
                "webhooks": self.webhook_channel(email),
                ORDER_SYSTEM_CHANNEL: self.order_system_channel(),
            }

    @property
    def oidc_redirect_uri(self) -> str:
        return f"{self.settings.public_base_url}/api/v1/auth/oidc/callback"

    def _openid_provider(self) -> tuple[IdentityProviderSimulator | None, OidcClient | None]:
        """Signing in through the shop's identity provider, when configured; with
        IDP_SIMULATOR, the embedded test provider, reached in-process as the other
        simulators are (and by browsers at /sim/idp)."""
        settings = self.settings
        if not settings.oidc_enabled:
            return None, None
        # Imported only here, as the mail catcher is: Authlib and aiosmtpd are ~2 MB of
        # every worker's memory (bench/README.md), and most deployments use neither.
        from supportdesk.infrastructure.oidc import OidcClient

        if not settings.idp_simulator:
            return None, OidcClient(settings)
        from urllib.parse import urlsplit

        import httpx
        from starlette.applications import Starlette
        from starlette.routing import Mount

        assert settings.idp_issuer is not None and settings.idp_client_id is not None
        secret = settings.idp_client_secret
        simulator = IdentityProviderSimulator(
            issuer=settings.idp_issuer,
            client_id=settings.idp_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            redirect_uri=self.oidc_redirect_uri,
            backchannel_logout_uri=(
                f"{settings.public_base_url}/api/v1/auth/oidc/backchannel-logout"
            ),
        )
        served = Starlette(routes=[Mount(urlsplit(settings.idp_issuer).path, app=simulator.app)])
        return simulator, OidcClient(settings, httpx.ASGITransport(app=served))

    def _mail_catcher(self) -> MailCatcher | None:
        """Without SMTP_URL, outside production: the embedded catcher (started by the
        app, see api/app.py), where every mail goes."""
        if not self.settings.mail_catcher_enabled:
            return None
        from supportdesk.infrastructure.mail.catcher import MailCatcher

        return MailCatcher(self.settings.mail_catcher_port, self.settings.mail_catcher_keep)

    def metric_collectors(self) -> list[Collector]:
        """The adapters' own metrics, for the app's registry (GET /metrics)."""
        collectors = self.attachment_metrics.collectors()
        email = self.channels.get("email")
        if isinstance(email, EmailChannel):
            collectors.extend(email.metrics.collectors())
        return collectors

    def order_system_channel(self) -> OrderSystemChannel:
        """Refunds written back to the shop's order system (docs/order-system.md)."""
        return OrderSystemChannel(self.reads, self.integrations.order_write_back)

    def _mail_server(self) -> Callable[[], SmtpServer]:
        settings = self.settings
        if self.mail_catcher is not None:
            return self.mail_catcher.server
        if settings.smtp_url is None:  # production with notifications off

            def nowhere() -> SmtpServer:
                raise SendFailed("no mail server is configured (SMTP_URL)", refused=False)

            return nowhere
        configured = SmtpServer.from_url(settings.smtp_url.get_secret_value())
        return lambda: configured

    def _mail_renderer(self) -> MailRenderer:
        settings = self.settings
        return MailRenderer(
            MailIdentity(
                shop_name=settings.shop_name,
                mail_from=settings.mail_from,
                support_address=settings.support_address,
                public_base_url=settings.public_base_url,
            )
        )

    def email_channel(self) -> EmailChannel:
        settings = self.settings
        return EmailChannel(
            facts=SqlMailFacts(self._read_sessions),
            renderer=self._mail_renderer(),
            transport=SmtpTransport(self._mail_server(), settings.smtp_timeout_seconds),
            policy=MailPolicy(
                customer_mail_enabled=settings.customer_mail_enabled,
                supervisor_threshold=settings.refund_supervisor_threshold,
            ),
            clock=self.clock,
            policies=self.policy_store,
        )

    def account_links(self) -> AccountLinks:
        """Sign-in links and password resets (docs/sign-in.md)."""
        settings = self.settings
        return AccountLinks(
            self.uow(),
            self.cache,
            self.integrations.order_system,
            self.links,
            self.tokens,
            self.hasher,
            ZxcvbnPasswords(settings.password_min_length),
            self.account_mail,
            self.clock,
            self.link_policy,
            self.detached,
            accounts=self.accounts(),
        )

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
            channels=build_channels(settings),
            wakeups=make_wakeups(settings),
            hasher=Argon2PasswordHasher.from_settings(settings),
        )

    @property
    def outbox_channels(self) -> tuple[str, ...]:
        return tuple(sorted(self.channels)) if self.settings.notifications_enabled else ()

    @property
    def live_feed(self) -> LiveFeed:
        return SqlLiveFeed(self._read_sessions)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._write_sessions,
            self.database.write_lock,
            outbox_channels=self.outbox_channels,
            on_outbox_commit=self.outbox_written.set,
            history_grew=self.wakeups.notify,
            sla=self.sla_policy,
        )

    def reads(self) -> SqlUnitOfWork:
        """A unit of work for reading only: on SQLite a deferred transaction on the reader
        engine, which never waits for the write lock. Committing it writes nothing."""
        return SqlUnitOfWork(self._read_sessions, sla=self.sla_policy)

    def sla_service(self) -> SlaService:
        return SlaService(self.uow(), self.clock)

    def accounts(self) -> SignedInAccounts:
        return SignedInAccounts(self.reads, self.cache, self.settings.account_cache_seconds)

    def signed_in(self) -> SignedIn:
        """Who a request's token signs in (``AuthService.signed_in``), with nothing else of
        the service built."""
        return SignedIn(self.tokens, self.cache, self.accounts(), self.identity_provider)

    def case_service(self) -> CaseService:
        return CaseService(
            self.uow(),
            self.integrations.order_system,
            self.clock,
            reads=self.reads(),
            queries=self.read,
            attachment_limits=self.attachment_limits,
            sla=self.sla_policy,
        )

    def attachment_service(self) -> AttachmentService:
        return AttachmentService(
            self.uow(),
            self.reads(),
            self.storage,
            self.inspector,
            self.clock,
            self.attachment_limits,
            self.attachment_metrics,
            url_ttl_seconds=self.settings.attachment_url_ttl_seconds,
        )

    def customer_service(self) -> CustomerService:
        return CustomerService(self.order_service(), self.read, self.clock, self.flag_policy)

    def order_service(self) -> OrderService:
        # It only reads: which of an order's units are refundable.
        return OrderService(
            self.reads(), self.integrations.order_system, self.clock, self.policy_store
        )

    def refund_service(self) -> RefundService:
        return RefundService(
            self.uow(),
            self.integrations.order_system,
            self.integrations.gateway,
            self.clock,
            self.refund_policy,
            reads=self.reads(),
            queries=self.read,
            attachment_limits=self.attachment_limits,
            reasons=self.reason_code_store(),
            policies=self.policy_store,
        )

    def policy_service(self) -> PolicyService:
        return PolicyService(self.policy_store, self.clock, self.reads())

    def reason_code_store(self) -> SqlReasonCodeStore:
        return SqlReasonCodeStore(
            self._write_sessions, self._read_sessions, self.database.write_lock
        )

    def reason_code_service(self) -> ReasonCodeService:
        return ReasonCodeService(self.reason_code_store(), self.clock)

    def payment_event_service(self) -> PaymentEventService:
        secret = self.settings.payment_gateway_webhook_secret
        return PaymentEventService(
            self.uow(), self.clock, None if secret is None else secret.get_secret_value()
        )

    def auth_service(self) -> AuthService:
        return AuthService(
            self.uow(),
            self.cache,
            self.tokens,
            self.hasher,
            self.clock,
            self.login_limits,
            accounts=self.accounts(),
            reads=self.reads(),
            identity_provider=self.identity_provider,
        )

    def provider_sign_in_service(self) -> ProviderSignInService | None:
        """None when no identity provider is configured for signing in."""
        if self.oidc is None:
            return None
        assert self.settings.idp_issuer is not None
        return ProviderSignInService(
            self.oidc,
            self.uow(),
            self.cache,
            self.tokens,
            self.hasher,
            self.clock,
            issuer=self.settings.idp_issuer,
            redirect_uri=self.oidc_redirect_uri,
            refresh_ttl_seconds=self.settings.refresh_token_ttl_seconds,
        )

    def canned_reply_service(self) -> CannedReplyService:
        store = SqlCannedReplyStore(
            self._write_sessions, self._read_sessions, self.database.write_lock
        )
        return CannedReplyService(store, self.clock)

    def webhook_store(self) -> SqlWebhookStore:
        return SqlWebhookStore(self._write_sessions, self._read_sessions, self.database.write_lock)

    def webhook_service(self) -> WebhookService:
        return WebhookService(
            self.webhook_store(),
            self.clock,
            AddressRule(allow_private=self.settings.webhooks_reach_private_addresses),
        )

    def webhook_channel(self, email: EmailChannel) -> WebhookChannel:
        """Admins hear of an endpoint turned off through the email channel's server."""
        reads = self._read_sessions
        return WebhookChannel(
            self.webhook_store(),
            StaffViewPayloads(self.case_service, self.refund_service, self.read, self.clock),
            MailAdminNotices(
                lambda: active_admins(reads), email.renderer, email.transport, self.clock
            ),
            self.clock,
            timeout_seconds=self.settings.webhook_timeout_seconds,
            allow_private=self.settings.webhooks_reach_private_addresses,
        )

    def outbox_store(self) -> SqlOutboxStore:
        return SqlOutboxStore(self._write_sessions, self._read_sessions, self.database.write_lock)

    def outbox_service(self) -> OutboxService:
        return OutboxService(self.outbox_store(), self.clock)

    def dispatcher(self, outcomes: DeliveryOutcomes | None = None) -> Dispatcher:
        settings = self.settings
        return Dispatcher(
            self.outbox_store(),
            self.channels,
            self.clock,
            RetryPolicy(
                max_attempts=settings.outbox_max_attempts,
                base_seconds=settings.outbox_backoff_base_seconds,
                max_seconds=settings.outbox_backoff_max_seconds,
            ),
            DispatchSettings(lease=timedelta(seconds=settings.outbox_lease_seconds)),
            outcomes=outcomes,
        )

    async def aclose(self) -> None:
        await self.detached.drain()
        webhooks = self.channels.get("webhooks")
        if isinstance(webhooks, WebhookChannel):
            await webhooks.aclose()
        await self.integrations.aclose()
        if self.oidc is not None:
            await self.oidc.aclose()
        await self.storage.aclose()
        await self.wakeups.close()
        await self.cache.close()
        await self.database.dispose()


def make_file_storage(settings: Settings) -> FileStorage:
    """S3 when a bucket is named, else the local directory."""
    if settings.s3_bucket is not None:
        secret = settings.s3_secret_access_key
        return S3FileStorage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=None if secret is None else secret.get_secret_value(),
        )
    return LocalFileStorage(settings.storage_dir)


def build_channels(settings: Settings) -> dict[str, OutboxChannel]:
    """Channels other than the deployment's own (a process that delivers elsewhere, such
    as a test's worker, replaces this). Empty means the deployment's: email and the
    order system's write-back when notifications are on (``Container.email_channel``,
    ``Container.order_system_channel``)."""
    return {}
