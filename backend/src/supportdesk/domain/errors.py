"""Domain errors. Each carries a stable snake_case ``code`` the API shows to clients."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business-rule violation."""

    code = "domain_error"
    title = "Request not allowed"

    def __init__(self, detail: str = "", **context: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.context = context


class NotFound(DomainError):
    code = "not_found"
    title = "Not found"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Authentication required"


class InvalidTransition(DomainError):
    code = "invalid_transition"
    title = "This change is not allowed in the current status"


class VersionConflict(DomainError):
    code = "version_conflict"
    title = "The resource was changed by someone else"


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a business rule about a field."""

    code = "validation_error"
    title = "Invalid input"
    # Where the field was sent: "body", "query", "path" or "header".
    location = "body"

    def __init__(self, detail: str = "", field: str | None = None, **context: object) -> None:
        super().__init__(detail, **context)
        self.field = field


class InvalidCursor(ValidationFailed):
    """A list's ``cursor`` that is not one this service gave out for this sort."""

    code = "invalid_cursor"
    title = "Invalid cursor"
    location = "query"


class EmailTaken(DomainError):
    code = "email_taken"
    title = "Email taken"


class InvalidLink(DomainError):
    """A link from a mail (sign-in, password reset) that expired, was used, was replaced,
    or was never ours. The detail says which and what to do."""

    code = "invalid_link"
    title = "This link cannot be used"


class LastAdmin(DomainError):
    """Somebody must always be able to manage users."""

    code = "last_admin"
    title = "The last active admin"


class ReasonCodeTaken(DomainError):
    """A reason code is given once, ever: a deactivated one still names its old refunds."""

    code = "reason_code_taken"
    title = "Reason code taken"


class OrderNotFound(ValidationFailed):
    code = "order_not_found"
    title = "Order not found"


class RefundQuantityExceeded(ValidationFailed):
    code = "refund_quantity_exceeded"
    title = "More units than can be refunded"


class CompensationExceeded(ValidationFailed):
    """More than what remains of the order's compensation budget: everything that compensates
    the customer for one order draws on what they paid for it."""

    code = "compensation_exceeded"
    title = "More than the order has left to give"


class OutsideRefundWindow(ValidationFailed):
    code = "outside_refund_window"
    title = "Outside the refund window"


class FinalSale(ValidationFailed):
    """Lines the refund policy says are never refunded through the gateway."""

    code = "final_sale"
    title = "Sold as final sale"


class SupervisorApprovalRequired(Forbidden):
    code = "supervisor_approval_required"
    title = "Supervisor approval required"


class CaseHasOpenRefunds(InvalidTransition):
    code = "case_has_open_refunds"
    title = "The case has refunds that are not final"


class UnsupportedMediaType(DomainError):
    """A file that is not one of the kinds taken (decided by its content, not its name)."""

    code = "unsupported_media_type"
    title = "Unsupported media type"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    title = "Request body too large"


class RateLimited(DomainError):
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, detail: str = "", retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UpstreamUnavailable(DomainError):
    """The order system (or another upstream) cannot be reached or answered garbage."""

    code = "upstream_unavailable"
    title = "An upstream system is unavailable"
    retry_after = 5  # seconds a client should wait before trying again


class DependencyUnavailable(UpstreamUnavailable):
    """A part of our own (the database, the cache) did not answer in time. Nothing was
    decided or written, so the same request may be sent again."""

    title = "A part of the service is unavailable"

    def __init__(self, part: str, detail: str = "") -> None:
        super().__init__(detail or f"the {part} is not answering; try again shortly", part=part)
        self.part = part


class PaymentGatewayError(DomainError):
    code = "payment_gateway_error"
    title = "The payment gateway refused the request"


class InvalidSignature(DomainError):
    """A payment-gateway event whose signature does not prove it came from the gateway
    (wrong secret, altered body, too old to be a fresh send)."""

    code = "invalid_signature"
    title = "Invalid signature"


class InvalidLogoutToken(InvalidSignature):
    """A back-channel logout that does not prove the identity provider sent it for us
    (signature, issuer, audience, age, event, or neither ``sid`` nor ``sub``)."""

    code = "invalid_logout_token"
    title = "Invalid logout token"
