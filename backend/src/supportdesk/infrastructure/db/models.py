"""Tables. These are persistence records, mapped to and from the domain in repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An autoincrementing 64-bit key on PostgreSQL that is SQLite's rowid alias there.
SequenceKey = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on the way in and out, also on SQLite (which stores text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """On SQLite the text read back is what ``process_bind_param`` wrote, UTC without
        an offset: read in one step rather than through the dialect's parser and then
        ``process_result_value`` (three Python calls a value, six values a case, 25 cases
        a page)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _utc_from_sqlite


def _utc_from_sqlite(value: str | None) -> datetime | None:
    if value is None:
        return None
    # Read with the offset it was written without: an eighth of the CPU of parsing and
    # then ``replace(tzinfo=UTC)`` (which alone was 8 % of a page of cases). Text that
    # already carries an offset, or is not a moment, is not read this way: the long way.
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:
        return _as_utc(datetime.fromisoformat(value))


def _as_utc(moment: datetime) -> datetime:
    """A naive moment read back is UTC (that is how it was written)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class UserRecord(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Tokens issued before this stop working (a password reset ends every sign-in).
    sessions_since: Mapped[datetime | None] = mapped_column(default=None)


class SupportCaseRecord(Base):
    __tablename__ = "support_cases"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[str | None] = mapped_column(String(40))
    order_snapshot: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(16), default="web", server_default="web")
    # The SLA clocks as last worked out from the case's history (docs/sla.md): the due
    # times still pending, the earliest of them (the list's ``due_at`` sort), the status,
    # and when time alone next changes the status (the sweep's work list).
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    sla_status: Mapped[str | None] = mapped_column(String(16))
    sla_check_at: Mapped[datetime | None]
    first_responded_at: Mapped[datetime | None]
    # ``Priority.rank`` (0 low … 3 urgent), kept beside the word so that a list sorted by
    # priority walks an index instead of sorting every row (0012).
    priority_rank: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (
        Index("ix_support_cases_created", "created_at", "id"),
        Index("ix_support_cases_due", "due_at", "id"),
        Index("ix_support_cases_sla_status_due", "sla_status", "due_at", "id"),
        Index("ix_support_cases_sla_check", "sla_check_at"),
        Index("ix_support_cases_updated", "updated_at", "id"),
        Index("ix_support_cases_status_created", "status", "created_at", "id"),
        Index(
            "ix_support_cases_assignee_status_created", "assignee_id", "status", "created_at", "id"
        ),
        Index("ix_support_cases_customer_created", "customer_id", "created_at", "id"),
        Index("ix_support_cases_order", "order_id"),
        Index("ix_support_cases_priority_created", "priority_rank", "created_at", "id"),
    )


class MessageRecord(Base):
    __tablename__ = "messages"

    seq: Mapped[int] = mapped_column(SequenceKey, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("support_cases.id"))
    author_id: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_messages_case", "case_id", "seq"),)


class RefundRecord(Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    support_case_id: Mapped[str] = mapped_column(ForeignKey("support_cases.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(64))
    payment_reference: Mapped[str] = mapped_column(String(128))
    delivered_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    items: Mapped[list[Any]]
    include_shipping: Mapped[bool] = mapped_column(Boolean)
    shipping_amount: Mapped[int] = mapped_column(BigInteger)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    # units, or amount: a refund of an amount not tied to units (no lines, no shipping).
    kind: Mapped[str] = mapped_column(String(10), default="units", server_default="units")
    reason: Mapped[str] = mapped_column(Text)
    approval_window: Mapped[dict[str, Any] | None]
    settlement: Mapped[dict[str, Any] | None]
    gateway_refund_id: Mapped[str | None] = mapped_column(String(128))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    pending_reason: Mapped[str | None] = mapped_column(String(64))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    restock: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reconcile_lease_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    final_at: Mapped[datetime | None]
    # Who the order system said the customer was (docs/customers.md); null before 0011.
    customer_name: Mapped[str | None] = mapped_column(String(200))
    customer_email: Mapped[str | None] = mapped_column(String(320))
    # Chosen from ``reason_codes`` (docs/refund-reasons.md); null before 0017.
    reason_code: Mapped[str | None] = mapped_column(String(40))
    # What decides the refund's window (docs/refund-window.md); null before 0019.
    shipped_at: Mapped[datetime | None]
    window_basis: Mapped[str | None] = mapped_column(String(20))
    # The last decision's policy version, rule, words and facts (docs/refund-policy.md),
    # and when it was taken: the dry run reads the decisions of the last days by it.
    decision: Mapped[dict[str, Any] | None]
    decided_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_refunds_created", "created_at", "id"),
        Index("ix_refunds_decided", "decided_at"),
        Index("ix_refunds_status_created", "status", "created_at", "id"),
        Index("ix_refunds_order", "order_id"),
        Index("ix_refunds_customer_created", "customer_id", "created_at", "id"),
        Index("ix_refunds_case", "support_case_id"),
    )


class CustomerRecord(Base):
    """The shop's customers as the order system last named them on an order a case was
    opened about: the directory ``q`` looks names and addresses up in (docs/customers.md),
    beside the customers' accounts in ``users``. Much smaller than the cases."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # Lower-cased once here, so a search compares without lower() on every row.
    search_text: Mapped[str] = mapped_column(String(530))
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_customers_email", "email"),)


