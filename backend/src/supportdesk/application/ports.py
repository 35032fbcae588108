"""Ports: what the use cases need from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, Self

from supportdesk.application.outbox import OutboxItem, Outcome
from supportdesk.application.reads import CaseFilters, CaseRead, PageOf, RefundFilters, Stats
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.attachments import Attachment, MediaType
from supportdesk.domain.cases import SupportCase
from supportdesk.domain.events import Event
from supportdesk.domain.messages import Message
from supportdesk.domain.notifications import MailFacts, NotificationSettings, Person
from supportdesk.domain.orders import Customer, Order
from supportdesk.domain.refunds import Refund, RefundStatus, RefundWriteBack
from supportdesk.domain.users import UserAccount


class Clock(Protocol):
    def now(self) -> datetime: ...


class CacheBackend(Protocol):
    """Shared key-value store: token revocation, rate limits, idempotency, order caching.

    In-process memory by default; Redis when several replicas run.
    """

    async def get(self, key: str) -> str | None: ...

    async def get_many(self, *keys: str) -> list[str | None]:
        """The values of ``keys``, in their order, in one call (one round trip to Redis)."""
        ...

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None: ...

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int | None = None) -> bool:
        """Store only if the key is absent; True when this call stored it."""
        ...

    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Atomically add one; the expiry is set when the key is created."""
        ...

    async def delete(self, key: str) -> None: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class OrderSystem(Protocol):
    """The shop's order system, read only. Raises OrderSystemUnavailable when it cannot
    answer (unreachable, failing, or answering something that is not an order); an order
    it does not know is ``None``, not an error."""

    async def get_order(self, order_id: str) -> Order | None: ...

    async def orders_of_customer(self, customer_id: str) -> list[Order]: ...

    async def ping(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class GatewayRefund:
    """The gateway's record of a refund."""

    id: str
    status: str  # succeeded | pending | failed | canceled | requires_action
    amount: int
    currency: str
    failure_reason: str | None = None
    # The reference the customer's bank shows for the refund (a card's acquirer reference
    # number), once the gateway has one; None while it has none.
    bank_reference: str | None = None


class PaymentGateway(Protocol):
    """A Stripe-compatible refunds API.

    create_refund raises GatewayDeclined (a definite no), GatewayTimeout (the answer is
    unknown: the refund may or may not exist) or GatewayUnavailable (definitely not made).
    """

    async def create_refund(
        self,
        *,
        payment_reference: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> GatewayRefund: ...

    async def get_refund(self, refund_id: str) -> GatewayRefund | None: ...

    async def find_refund(
        self, *, payment_reference: str, metadata: dict[str, str]
    ) -> GatewayRefund | None:
        """The payment's refund made with this metadata, if the gateway made one."""
        ...


class OrderSystemUnavailable(Exception):
    """The order system did not answer, failed, or answered something that is not an order.
    The port only reads, so nothing was changed there: asking again later is safe."""


class OrderWriteBack(Protocol):
    """Tells the shop's order system of a refund (``POST /orders/{id}/refunds``).

    Idempotent by ``refund_id`` on the order system's side, so the same write-back may be
    sent any number of times. Raises ``WriteBackUnknown`` when it cannot know whether the
    order system recorded it (no answer, a timeout, a 5xx, a 409 while a first request of
    the same refund may still be running): only sending it again tells. Raises
    ``WriteBackRefused`` when the order system refused it for good (another 4xx)."""

    async def write_back_refund(self, write_back: RefundWriteBack) -> None: ...

    async def withdraw_refund(self, order_id: str, refund_id: str) -> None:
        """``DELETE /orders/{id}/refunds/{refund_id}``: the order system forgets the refund
        (its money came back, or it is to be written again as it now is). Idempotent: a
        refund it does not hold is already forgotten. The same exceptions as above."""
        ...


class WriteBackUnknown(Exception):
    """The write-back may or may not have been recorded: send the same one again later."""


class WriteBackConflict(WriteBackUnknown):
    """409: the order system holds another body under this ``refund_id`` (an earlier truth
    of the refund, say a gateway refund whose money came back before it was settled), or a
    request of it is still running."""


class WriteBackRefused(Exception):
    """The order system refused the write-back; sending it again will not change that."""


class GatewayError(Exception):
    """Base of payment-gateway port errors."""


class GatewayDeclined(GatewayError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayTimeout(GatewayError):
    """The request may have reached the gateway; its outcome is unknown."""


class GatewayUnavailable(GatewayError):
    """The gateway could not be reached or failed before doing anything."""


class CaseRepository(Protocol):
    async def add(self, case: SupportCase) -> None: ...

    async def get(self, case_id: str) -> SupportCase | None:
        """Any case, whoever asks: for the system's own work. What a person asks for is
        read with ``get_for``."""
        ...

    async def get_for(self, actor: Actor, case_id: str) -> SupportCase | None:
        """The case if the actor may read it (staff: any; a customer: their own), else None:
        not found and not theirs are one answer. The same rule as the lists'."""
        ...

    async def lock(self, case_id: str) -> None:
        """Hold the case's row until the unit of work ends, before reading it: writers that
        change a case as they find it (a message, a refund request) queue here instead of
        conflicting. On SQLite the one writer already holds everything."""
        ...

    async def save(self, case: SupportCase) -> None:
        """Raises VersionConflict when the case changed since it was read."""
        ...

    async def touch(self, case: SupportCase, now: datetime) -> None:
        """Mark the case changed (a refund was added to it) under the same optimistic
        concurrency as ``save``: a concurrent change of the case now conflicts."""
        ...

    async def has_open_refunds(self, case_id: str) -> bool: ...

    async def sla_checks_due(self, now: datetime, limit: int) -> list[str]:
        """Ids of cases whose SLA status time alone has changed by ``now``."""
        ...

    async def refresh_sla(self, case: SupportCase, now: datetime) -> bool:
        """Work the clocks out again at ``now`` (recording a breach as a change of the
        case); False when the case changed since it was read."""
        ...


class MessageRepository(Protocol):
    async def add(self, message: Message) -> None: ...


class AttachmentRepository(Protocol):
    async def add(self, attachment: Attachment) -> None: ...

    async def get(self, attachment_id: str) -> Attachment | None:
        """Any file, whoever asks; with ``case_id`` of a case the caller may read."""
        ...

    async def of_case(self, case_id: str) -> list[Attachment]:
        """Every file of the case, oldest first (redacted ones too: they stay listed)."""
        ...

    async def totals(self, case_id: str) -> tuple[int, int]:
        """How many files the case holds and their bytes (redacted ones not counted)."""
        ...

    async def link(
        self, attachment_ids: Sequence[str], *, message_id: str | None, refund_id: str | None
    ) -> int:
        """Name the files as the message's or refund's, each only if nothing names it yet;
        how many were named (fewer: another writer got there first)."""
        ...

    async def redact(self, attachment: Attachment) -> None: ...

    async def remove(self, attachment_id: str) -> bool:
        """Forget an unlinked file; False if it was linked or gone meanwhile."""
        ...


class RefundRepository(Protocol):
    async def add(self, refund: Refund) -> None: ...

    async def get(self, refund_id: str) -> Refund | None:
        """Any refund, whoever asks: for the system's own work (reconciliation)."""
        ...

    async def get_for(self, actor: Actor, refund_id: str) -> Refund | None:
        """The refund if the actor may read it, else None (see ``CaseRepository.get_for``)."""
        ...

    async def of_case(self, case_id: str) -> list[Refund]: ...

    async def of_order(self, order_id: str) -> list[Refund]: ...

    async def save(self, refund: Refund, *, expected_status: RefundStatus | None = None) -> None:
        """Raises VersionConflict when the refund changed since it was read."""
        ...

    async def lock_order(self, order_id: str) -> None: ...

    async def units_taken(self, order_id: str) -> tuple[dict[str, int], bool]: ...

    async def claim_for_reconciliation(
        self, *, now: datetime, stale_before: datetime, lease_until: datetime, limit: int
    ) -> list[str]: ...


class PaymentEventRepository(Protocol):
    """The payment gateway's events we have acted on, by the gateway's event id."""

    async def claim(self, event_id: str, *, type: str, now: datetime) -> bool:
        """Note the event as handled in this transaction; False when it was handled
        before (a re-send), or is being handled by a concurrent transaction that commits."""
        ...

    async def record_outcome(self, event_id: str, *, refund_id: str | None, outcome: str) -> None:
        """What handling the claimed event did (for the log of events)."""
        ...


class ReadQueries(Protocol):
    """The read side: lists straight from the store, each holding only what the actor may
    read (the rule of ``get_for``). A sub-resource of something the actor may not read is
    None, which the use case answers as not found."""

    async def case(self, actor: Actor, case_id: str, *, with_events: bool) -> CaseRead | None:
        """The case if the actor may read it, with its refunds and, if asked, its own
        events, all from one snapshot: the read of a case page, the API's most frequent."""
        ...

    async def cases(
        self, actor: Actor, filters: CaseFilters, *, limit: int, cursor: str | None
    ) -> PageOf[tuple[SupportCase, list[Refund]]]: ...

    async def refunds(
        self, actor: Actor, filters: RefundFilters, *, limit: int, cursor: str | None
    ) -> PageOf[Refund]: ...

    async def messages(self, actor: Actor, case_id: str) -> list[Message] | None:
        """Oldest first; a customer never reads an internal note."""
        ...

    async def case_history(self, actor: Actor, case_id: str) -> list[Event] | None:
        """The events of the case and its refunds, oldest first, as the actor reads them."""
        ...

    async def refund_history(self, actor: Actor, refund_id: str) -> list[Event] | None: ...

    async def stats(self, now: datetime) -> Stats:
        """The overview's figures over every case and refund (staff only)."""
        ...

    async def customer(self, customer_id: str) -> Customer | None:
        """Who a customer is as we know them: the name and address the order system gave
        with their last case, else their account's; None if we know neither."""
        ...

    async def has_account(self, customer_id: str) -> bool:
        """Whether the customer can sign in here (an active account names them)."""
        ...

    async def refunds_of_customer(self, customer_id: str) -> list[Refund]:
        """Every refund of the customer, newest first (staff only: for their figures)."""
        ...


class UserRepository(Protocol):
    async def get(self, user_id: str) -> UserAccount | None: ...

    async def by_email(self, email: str) -> UserAccount | None: ...

    async def add(self, user: UserAccount) -> None: ...

    async def set_active(self, user_id: str, active: bool) -> None: ...
    async def set_role(self, user_id: str, role: Role) -> None: ...

    async def set_password(
        self, user_id: str, password_hash: str, *, sessions_since: datetime
    ) -> None:
        """A new password; tokens issued before ``sessions_since`` stop working."""
        ...

    async def by_customer_id(self, customer_id: str) -> UserAccount | None:
        """The customer's account (the oldest, should there be several)."""
        ...

    async def active_admin_ids(self) -> set[str]:
        """The active admins, locked until the transaction ends (where the database locks
        rows; SQLite's single writer needs no lock)."""
        ...

    async def list(self) -> Sequence[UserAccount]: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls it back."""

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def messages(self) -> MessageRepository: ...

    @property
    def refunds(self) -> RefundRepository: ...

    @property
    def attachments(self) -> AttachmentRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def notification_settings(self) -> NotificationSettingsRepository: ...

    @property
    def payment_events(self) -> PaymentEventRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class InspectedFile:
    """A file as it will be stored: its type by its content, and its bytes (an image's
    decoded and written again, without its metadata)."""

    media_type: MediaType
    data: bytes


class FileInspector(Protocol):
    """Decides what an uploaded file is and makes it safe to hand out. Raises
    ``UnsupportedMediaType`` for anything but the kinds taken, ``ValidationFailed`` for a
    file of such a kind that does not decode (truncated, malformed), ``PayloadTooLarge``
    for an image larger decoded than the limit (a decompression bomb)."""

    async def inspect(self, data: bytes) -> InspectedFile: ...


@dataclass(frozen=True, slots=True)
class SignedUrl:
    url: str
    expires_in: int


class FileStorage(Protocol):
    """Where the files' bytes live: a directory, or an S3-compatible bucket. Keys are ours
    (``<case id>/<attachment id>``), never a name a client sent."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks; ``FileMissing`` if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Idempotent: a key that holds nothing is already deleted."""
        ...

    async def keys(self, prefix: str = "") -> list[str]: ...

    async def signed_url(
        self, key: str, *, filename: str, content_type: str, inline: bool, ttl_seconds: int
    ) -> SignedUrl | None:
        """A short-lived URL that gives the bytes without our token, where the storage can
        make one (S3); None where the API streams them itself."""
        ...

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...


class FileMissing(Exception):
    """The storage holds nothing under the key."""


class UploadMetrics(Protocol):
    """Counts uploads taken and refused, and the bytes taken (GET /metrics)."""

    def stored(self, content_type: str, size: int) -> None: ...

    def refused(self, code: str) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password: str, password_hash: str) -> bool: ...

    def dummy_hash(self) -> str:
        """A hash of no one's password: verifying against it keeps an unknown email as slow
        as a wrong password."""
        ...


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class RefreshClaims:
    user_id: str
    token_id: str
    family_id: str
    expires_at: datetime
    issued_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: str
    role: Role
    customer_id: str | None
    token_id: str
    expires_at: datetime
    # The sign-in (refresh-token family) this access token belongs to; None for tokens of
    # the identity provider and for ours issued before the claim existed.
    session_id: str | None = None
    issued_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, role=self.role, customer_id=self.customer_id)


class TokenIssuer(Protocol):
    """Signs and reads our own tokens. Reading raises Unauthenticated on anything wrong."""

    def issue(self, user: UserAccount, family_id: str) -> tuple[TokenPair, str]:
        """A new access + refresh pair; also returns the refresh token's id."""
        ...

    def read_access(self, token: str) -> AccessClaims: ...

    def read_refresh(self, token: str) -> RefreshClaims: ...

    def is_ours(self, token: str) -> bool:
        """Whether the token claims to be one of ours (before any check of it)."""
        ...


class IdentityProvider(Protocol):
    """Access tokens of the shop's own identity provider, when one is configured. Reading
    raises Unauthenticated on anything wrong."""

    @property
    def configured(self) -> bool: ...

    def read_access(self, token: str) -> AccessClaims: ...


class LinkTokens(Protocol):
    """Signed, short-lived tokens for links sent by mail. Each is for one ``purpose`` and
    names what it is for in ``claims``; reading one of another purpose, expired, altered or
    not ours raises InvalidLink saying which."""

    def issue(self, purpose: str, claims: dict[str, str], ttl_seconds: int) -> str: ...

    def read(self, purpose: str, token: str) -> LinkClaims: ...


@dataclass(frozen=True, slots=True)
class LinkClaims:
    token_id: str
    expires_at: datetime
    claims: dict[str, str]


class AccountMail(Protocol):
    """Mails about a person's own account, sent at once rather than through the outbox:
    a link in them is a secret, kept nowhere but in the mail. ``link`` is a path of the
    web app. Raises on failure; the caller decides whether that matters."""

    async def sign_in_link(
        self, to: Person, link: str, order_id: str, valid_minutes: int
    ) -> None: ...

    async def password_reset(self, to: Person, link: str, valid_minutes: int) -> None: ...


class PasswordPolicy(Protocol):
    def problem(self, password: str, *, about: Sequence[str]) -> str | None:
        """Why the password may not be chosen (too short, common, guessable from the
        person's own ``about`` words: email, name), or None when it may."""
        ...


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who the shop's identity provider says signed in, from an ID token it signed for us:
    the role and customer id read from the same claims as its access tokens."""

    subject: str
    role: Role
    customer_id: str | None
    email: str | None
    email_verified: bool | None  # None: the provider did not say
    name: str | None
    session_id: str | None  # the provider's own sign-in (``sid``), for its sign-out


@dataclass(frozen=True, slots=True)
class ProviderSignOut:
    """A verified back-channel logout token: the provider's sign-in that ended (``sid``),
    or every one of the person (``sub``), or both."""

    token_id: str
    subject: str | None
    session_id: str | None


class ProviderRefused(Exception):
    """The identity provider refused the sign-in, or what it answered does not prove who
    signed in (a bad ID token, a wrong nonce, issuer or audience). ``reason`` is a stable
    word for the web app's error page; the message is for the log only."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ProviderUnavailable(Exception):
    """The identity provider did not answer (or not in time, or not in its own format)."""


class OpenIdProvider(Protocol):
    """The shop's identity provider, by OpenID Connect: where to send a person to sign in,
    the code it gives back exchanged for who signed in, and its sign-out notices."""

    @property
    def display_name(self) -> str: ...

    async def authorization_url(
        self, *, state: str, nonce: str, code_verifier: str, redirect_uri: str
    ) -> str:
        """The provider's authorize URL for this sign-in (PKCE S256). ProviderUnavailable
        when its discovery document cannot be read."""
        ...

    async def identity(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> ProviderIdentity:
        """Exchange the code and verify the ID token (signature, issuer, audience, expiry,
        nonce). ProviderRefused or ProviderUnavailable."""
        ...

    async def sign_out(self, logout_token: str) -> ProviderSignOut:
        """Verify a back-channel logout token; ProviderRefused when it is not one."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """An outbox row as admins see it."""

    id: int
    event_id: str
    event_type: str
    case_id: str
    channel: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    """What metrics and readiness need: undelivered rows per channel, when the oldest of
    them was written, and since when the longest-waiting due row has been left untaken."""

    depth: dict[str, int]
    oldest_pending_at: datetime | None
    oldest_untaken_due_at: datetime | None


class OutboxStore(Protocol):
    """The outbox table. Every method is its own short transaction: the dispatcher delivers
    between them, never inside one."""

    async def claim(
        self,
        *,
        channels: Sequence[str],
        owner: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
    ) -> list[OutboxItem]:
        """Lease up to ``limit`` due rows of these channels to ``owner``, oldest first. A row
        leased to another owner whose lease has not ended is never claimed."""
        ...

    async def record(self, outcomes: Sequence[Outcome], *, owner: str, now: datetime) -> set[int]:
        """Record a batch's outcomes in one transaction, each only where ``owner`` still
        holds the row's lease; the ids recorded (the others' leases were lost)."""
        ...

    async def delivered(self, item_id: int, *, owner: str, now: datetime) -> bool:
        """Mark the row delivered if ``owner`` still holds its lease."""
        ...

    async def failed(
        self,
        item_id: int,
        *,
        owner: str,
        attempts: int,
        retry_at: datetime | None,
        error: str,
        progress: dict[str, Any] | None,
    ) -> bool:
        """Record a failed try: due again at ``retry_at``, or dead when it is None."""
        ...

    async def get(self, item_id: int) -> OutboxEntry | None: ...

    async def requeue(self, item_id: int, *, now: datetime) -> OutboxEntry | None:
        """A dead row pending again and due now, with a fresh count of tries; None if it
        was not dead (any more) when the update ran."""
        ...

    async def health(self, *, now: datetime) -> OutboxHealth: ...


class MailFactsReader(Protocol):
    """What the mail channel reads about an event when it delivers it."""

    async def facts_for(self, event: Event) -> MailFacts | None:
        """The case (and refund, and message) the event concerns and the people involved,
        as they are now; None when the case is not there."""
        ...


class NotificationSettingsRepository(Protocol):
    async def get(self, user_id: str) -> NotificationSettings:
        """The user's choices; the defaults when they never chose."""
        ...

    async def save(self, user_id: str, settings: NotificationSettings, now: datetime) -> None: ...
