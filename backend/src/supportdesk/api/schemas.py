"""Request and response bodies. Inputs forbid unknown fields; text is trimmed and bounded,
holds no control character (tab and line breaks only in free text), and yes/no is a JSON
boolean, never a word."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    EmailStr,
    Field,
    StrictBool,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)

from supportdesk.api.boundary import one_line, refuse_unwanted
from supportdesk.domain.access import Role
from supportdesk.domain.cases import CaseAction, CaseStatus, Category, Channel, Priority
from supportdesk.domain.outbox import OutboxState
from supportdesk.domain.reasons import CODE_PATTERN
from supportdesk.domain.refunds import RefundKind, RefundStatus, SettlementType
from supportdesk.domain.sla import SlaStatus
from supportdesk.domain.webhooks import WebhookEventType
from supportdesk.domain.window import WindowBasis

# Text on one line: tabs and line breaks around it are trimmed, inside it refused.
OneLine = AfterValidator(one_line)
Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Name = Subject
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$"
    ),
]
# A code of the reasons list (GET /reason-codes): whether it is one, and offered, is the
# use case's to say (422 naming the field).
ReasonCodeValue = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40, pattern=CODE_PATTERN)
]
Units = Annotated[int, Field(strict=True, ge=1, le=100_000)]
Cents = Annotated[int, Field(strict=True, ge=0, le=10**12)]

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        """Every text of every input, as sent: no NUL, no other control character but tab
        and line breaks, no lone surrogate (see ``api/boundary.py``)."""
        refuse_unwanted(value, multiline=True)
        return value


class FieldError(BaseModel):
    loc: list[str]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable snake_case ``code``."""

    type: str = "about:blank"
    status: int
    title: str
    detail: str
    code: str
    errors: list[FieldError] | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


# --- auth ---------------------------------------------------------------------------------


class LoginIn(Input):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320), OneLine
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class RefreshIn(Input):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=4096), OneLine]


class LogoutIn(Input):
    refresh_token: Annotated[str, StringConstraints(max_length=4096), OneLine] | None = None


class TokenOut(BaseModel):
    access_token: str
    # Null when the client asked for the refresh token as a cookie (``X-Session-Cookie:
    # 1``, the web app): then it is only ever in the HttpOnly cookie.
    refresh_token: str | None
    token_type: str = "bearer"
    expires_in: int


LinkToken = Annotated[str, StringConstraints(min_length=1, max_length=4096), OneLine]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320), OneLine
]


class OrderLinkIn(Input):
    order_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), OneLine
    ]
    email: Email


class LinkTokenIn(Input):
    token: LinkToken


class PasswordResetIn(Input):
    email: Email


class PasswordResetConfirmIn(Input):
    token: LinkToken
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class AcceptedOut(BaseModel):
    """Taken; what follows happens by mail (and says nothing about who exists)."""

    detail: str


class MeOut(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    customer_id: str | None


class UserCreateIn(Input):
    email: EmailStr
    name: Name
    role: Role
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)]
    customer_id: Identifier | None = None


class UserChangeIn(Input):
    role: Role = Field(
        description="agent, supervisor or admin for staff; a customer's account stays a "
        "customer's (422)"
    )


class UserOut(MeOut):
    active: bool
    created_at: datetime


# --- orders -------------------------------------------------------------------------------


class RefundWindowOut(BaseModel):
    """When a refund may go through the payment gateway, and by which rule (`basis`):
    `delivered` (for the window's days after delivery), `not_shipped` (a cancellation,
    open while the order has not shipped), `lost_in_transit` (a case about an order that
    never arrived, once the parcel counts as lost), `none` (outside: not delivered)."""

    delivered_at: datetime | None
    closes_at: datetime | None = Field(
        description="when the window closes; null while nothing closes it (not shipped) "
        "or nothing opens it (basis none)"
    )
    open: bool
    basis: WindowBasis
    shipped_at: datetime | None = Field(None, description="when the order shipped, if it did")
    opens_at: datetime | None = Field(
        None,
        description="lost_in_transit: the moment the parcel counts as lost; the window is "
        "open strictly after it",
    )