class OrderLedgerRecord(Base):
    """One row per order with refunds: updating it serialises refund requests of that order."""

    __tablename__ = "order_ledgers"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class EventRecord(Base):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(SequenceKey, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    note_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        Index("ix_events_case", "case_id", "seq"),
        Index("ix_events_entity", "entity_id", "seq"),
    )


class OutboxRecord(Base):
    """A notification a committed change implies, written in the change's transaction and
    delivered afterwards by the dispatcher: one row per history event per channel."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(SequenceKey, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    case_id: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending/delivered/dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # What a channel has already done for this row (say, the recipients already mailed),
    # so that a retry does only the rest.
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    # Whom the row is for within its channel (a webhook endpoint's id), or "" for a channel
    # that finds its recipients itself at delivery (email).
    target: Mapped[str] = mapped_column(String(40), default="", server_default="")

    __table_args__ = (
        # At most one undelivered row per event, channel and target: a delivered webhook
        # sent again is a new row beside it.
        Index(
            "uq_outbox_undelivered",
            "event_id",
            "channel",
            "target",
            unique=True,
            sqlite_where=text("state <> 'delivered'"),
            postgresql_where=text("state <> 'delivered'"),
        ),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_channel_target", "channel", "target"),
    )


class WebhookEndpointRecord(Base):
    """A URL of the shop's that is told of events (docs/webhooks.md)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    event_types: Mapped[list[Any]] = mapped_column(default=list)  # empty: every type
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Kept as given out: signing needs the secret itself. Readable only by admins' API
    # calls at creation and rotation; never logged.
    secret: Mapped[str] = mapped_column(Text)
    previous_secret: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WebhookAttemptRecord(Base):
    """One try at delivering one outbox row to its endpoint, for the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(SequenceKey, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(SequenceKey, index=True)
    endpoint_id: Mapped[str] = mapped_column(String(40))
    attempt: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class PaymentGatewayEventRecord(Base):
    """An event the payment gateway sent us, by its id: each is acted on once, however
    often the gateway sends it (Stripe re-sends until it hears a 2xx)."""

    __tablename__ = "payment_gateway_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    refund_id: Mapped[str | None] = mapped_column(String(40))
    # What it did: the history event it caused, or why it changed nothing.
    outcome: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]


class NotificationSettingsRecord(Base):
    """A staff member's choice of notifications. No row means the defaults."""

    __tablename__ = "notification_settings"

    user_id: Mapped[str] = mapped_column(String(40), ForeignKey("users.id"), primary_key=True)
    case_replies: Mapped[bool] = mapped_column(Boolean, default=True)
    new_unassigned: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisor_approvals: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]


class CannedReplyRecord(Base):
    __tablename__ = "canned_replies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean)
    set_status: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_canned_replies_created", "created_at", "id"),
        Index("ix_canned_replies_owner", "owner_id"),
    )


class ReasonCodeRecord(Base):
    """Why money goes back: the list admins keep (docs/refund-reasons.md)."""

    __tablename__ = "reason_codes"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RefundPolicyRecord(Base):
    """The refund policy's versions, each kept whole (docs/refund-policy.md): a new version
    is a new row, never a change to one, so a decision's version always means what it did."""

    __tablename__ = "refund_policies"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class AttachmentRecord(Base):
    """A file on a case (docs/attachments.md). The bytes are in the file storage under
    ``storage_key``; a redacted file keeps its row, without bytes, for the history."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("support_cases.id"))
    uploader_id: Mapped[str] = mapped_column(String(64))
    uploader_role: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    internal: Mapped[bool] = mapped_column(Boolean)
    storage_key: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str | None] = mapped_column(String(40))
    refund_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    redacted_at: Mapped[datetime | None]
    redacted_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_attachments_case", "case_id", "created_at", "id"),)
