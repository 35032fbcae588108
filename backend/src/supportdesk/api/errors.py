"""Every error as RFC 9457 problem+json, with a stable ``code``. One table maps domain
errors to HTTP statuses, and one function builds every problem body (``problem_body``):
the exception handlers, the request middleware, readiness and idempotency all answer
through it."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportdesk.api.schemas import BODY_VARIANT_TAGS
from supportdesk.domain import errors as domain

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first class an error is an instance of decides its status.
STATUS_OF: list[tuple[type[domain.DomainError], int]] = [
    (domain.Unauthenticated, 401),
    (domain.InvalidSignature, 400),
    (domain.InvalidLink, 400),
    (domain.SupervisorApprovalRequired, 403),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.CaseHasOpenRefunds, 409),
    (domain.InvalidTransition, 409),
    (domain.VersionConflict, 409),
    (domain.EmailTaken, 409),
    (domain.LastAdmin, 409),
    (domain.ReasonCodeTaken, 409),
    (domain.PayloadTooLarge, 413),
    (domain.UnsupportedMediaType, 415),
    (domain.ValidationFailed, 422),
    (domain.RateLimited, 429),
    (domain.PaymentGatewayError, 502),
    (domain.UpstreamUnavailable, 503),
]

_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    411: ("length_required", "Length required"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Invalid input"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal server error"),
    503: ("upstream_unavailable", "Service unavailable"),
}


_OWN_CODES = {domain.InvalidCursor.code: (domain.InvalidCursor.code, domain.InvalidCursor.title)}


def status_of(error: domain.DomainError) -> int:
    return next((status for cls, status in STATUS_OF if isinstance(error, cls)), 400)


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The one shape of a problem: RFC 9457's members, our stable ``code``, and whatever
    the problem adds (``errors``, ``part``, ``request_id`` …)."""
    return {
        "type": "about:blank",
        "status": status,
        "title": title,
        "detail": detail,
        "code": code,
        **extra,
    }


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem as the answer of a route or a handler."""
    return JSONResponse(
        problem_body(status, code, title, detail, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


# Handlers are ``async def``: Starlette runs a plain ``def`` handler in its thread pool.
async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, domain.DomainError)
    return render(exc)


def render(exc: domain.DomainError) -> JSONResponse:
    status = status_of(exc)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, domain.ValidationFailed) and exc.field:
        extra["errors"] = [
            {"loc": [exc.location, *exc.field.split(".")], "msg": exc.detail, "type": exc.code}
        ]
    if isinstance(exc, domain.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, domain.UpstreamUnavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, domain.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    reserved = {"type", "status", "title", "detail", "code", "errors"}
    context = {
        k: v
        for k, v in exc.context.items()
        if k not in reserved and isinstance(v, str | int | bool | None)
    }
    return problem(
        status, exc.code, exc.title, exc.detail, headers=headers or None, **context, **extra
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if len(loc) > 2 and loc[0] == "body" and loc[1] in BODY_VARIANT_TAGS:
            del loc[1]
        errors.append({"loc": loc, "msg": error.get("msg", "invalid"), "type": error.get("type")})
    if any(e["type"] == "json_invalid" for e in errors):
        return problem(
            400,
            "malformed_json",
            "Malformed JSON",
            "the request body is not valid JSON",
            errors=errors,
        )
    first = errors[0] if errors else {"loc": [], "msg": "invalid input", "type": None}
    where = ".".join(first["loc"])
    # A few kinds of bad input have a code of their own (SPEC 7); the rest are plain
    # validation errors.
    code, title = _OWN_CODES.get(first["type"], ("validation_error", "Invalid input"))
    return problem(422, code, title, f"{where}: {first['msg']}", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _HTTP_CODES.get(exc.status_code, ("http_error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.method} {request.url.path}"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    if exc.status_code == 413:  # a body without a length, counted as it arrived
        detail = "the request body is larger than this service takes"
    return problem(exc.status_code, code, title, detail, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(domain.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