class SnapshotLineOut(BaseModel):
    """An order line as it was when the case was opened."""

    line_id: str
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int
    tax: int
    category: str | None = Field(
        None, description="the product's category in the shop's catalogue, if the order says"
    )
    gross: int = Field(description="quantity x unit price - discount + tax")


class OrderLineOut(SnapshotLineOut):
    """An order line as it is now, with its gross and how many units are still refundable."""

    refundable_quantity: int


class CustomerRefOut(BaseModel):
    """Who the order system says the customer is."""

    id: str
    name: str
    email: str


class ShippingOut(BaseModel):
    amount: int
    tax: int
    refundable: bool


class OrderOut(BaseModel):
    id: str
    customer_id: str
    currency: str
    status: str
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[OrderLineOut]
    shipping: ShippingOut
    refund_window: RefundWindowOut
    compensation: CompensationOut
    customer: CustomerRefOut | None = Field(
        None, description="as the order system names the customer; null if it does not"
    )


# --- support cases ------------------------------------------------------------------------


class CaseCreateIn(Input):
    order_id: Identifier
    subject: Subject
    description: LongText
    category: Category
    priority: Priority = Priority.NORMAL
    channel: Channel | None = Field(
        None,
        description="how the customer reached us: staff must say (web, email, phone, chat); "
        "a customer's own case is web, and a customer sending another channel is refused",
    )


class CasePatchIn(Input):
    status: CaseStatus | None = None
    priority: Priority | None = None
    assignee_id: Annotated[str, StringConstraints(max_length=64), OneLine] | None = Field(
        None, description="a staff user's id; null unassigns"
    )
    note: Reason | None = Field(None, description="for staff only, unless `note_public`")
    note_public: StrictBool = Field(
        False, description="staff: let the customer read the note (a customer's note always is)"
    )


class BlockedActionOut(BaseModel):
    """An action of the caller's role that is not possible now, and why: the code and
    words the action itself would be refused with."""

    action: str
    code: str
    detail: str


class RefundRefOut(BaseModel):
    id: str
    status: RefundStatus
    total_amount: int
    currency: str


class OrderSnapshotOut(BaseModel):
    order_id: str
    currency: str
    lines: list[SnapshotLineOut]


class SlaClockOut(BaseModel):
    state: Literal["running", "paused", "met", "stopped"] = Field(
        description="running; paused while the case waits on the customer; met (first "
        "reply given, case resolved); stopped (resolved or closed before a first reply)"
    )
    due_at: datetime | None = Field(
        description="when the target is reached counting business time only (null while "
        "paused or stopped short of it)"
    )
    met_at: datetime | None
    target_seconds: int = Field(description="the target for the case's priority, business time")
    business_seconds_left: int = Field(
        description="business time left now; negative past the due time"
    )
    breached: bool = Field(description="the due time came before the clock was met")


class SlaOut(BaseModel):
    first_response: SlaClockOut
    resolution: SlaClockOut


class LastMessageOut(BaseModel):
    author_role: str
    excerpt: str
    at: datetime


class SupportCaseOut(BaseModel):
    id: str
    customer_id: str
    order_id: str
    subject: str
    description: str
    category: Category
    priority: Priority
    status: CaseStatus
    assignee_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    refunds: list[RefundRefOut]
    channel: Channel = Field(description="how the customer reached us about the case")
    refund_reason_code: str = Field(
        "other",
        description="the reason its category suggests for a refund request (what a request "
        "naming none gets, while the reasons list offers it; else other)",
    )
    customer: CustomerRefOut | None = Field(
        None,
        description="staff only: who the order system said the customer was when the case "
        "was opened (null for customers, and on cases from before it said so)",
    )
    order_snapshot: OrderSnapshotOut | None = None
    last_message: LastMessageOut | None = Field(
        None,
        description="in lists: the case's last public message, shortened (null without one, "
        "and on single reads)",
    )
    allowed_actions: list[CaseAction] = Field(
        description="what the caller may do now: reply, add_internal_note, assign, "
        "change_priority, request_refund, close, reopen"
    )
    allowed_moves: list[CaseStatus] = Field(
        description="the statuses the caller may move the case to now"
    )
    blocked_actions: list[BlockedActionOut] = Field(
        description="the caller's other actions, each with why it is not possible now"
    )
    first_response_due_at: datetime | None = Field(
        None,
        description="staff only: when the first reply is due (null once given, while the "
        "clock is paused, or when nothing is pending); docs/sla.md",
    )
    resolution_due_at: datetime | None = Field(
        None, description="staff only: when the case is due to be resolved (as above)"
    )
    sla_status: SlaStatus | None = Field(
        None,
        description="staff only: ok, at_risk (last 20 % of a target), breached, paused "
        "(waiting on the customer); null when no clock waits for anything",
    )
    sla: SlaOut | None = Field(
        None, description="staff only, on a single case: both clocks in detail"
    )


