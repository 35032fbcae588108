"""All settings, from the environment (and an optional ``.env``), validated at start."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from supportdesk.domain.business_time import parse_working_days, parse_working_hours
from supportdesk.domain.sla import parse_targets

DEFAULT_JWT_SECRET = "change-me-in-production-0123456789abcdef"
REPO_ROOT = Path(__file__).resolve().parents[4]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    keep_alive_timeout_seconds: int = Field(5, ge=1, le=300)
    limit_concurrency: int = Field(1000, ge=0)  # connections and requests in flight; 0: none
    # On SIGTERM, how long `serve` keeps serving while /health/ready says 503, so a load
    # balancer takes it out of rotation before it stops accepting (docs/deploying.md). Set it
    # above the balancer's check interval times its fall count; 0 stops at once.
    shutdown_drain_seconds: float = Field(0.0, ge=0, le=300)
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool | None = None  # default: JSON in production, readable elsewhere

    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT / 'supportdesk.db'}"
    database_echo: bool = False
    # How long a request waits for a database or Redis that does not answer before it is
    # answered 503 (connect, and a free pooled connection); a statement may run longer.
    database_connect_timeout_seconds: float = Field(2.0, gt=0, le=60)
    database_command_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    redis_url: str | None = None
    redis_timeout_seconds: float = Field(1.0, gt=0, le=60)

    order_system_url: str | None = None  # None: the built-in simulator, in-process
    order_system_timeout_seconds: float = Field(3.0, gt=0, le=60)
    order_cache_ttl_seconds: int = Field(30, ge=0, le=3600)
    # Sent as "Authorization: Bearer …" on every call to the order system, reads and
    # write-backs alike; the embedded simulator then wants it too. None: no header.
    order_system_api_key: SecretStr | None = None
    payment_gateway_url: str | None = None  # None: the built-in sandbox, in-process
    payment_gateway_api_key: SecretStr = SecretStr("sk_test_sandbox")
    payment_gateway_timeout_seconds: float = Field(10.0, gt=0, le=120)
    # Verifies the gateway's events (POST /api/v1/payment-gateway/webhooks); Stripe shows
    # it as the endpoint's "signing secret". None: every event is refused.
    payment_gateway_webhook_secret: SecretStr | None = None
    # Where the embedded sandbox sends its signed events: a path ("/api/v1/payment-gateway/
    # webhooks") is this app itself, in-process; a URL is sent over HTTP. None: it sends
    # none (the refunds' outcomes come from the API answers and reconciliation only).
    payment_gateway_sandbox_events_url: str | None = None

    # argon2id's cost for new password hashes (a stored hash keeps the cost it was made
    # with). The default is pwdlib's; production refuses less than OWASP's minimum
    # (19 MiB, 2 passes). The tests use the least, as Django's docs advise for theirs: a
    # sign-in there is setup, and the standard cost made it a third of a test's time.
    password_hash_memory_kib: int = Field(65536, ge=1024, le=4 * 1024 * 1024)
    password_hash_time_cost: int = Field(3, ge=1, le=20)
    jwt_secret: SecretStr = SecretStr(DEFAULT_JWT_SECRET)
    jwt_issuer: str = "supportdesk"
    jwt_audience: str = "supportdesk-api"
    access_token_ttl_seconds: int = Field(900, ge=30, le=86400)
    refresh_token_ttl_seconds: int = Field(14 * 86400, ge=300, le=90 * 86400)
    # A refresh token used again this soon after its first use is two tabs (or a retry)
    # refreshing at once, not a copy in other hands: it gets a pair too (docs/decisions.md).
    refresh_reuse_grace_seconds: int = Field(10, ge=0, le=60)
    # The web app's refresh token lives in an HttpOnly cookie (docs/sign-in.md): sent with
    # the Secure flag unless this says otherwise (default: Secure in production only, as
    # development and the tests serve plain http on 127.0.0.1).
    refresh_cookie_secure: bool | None = None
    # Links by mail (docs/sign-in.md): a sign-in link for an order's customer, a password
    # reset for an account. At most this many mails an hour for one address whatever is
    # asked, and this many requests an hour from one client address (then 429).
    sign_in_link_ttl_seconds: int = Field(900, ge=60, le=86400)
    password_reset_ttl_seconds: int = Field(1800, ge=60, le=86400)
    link_mails_per_email_per_hour: int = Field(3, ge=1, le=100)
    link_requests_per_address_per_hour: int = Field(20, ge=1, le=10_000)
    password_min_length: int = Field(10, ge=8, le=128)

    idp_public_key: str | None = None  # PEM; tokens of the shop's identity provider
    idp_jwks_url: str | None = None
    idp_issuer: str | None = None
    idp_audience: str | None = None
    idp_customer_claim: str = "sub"
    idp_role_claim: str = "role"
    # "Sign in with <shop>" in the web app (docs/identity-provider.md): OpenID Connect's
    # authorization code flow with PKCE against IDP_ISSUER's discovery document, shown
    # when a client id is set. The secret is sent with HTTP Basic; without one the client
    # is a public one (PKCE alone).
    idp_client_id: str | None = None
    idp_client_secret: SecretStr | None = None
    idp_display_name: str | None = Field(None, max_length=60)  # the button; default SHOP_NAME
    idp_scopes: str = "openid email profile"
    idp_timeout_seconds: float = Field(5.0, gt=0, le=60)
    # The embedded test provider at /sim/idp (development and tests, never production):
    # IDP_ISSUER then defaults to PUBLIC_BASE_URL/sim/idp and IDP_CLIENT_ID to supportdesk.
    idp_simulator: bool = False

    refund_window_days: int = Field(14, ge=0, le=3650)
    # A parcel shipped more than this many days ago and not delivered counts as lost in
    # transit: a case about it (not_delivered) may then be refunded (docs/refund-window.md).
    lost_parcel_after_days: int = Field(10, ge=0, le=3650)
    refund_supervisor_threshold: int = Field(50000, ge=0)
    # The web app asks staff to confirm (amount, customer, method) before sending or
    # recording more than this (minor units); 0: always.
    refund_confirm_above: int = Field(10000, ge=0)
    # A customer is flagged to staff past these (docs/customers.md): more refunds than this
    # in 90 days, or more than this share of what they spent in 90 days coming back.
    customer_flag_most_refunds_90d: int = Field(3, ge=0, le=10000)
    customer_flag_most_refund_share_percent: int = Field(30, ge=0, le=100)
    reconcile_interval_seconds: float = Field(30.0, ge=0)  # 0 turns the background task off
    reconcile_stale_after_seconds: int = Field(60, ge=0)

    # The outbox (docs/outbox.md). Notifications off: changes write no outbox rows at all.
    notifications_enabled: bool = True
    # Tries per row before it is dead, and the full-jitter back-off between them: try n
    # waits a random time up to min(max, base * 2**n). The defaults try for about 2 days.
    outbox_max_attempts: int = Field(25, ge=1, le=100)
    outbox_backoff_base_seconds: float = Field(30.0, gt=0, le=86400)
    outbox_backoff_max_seconds: float = Field(6 * 3600.0, gt=0, le=7 * 86400)
    # How often a dispatcher looks for rows other processes wrote (its own commits wake it).
    outbox_poll_seconds: float = Field(2.0, gt=0, le=3600)
    # How long a claimed row is a dispatcher's own; a crashed one's rows are due again after.
    # A delivery is cut off before its lease ends, so two never run at once.
    outbox_lease_seconds: float = Field(60.0, ge=2, le=3600)
    # /health/ready: a row due this long and not taken means no dispatcher is making progress.
    outbox_stall_seconds: int = Field(300, ge=10)
    dispatcher_in_serve: bool = True

    # Sign-in throttling (docs/decisions.md, "Sign-in throttling"): wrong passwords per
    # (account, client address) before that pair backs off, how long failures are
    # remembered, and the cap of the back-off.
    login_max_failures: int = Field(5, ge=1)
    login_failure_window_seconds: int = Field(86400, ge=60)
    login_backoff_max_seconds: int = Field(900, ge=1)
    # Wrong passwords from one address, whatever the account, per window: then that address
    # is refused for accounts that never signed in from it.
    login_address_max_failures: int = Field(100, ge=1)
    login_address_window_seconds: int = Field(900, ge=1)
    # Wrong passwords on one account from anywhere before each attempt on it from an
    # unfamiliar address is slowed (never refused), and the most it is slowed.
    login_account_slowdown_after: int = Field(20, ge=1)
    login_account_max_delay_seconds: float = Field(3.0, ge=0, le=30)
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated,
    # or *). The client is the rightmost address that is not one of them.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    rate_limit_per_minute: int = Field(600, ge=0)  # per user; 0 turns it off
    # How long a signed-in account's standing (active, role) is kept in the cache backend
    # before it is read from the database again; deactivation overwrites it at once.
    account_cache_seconds: int = Field(30, ge=1, le=3600)
    # Live updates (GET /events/stream): a heartbeat this often keeps proxies from closing
    # an idle stream, and at each one the stream checks that its sign-in still holds. The
    # poll looks for new events even without a wake-up: a safety net for a writer that
    # cannot reach this process (another process without Redis, a lost pub/sub message).
    sse_heartbeat_seconds: float = Field(15.0, gt=0, le=300)
    sse_poll_seconds: float = Field(5.0, gt=0, le=300)
    # A stream ends after this long and the client resumes with Last-Event-ID: connections
    # spread again over replicas after a deploy or a scale-out instead of staying put.
    sse_max_seconds: float = Field(3600.0, gt=0, le=86400)

    # Notifications (docs/email.md). Without SMTP_URL, outside production, mail goes to the
    # embedded mail catcher on MAIL_CATCHER_PORT (0: any free port) and shows under /sim/mail.
    # NOTIFICATIONS_ENABLED (above) turns mail off with the rest of the outbox.
    smtp_url: SecretStr | None = None  # smtp://user:pass@host:587 (STARTTLS when offered), smtps://
    smtp_timeout_seconds: float = Field(10.0, gt=0, le=120)
    mail_from: str = "support@example.com"  # an address, or "Name <address>"
    shop_name: str = Field("Example Shop", min_length=1, max_length=100)
    public_base_url: str = "http://127.0.0.1:8000"  # links in mails: this + /cases/{id}
    support_address: str = "support@example.com"  # Reply-To: support+<case id>@example.com
    mail_catcher_port: int = Field(8025, ge=0, le=65535)
    mail_catcher_keep: int = Field(500, ge=1, le=100_000)  # the last N messages, in memory
    customer_mail_enabled: bool = True  # the shop's switch for mails to customers

    # Webhooks to the shop (docs/webhooks.md): the budget of one try, and whether endpoints
    # may be on loopback, link-local or private addresses (default: not in production).
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=30)
    webhook_allow_private_addresses: bool | None = None

    @property
    def webhooks_reach_private_addresses(self) -> bool:
        if self.webhook_allow_private_addresses is not None:
            return self.webhook_allow_private_addresses
        return self.environment is not Environment.PRODUCTION

    # SLA clocks (docs/sla.md): business hours in the shop's zone, its country's public
    # holidays (an ISO 3166 code the ``holidays`` package knows; empty: none), and the
    # business time promised per priority for the first response and the resolution
    # ("urgent=1h,high=4h,normal=8h,low=16h"; h, m and s, as in 1h30m).
    sla_time_zone: str = "Europe/Berlin"
    sla_working_days: str = "mon-fri"
    sla_working_hours: str = "09:00-17:00"
    sla_holidays_country: str = "DE"
    sla_first_response_targets: str = "urgent=1h,high=4h,normal=8h,low=16h"
    sla_resolution_targets: str = "urgent=8h,high=16h,normal=40h,low=80h"
    # How often a process with background tasks looks for cases whose SLA status changes
    # with time alone (at risk, breached); 0 turns it off.
    sla_check_interval_seconds: float = Field(60.0, ge=0, le=3600)

    # Files on cases (docs/attachments.md): the most one file, one case may hold; the most
    # pixels an image may have decoded (a decompression bomb is refused before decoding).
    attachment_max_bytes: int = Field(10 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)
    attachment_case_max_count: int = Field(100, ge=1, le=10_000)
    attachment_case_max_bytes: int = Field(200 * 1024 * 1024, ge=1024)
    attachment_max_pixels: int = Field(40_000_000, ge=10_000, le=500_000_000)
    # How long a signed download URL answers (S3 storage only).
    attachment_url_ttl_seconds: int = Field(60, ge=1, le=3600)
    # Local storage (the default): a directory under the data directory. One process, or
    # replicas sharing the volume; else S3.
    storage_dir: Path = REPO_ROOT / "data" / "attachments"
    # S3-compatible storage: S3_BUCKET turns it on.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # None: AWS's own endpoint for S3_REGION
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    metrics_token: SecretStr | None = None  # when set, /metrics wants this bearer token
    seed_demo_data: bool = True  # make run loads the demo data
    web_dist_dir: Path = REPO_ROOT / "frontend" / "dist"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("sla_time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone like Europe/Berlin") from None
        return value.strip()

    @field_validator("sla_working_days")
    @classmethod
    def _working_days(cls, value: str) -> str:
        parse_working_days(value)
        return value

    @field_validator("sla_working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        parse_working_hours(value)
        return value

    @field_validator("sla_holidays_country")
    @classmethod
    def _holidays_country(cls, value: str) -> str:
        # The registry's codes (alpha-2 and alpha-3, those ``list_supported_countries``
        # gives them): that function imports every country's module to list its subdivisions,
        # ~6 MB of every worker's memory (business_calendar.country_holidays).
        from holidays.registry import COUNTRIES

        code = value.strip().upper()
        if code and code not in {c for names in COUNTRIES.values() for c in names[1:]}:
            raise ValueError(f"{value!r} is not a country code the holidays package knows")
        return code

    @field_validator("sla_first_response_targets", "sla_resolution_targets")
    @classmethod
    def _targets(cls, value: str) -> str:
        parse_targets(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        # The message never repeats the URL: it may hold the password.
        if not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// or smtps://")
        return value

    @field_validator("order_system_api_key")
    @classmethod
    def _api_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None  # unset, or set to nothing (compose's ${ORDER_SYSTEM_API_KEY:-})
        # It goes into a header: visible ASCII only. The message never repeats the key.
        if not all("!" <= c <= "~" for c in value.get_secret_value()):
            raise ValueError("must be printable ASCII without spaces")
        return value

    @field_validator("payment_gateway_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must be the endpoint's signing secret, starting with whsec_")
        return value

    @field_validator("mail_from", "support_address")
    @classmethod
    def _mail_address(cls, value: str) -> str:
        from email.utils import parseaddr

        _, address = parseaddr(value)
        if "@" not in address or any(c in value for c in "\r\n"):
            raise ValueError(f"{value!r} is not a mail address")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        for item in items:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (or * for any proxy)"
                ) from None
        return ",".join(items)

    @field_validator("s3_endpoint_url")
    @classmethod
    def _s3_endpoint(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _storage_is_whole(self) -> Settings:
        if self.attachment_case_max_bytes < self.attachment_max_bytes:
            raise ValueError("ATTACHMENT_CASE_MAX_BYTES must be at least ATTACHMENT_MAX_BYTES")
        named = [self.s3_endpoint_url, self.s3_access_key_id, self.s3_secret_access_key]
        if self.s3_bucket is None and any(v is not None for v in named):
            raise ValueError("S3_BUCKET must be set to store files in S3 (S3_* are set)")
        return self

    @model_validator(mode="after")
    def _production_is_safe(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            if self.jwt_secret.get_secret_value() == DEFAULT_JWT_SECRET:
                raise ValueError("JWT_SECRET must be set to a secret of your own in production")
            if self.seed_demo_data:
                raise ValueError("SEED_DEMO_DATA must be false in production")
            if self.password_hash_memory_kib < 19456 or self.password_hash_time_cost < 2:
                raise ValueError(
                    "PASSWORD_HASH_MEMORY_KIB and PASSWORD_HASH_TIME_COST must be at least "
                    "19456 and 2 in production (OWASP's minimum for argon2id)"
                )
            if self.order_system_url is None or self.payment_gateway_url is None:
                raise ValueError(
                    "ORDER_SYSTEM_URL and PAYMENT_GATEWAY_URL must be set in production: "
                    "the built-in simulators are for development and tests"
                )
            if self.notifications_enabled and self.smtp_url is None:
                raise ValueError(
                    "SMTP_URL must be set in production when NOTIFICATIONS_ENABLED is true: "
                    "the embedded mail catcher is for development and tests"
                )
        if (
            self.payment_gateway_sandbox_events_url is not None
            and self.payment_gateway_webhook_secret is None
        ):
            raise ValueError(
                "PAYMENT_GATEWAY_SANDBOX_EVENTS_URL needs PAYMENT_GATEWAY_WEBHOOK_SECRET: the "
                "sandbox signs its events with it"
            )
        if self.idp_simulator:
            if self.environment is Environment.PRODUCTION:
                raise ValueError("IDP_SIMULATOR is for development and tests, not production")
            self.idp_issuer = self.idp_issuer or f"{self.public_base_url}/sim/idp"
            self.idp_client_id = self.idp_client_id or "supportdesk"
        if self.idp_client_id is not None and self.idp_issuer is None:
            raise ValueError("IDP_CLIENT_ID needs IDP_ISSUER: the provider's discovery document")
        if self.idp_issuer is not None and not self.idp_issuer.startswith(("https://", "http://")):
            raise ValueError("IDP_ISSUER must be the provider's https:// URL")
        if (
            self.environment is Environment.PRODUCTION
            and self.idp_issuer is not None
            and not self.idp_issuer.startswith("https://")
        ):
            raise ValueError("IDP_ISSUER must be an https:// URL in production")
        if "openid" not in self.idp_scopes.split():
            raise ValueError("IDP_SCOPES must include openid")
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return self

    @property
    def oidc_enabled(self) -> bool:
        """Whether the web app offers signing in through the shop's identity provider."""
        return self.idp_issuer is not None and self.idp_client_id is not None

    @property
    def oidc_display_name(self) -> str:
        return self.idp_display_name or self.shop_name

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_catcher_enabled(self) -> bool:
        return self.smtp_url is None and self.environment is not Environment.PRODUCTION

    @property
    def secure_cookies(self) -> bool:
        if self.refresh_cookie_secure is not None:
            return self.refresh_cookie_secure
        return self.environment is Environment.PRODUCTION

    @property
    def json_logs(self) -> bool:
        if self.log_json is not None:
            return self.log_json
        return self.environment is Environment.PRODUCTION


class SettingsError(SystemExit):
    """A wrong setting: stops the start with a message naming the variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = ["supportdesk cannot start: invalid settings"]
        for error in exc.errors():
            variable = "_".join(str(part) for part in error["loc"]).upper() or "settings"
            lines.append(f"  {variable}: {error['msg']}")
        raise SettingsError("\n".join(lines)) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