AttachmentIds = Annotated[
    list[Identifier],
    Field(
        max_length=10,
        description="files uploaded to the case (POST /support-cases/{id}/attachments) by "
        "the writer, not yet named by another message or refund request; at most 10",
    ),
]


class MessageIn(Input):
    body: LongText
    internal: StrictBool = False
    attachment_ids: AttachmentIds = []


class AttachmentOut(BaseModel):
    id: str
    case_id: str
    filename: str = Field(description="the name sent, for display; the type's own ending")
    content_type: str = Field(description="decided by the content: JPEG, PNG, WebP or PDF")
    size: int
    internal: bool
    created_at: datetime
    uploader_id: str
    uploader_role: str
    message_id: str | None
    refund_id: str | None
    redacted: bool = Field(description="an admin removed the file: its bytes are gone")
    url: str = Field(description="where its bytes are read (GET, with the bearer token)")


class MessageOut(BaseModel):
    id: str
    case_id: str
    author_id: str
    author_role: str
    body: str
    internal: bool
    created_at: datetime
    attachments: list[AttachmentOut] = []


class EventOut(BaseModel):
    id: str
    at: datetime
    actor_id: str
    actor_role: str
    entity: str
    entity_id: str
    type: str
    from_status: str | None
    to_status: str | None
    note: str | None
    note_public: bool = Field(description="whether the customer reads this event's note")


# --- refunds ------------------------------------------------------------------------------


class RefundItemIn(Input):
    line_id: Identifier
    quantity: Units
    reason_code: ReasonCodeValue | None = Field(
        None, description="this line's own reason, when it is not the refund's `reason_code`"
    )


class RefundQuoteIn(Input):
    items: list[RefundItemIn] = Field(min_length=1, max_length=100)
    reason: Reason = Field(description="in the requester's own words: the note of the reason")
    include_shipping: StrictBool = False
    reason_code: ReasonCodeValue | None = Field(
        None,
        description="why, from GET /reason-codes (offered ones only); absent: the case "
        "category's reason (damaged_item: damaged, wrong_item: wrong_item, missing_item: "
        "missing_item, not_delivered: not_delivered), else other",
    )


class RefundRequestIn(RefundQuoteIn):
    kind: Literal["units"] = Field("units", description="units of order lines (the default)")
    attachment_ids: AttachmentIds = []


class AmountRefundIn(Input):
    """Staff only: an amount not tied to units (a goodwill gesture, shipping only, a price
    adjustment), drawn on the order's compensation budget like every refund."""

    kind: Literal["amount"]
    amount: Annotated[int, Field(strict=True, ge=1, le=10**12)] = Field(
        description="in the order currency's minor unit, at most what remains of the order's "
        "compensation budget (else 422 compensation_exceeded)"
    )
    reason_code: ReasonCodeValue = Field(description="why, from GET /reason-codes")
    note: Reason | None = Field(None, description="the customer reads it")
    attachment_ids: AttachmentIds = []


def _refund_kind(body: object) -> str:
    # A body without ``kind`` is a refund of units, as every request was before amounts.
    if isinstance(body, dict):
        return str(body.get("kind", "units"))
    return str(getattr(body, "kind", "units"))


# The tags of the bodies that come in variants. Pydantic names the variant in an error's
# location ("body.units.include_shipping"); the client never sent that word, so the error
# handler leaves it out and the location is the field the client sent.
BODY_VARIANT_TAGS = frozenset({"units", "amount"})

RefundRequestBody = Annotated[
    Annotated[RefundRequestIn, Tag("units")] | Annotated[AmountRefundIn, Tag("amount")],
    Discriminator(_refund_kind),
]


class CompensationOut(BaseModel):
    """The order's one compensation budget: what the customer paid, what has gone back
    (refunded or settled), what refunds not yet final hold, and what remains to give."""

    currency: str
    paid: int
    out: int
    held: int
    remaining: int


class RefundItemOut(BaseModel):
    line_id: str
    sku: str
    name: str
    quantity: int
    parts: list[int]
    amount: int
    reason_code: str | None = Field(
        None, description="this line's reason: its own, or the refund's (null in a quote)"
    )
    reason_label: str | None = None


class QuoteOut(BaseModel):
    currency: str
    items: list[RefundItemOut]
    include_shipping: bool
    shipping_amount: int
    total_amount: int
    refund_window: RefundWindowOut
    compensation: CompensationOut


class SettlementOut(BaseModel):
    type: SettlementType
    amount: int
    note: str
    reference: str | None
    reason_code: str | None = Field(
        None, description="why it was settled: the refund's reason unless staff chose another"
    )
    reason_label: str | None = None


class RefundDecisionOut(BaseModel):
    policy_version: int
    rule: str = Field(
        description="delivered_within_window, not_shipped, lost_in_transit, outside_window, "
        "final_sale (approvals and rejections: what opened or closed the gateway); "
        "within_agent_limit, above_agent_limit (settlements)"
    )
    explanation: str = Field(
        examples=[
            "approved under policy v3: delivered 5 days ago, window 14 days; amount €89.99 "
            "within the agent limit of €500"
        ]
    )
    decided_at: datetime


class RefundOut(BaseModel):
    id: str
    support_case_id: str
    order_id: str
    customer_id: str
    needs_supervisor: bool | None = Field(
        None,
        description="staff only: above the supervisor threshold, so only a supervisor or an "
        "admin may approve it (null for customers)",
    )
    settle_limit: int | None = Field(
        None,
        description="staff only: the most the caller may record as a settlement of this "
        "refund. Agents decide at most the supervisor threshold per order, counting what "
        "the order's other refunds already give; supervisors and admins up to the total "
        "(null for customers)",
    )
    confirm_above: int | None = Field(
        None,
        description="staff only: REFUND_CONFIRM_ABOVE, in minor units; the web app asks to "
        "confirm amount, customer and method before more than this leaves, through the "
        "gateway or as a settlement (null for customers)",
    )
    customer: CustomerRefOut | None = Field(
        None,
        description="staff only: who the order system said the customer was when the refund "
        "was asked for (null for customers, and on refunds from before it said so)",
    )
    status: RefundStatus
    kind: RefundKind = Field(
        description="units of order lines, or an amount not tied to units (no items)"
    )
    currency: str
    items: list[RefundItemOut]
    include_shipping: bool
    shipping_amount: int
    total_amount: int
    reason: str = Field(description="the requester's own words")
    reason_code: str | None = Field(
        None, description="the reason from the reasons list (null on refunds from before it)"
    )
    reason_label: str | None = Field(None, description="its label as the list names it now")
    refund_window: RefundWindowOut
    approval_window: RefundWindowOut | None
    decision: RefundDecisionOut | None = Field(
        description="the last decision (approval, rejection, settlement): the refund policy's "
        "version it was taken under, the rule that decided it and why, in words"
    )
    settlement: SettlementOut | None
    gateway_refund_id: str | None
    came_back: bool = Field(
        default=False,
        description="failed after the payment gateway had made it: the customer's bank sent "
        "the money back (failure_reason says why); settle it another way or execute again",
    )
    pending_reason: str | None = Field(
        default=None,
        description="why the payment gateway still holds a processing refund (Stripe's "
        "pending_reason: processing, insufficient_funds, charge_pending)",
    )
    bank_reference: str | None = Field(
        default=None,
        description="the reference the customer's bank shows for the refund (a card refund's "
        "acquirer reference number), when the payment gateway gave one",
    )
    failure_reason: str | None
    attempt: int
    restock: bool = Field(
        description="whether the refunded units go back in stock (told to the order system): "
        "the case category's default until staff decide at approval or settlement"
    )
    allowed_actions: list[str] = Field(
        description="what the caller may do now: approve, reject, cancel, execute, settle"
    )
    blocked_actions: list[BlockedActionOut] = Field(
        description="the caller's other actions, each with why it is not possible now"
    )
    final: bool = Field(description="whether the refund's status is final: nothing changes it")
    version: int
    created_at: datetime
    updated_at: datetime
    time_to_money_seconds: int | None = Field(
        None,
        description="staff only: from the request to the money sent (refunded, or a "
        "settlement recorded); null until then (docs/sla.md)",
    )


class ApproveIn(Input):
    note: Reason | None = Field(None, description="for staff only, unless `note_public`")
    note_public: StrictBool = Field(False, description="let the customer read the note")
    restock: StrictBool | None = Field(
        None,
        description="put the refunded units back in stock; absent: the refund's `restock` "
        "(the case category's default)",
    )


class RejectIn(Input):
    reason: Reason = Field(description="the customer reads it")


class SettlementIn(Input):
    type: SettlementType
    amount: Cents
    note: Reason = Field(description="the customer reads it")
    reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), OneLine] | None
    ) = None
    restock: StrictBool | None = Field(
        None, description="put the units back in stock; absent: the refund's `restock`"
    )
    reason_code: ReasonCodeValue | None = Field(
        None, description="why, from GET /reason-codes; absent: the refund's `reason_code`"
    )


# --- overview -----------------------------------------------------------------------------


class MoneyTotal(BaseModel):
    currency: str
    amount: int


class DayCount(BaseModel):
    day: str
    count: int


class WeekDuration(BaseModel):
    week: str = Field(description="ISO week, like 2026-W49")
    median_seconds: float
    refunds: int


class ReasonStatsOut(BaseModel):
    reason_code: str | None = Field(description="null: refunds from before the reasons list")
    reason_label: str | None
    currency: str
    refunds: int = Field(description="refunds asked for with this reason, in any status")
    refunded_amount: int = Field(
        description="paid back through the gateway for this reason: each line under its own "
        "reason, shipping under the refund's"
    )
    settled_amount: int = Field(description="settlements recorded with this reason")


class StatsOut(BaseModel):
    as_of: datetime = Field(description="when the figures were counted (at most 15 s ago)")
    cases_by_status: dict[str, int]
    refunds_by_status: dict[str, int]
    refunded_totals: list[MoneyTotal]
    settled_totals: list[MoneyTotal]
    median_seconds_to_final_30d: float | None
    refunds_per_day: list[DayCount]
    sla_breaches_30d: dict[str, int] = Field(
        default_factory=dict,
        description="SLA breaches recorded in the last 30 days, per clock (first_response, "
        "resolution)",
    )
    cases_by_sla_status: dict[str, int] = Field(
        default_factory=dict,
        description="cases per SLA status now (ok, at_risk, breached, paused); cases "
        "waiting for nothing are not counted",
    )
    time_to_money_weeks: list[WeekDuration] = Field(
        default_factory=list,
        description="per ISO week of the last 8: the median time from a refund's request to "
        "the money sent (refunded or settled), over the refunds that got there that week",
    )
    refunds_by_reason: list[ReasonStatsOut] = Field(
        default_factory=list,
        description="per reason and currency, in the order the reasons list offers them "
        "(refunds without a reason last)",
    )


# --- payment gateway -------------------------------------------------------------------

PaymentEventOutcome = Literal[
    "refunded", "failed", "reversed", "pending", "bank_reference", "unchanged", "ignored",
    "duplicate",
]  # fmt: skip


class PaymentEventReceived(BaseModel):
    received: Literal[True] = True
    outcome: PaymentEventOutcome = Field(
        description="what the event did: refunded, failed, reversed (failed after succeeded), "
        "pending, bank_reference, unchanged (older news than the refund's state), ignored "
        "(not about one of our refunds), duplicate (acted on before)"
    )


# --- outbox -------------------------------------------------------------------------------


class OutboxItemOut(BaseModel):
    """A notification a change implied, and how its delivery goes."""

    id: int
    event_id: str
    event_type: str
    case_id: str
    channel: str
    state: OutboxState
    attempts: int = Field(description="tries made so far (since the last retry by hand)")
    last_error: str | None
    next_attempt_at: datetime = Field(description="when a pending item is tried next")
    created_at: datetime
    delivered_at: datetime | None


# --- webhooks -----------------------------------------------------------------------------

EndpointUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000), OneLine
]
EndpointDescription = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), OneLine
]
EventTypes = Annotated[
    list[WebhookEventType],
    Field(max_length=len(WebhookEventType), description="empty: every event type"),
]


class WebhookEndpointIn(Input):
    url: EndpointUrl
    event_types: EventTypes = []
    description: EndpointDescription | None = None


class WebhookEndpointPatchIn(Input):
    url: EndpointUrl | None = None
    event_types: EventTypes | None = None
    description: EndpointDescription | None = None
    active: StrictBool | None = Field(None, description="true turns an endpoint on again")


class WebhookEndpointOut(BaseModel):
    id: str
    url: str
    event_types: list[WebhookEventType]
    description: str | None
    active: bool
    disabled_reason: str | None = Field(
        description="why the service turned it off (days of failed tries); null otherwise"
    )
    previous_secret_valid_until: datetime | None = Field(
        None, description="after a rotation: the old secret signs too until then"
    )
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecretOut(WebhookEndpointOut):
    secret: str = Field(
        description="whsec_…: signs every delivery; shown only here, at creation and rotation"
    )


class WebhookDeliveryOut(BaseModel):
    """One event for one endpoint, with its last try."""

    id: int
    event_id: str = Field(description="the webhook-id header and the body's id")
    event_type: str
    attempt: int = Field(description="tries made so far (since it was last sent again)")
    state: Literal["pending", "failed", "delivered", "dead"]
    status_code: int | None
    latency_ms: int | None
    response_excerpt: str | None = Field(description="the first KB of the last answer")
    error: str | None
    at: datetime = Field(description="of the last try, or when it was queued")
    next_attempt_at: datetime | None


class NotificationSettingsOut(BaseModel):
    """Which mails a staff member gets (customers' mails are the shop's to switch)."""

    case_replies: bool = Field(description="a customer's reply on a case assigned to me")
    new_unassigned: bool = Field(description="a new case or refund nobody is assigned to")
    supervisor_approvals: bool | None = Field(
        description="a refund above the threshold waits for a supervisor; null for staff "
        "who do not approve such refunds (agents): not theirs to choose, and a PATCH of it "
        "by them is 422"
    )


class NotificationSettingsPatch(Input):
    """Any subset; what is left out stays as it is. ``null`` is not a choice."""

    case_replies: StrictBool | None = None
    new_unassigned: StrictBool | None = None
    supervisor_approvals: StrictBool | None = None

    @field_validator("case_replies", "new_unassigned", "supervisor_approvals", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("true or false; leave the field out to keep it")
        return value


class CustomerFlagOut(BaseModel):
    code: str = Field(description="many_refunds or high_refund_share")
    explanation: str = Field(description="the rule and the figures that raised the flag")


class CustomerTotalsOut(BaseModel):
    currency: str | None = Field(description="the currency of the sums (of most orders)")
    refunded: int = Field(description="paid back through the payment gateway, all time")
    settled: int = Field(description="settled another way (voucher, transfer…), all time")
    count_90d: int = Field(
        description="refunds asked for in the last 90 days, not cancelled or rejected"
    )
    spent_90d: int = Field(description="what orders placed in the last 90 days cost")
    returned_90d: int = Field(
        description="what refunds asked for in the last 90 days gave or may give back"
    )
    spent_12m: int
    returned_12m: int
    refund_rate_12m_percent: float | None = Field(
        description="returned_12m of spent_12m, in percent; null without spending"
    )


class CustomerOut(BaseModel):
    """A customer as staff see them (never answered to customers)."""

    id: str
    name: str
    email: str
    has_account: bool = Field(description="whether the customer can sign in here")
    orders: list[OrderOut]
    cases: list[SupportCaseOut] = Field(description="the newest 100 cases, newest first")
    refunds: list[RefundOut] = Field(description="every refund, newest first")
    totals: CustomerTotalsOut
    flags: list[CustomerFlagOut]
