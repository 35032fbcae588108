"""Signing in through the shop's identity provider (OpenID Connect), as a backend for the
web app: the browser is sent to the provider and back, and trades a one-time code for
our usual token pair. The provider's sign-outs arrive by back-channel logout.

The start and the callback are browser navigations: every failure of the provider's
answer ends on the web app's page ``/sign-in/oidc?error=<reason>``, which says what
happened in words, never on a problem document (docs/identity-provider.md)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from supportdesk.api.deps import ContainerDep, ProviderSignInDep
from supportdesk.api.openapi import problems
from supportdesk.api.provider_schemas import ProviderCodeIn, ProviderOut, ProvidersOut
from supportdesk.api.routes.auth import _tokens, no_store
from supportdesk.api.schemas import TokenOut
from supportdesk.application.ports import ProviderRefused, ProviderUnavailable
from supportdesk.application.provider_sign_in import (
    PENDING_SECONDS,
    ProviderSignInService,
    SignInNotFinished,
)
from supportdesk.domain.errors import InvalidLogoutToken, NotFound, UpstreamUnavailable

log = structlog.get_logger(__name__)

router = APIRouter(tags=["auth"])

WEB_APP_PAGE = "/sign-in/oidc"
# Binds a sign-in's state to the browser that started it: only that browser's answer
# from the provider finishes it (a login CSRF defence beside the state itself).
BROWSER_COOKIE = "sd_oidc_browser"
COOKIE_PATH = "/api/v1/auth/oidc"


def _configured(service: ProviderSignInService | None) -> ProviderSignInService:
    if service is None:
        raise NotFound("no identity provider is configured for signing in")
    return service


def _to_web_app(**query: str) -> RedirectResponse:
    response = RedirectResponse(f"{WEB_APP_PAGE}?{urlencode(query)}", status_code=302)
    no_store(response)
    return response


@router.get(
    "/auth/providers",
    response_model=ProvidersOut,
    summary="Ways to sign in besides a password",
    description="`oidc` names the shop's identity provider when signing in through it is "
    'configured (the web app\'s "Sign in with …" button); null otherwise.',
)
async def providers(container: ContainerDep) -> ProvidersOut:
    oidc = container.oidc
    return ProvidersOut(oidc=ProviderOut(name=oidc.display_name) if oidc else None)


@router.get(
    "/auth/oidc/start",
    status_code=302,
    summary="Go to the shop's identity provider to sign in",
    description="Redirects the browser to the provider's authorize endpoint (authorization "
    "code flow with PKCE S256, state and nonce). `next` is where the web app goes after "
    "signing in: a path of this site, else 422. 404 when no provider is configured.",
    responses={302: {"description": "to the identity provider"}, **problems(404, 422)},
    response_class=Response,
)
async def start(
    request: Request,
    service: ProviderSignInDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    service = _configured(service)
    try:
        started = await service.start(next, request.cookies.get(BROWSER_COOKIE))
    except ProviderUnavailable as exc:
        log.warning("provider_sign_in_unavailable", error=str(exc))
        return _to_web_app(error="provider_unavailable")
    response = RedirectResponse(started.authorization_url, status_code=302)
    no_store(response)
    response.set_cookie(
        BROWSER_COOKIE,
        started.browser_binding,
        max_age=PENDING_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",  # sent on the provider's redirect back: a top-level GET
        secure=str(request.url).startswith("https://")
        or request.app.state.container.settings.public_base_url.startswith("https://"),
    )
    return response


@router.get(
    "/auth/oidc/callback",
    status_code=302,
    summary="The identity provider's answer",
    description="Where the provider sends the browser back. Always redirects to the web "
    "app's `/sign-in/oidc`: with a one-time `code` (and `next`) that `POST "
    "/auth/oidc/redeem` trades for a token pair, or with an `error` the page explains.",
    responses={302: {"description": "to the web app's /sign-in/oidc"}},
    response_class=Response,
)
async def callback(
    request: Request,
    service: ProviderSignInDep,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    if service is None:
        return _to_web_app(error="not_configured")
    try:
        if iss is not None and iss != service.issuer:  # RFC 9207: another provider's answer
            raise SignInNotFinished("provider_error", "the answer names another issuer")
        finished = await service.finish(
            state=state,
            code=code,
            error=error,
            browser_binding=request.cookies.get(BROWSER_COOKIE),
        )
    except SignInNotFinished as exc:
        log.info("provider_sign_in_failed", reason=exc.reason, detail=str(exc))
        return _to_web_app(error=exc.reason)
    except ProviderUnavailable as exc:
        log.warning("provider_sign_in_unavailable", error=str(exc))
        return _to_web_app(error="provider_unavailable")
    response = _to_web_app(code=finished.code, next=finished.next_path)
    response.delete_cookie(BROWSER_COOKIE, path=COOKIE_PATH)
    return response


@router.post(
    "/auth/oidc/redeem",
    response_model=TokenOut,
    summary="Trade the one-time code of a provider sign-in for a token pair",
    description="The code works once, within a minute; a used, unknown or expired one is "
    "401. 404 when no provider is configured.",
    dependencies=[Depends(no_store)],
    responses=problems(401, 404),
)
async def redeem(
    body: ProviderCodeIn, request: Request, response: Response, service: ProviderSignInDep
) -> TokenOut:
    return _tokens(await _configured(service).redeem(body.code), request, response)


_LOGOUT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"logout_token": {"type": "string", "maxLength": 16384}},
                    "required": ["logout_token"],
                }
            }
        },
    }
}


@router.post(
    "/auth/oidc/backchannel-logout",
    status_code=200,
    summary="The identity provider says someone signed out there",
    description="OpenID Connect Back-Channel Logout 1.0: a signed `logout_token` (form "
    "field). Every sign-in here started from that provider sign-in (`sid`), or of that "
    "person (`sub`), ends at once. A token that does not prove it is the provider's is 400 "
    "`invalid_logout_token`; 404 when no provider is configured.",
    responses={200: {"description": "ended"}, **problems(400, 404, 415, 503)},
    response_class=Response,
    openapi_extra=_LOGOUT_BODY,
)
async def backchannel_logout(request: Request, service: ProviderSignInDep) -> Response:
    service = _configured(service)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HTTPException(415, detail="send the logout_token as a form field")
    try:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), strict_parsing=False))
    except UnicodeDecodeError:
        raise InvalidLogoutToken("the body is not UTF-8") from None
    token = form.get("logout_token", "")
    if not token or len(token) > 16384:
        raise InvalidLogoutToken("send one logout_token")
    try:
        ended = await service.provider_signed_out(token)
    except ProviderRefused as exc:
        log.info("backchannel_logout_refused", detail=str(exc))
        raise InvalidLogoutToken("the logout token does not prove the provider sent it") from None
    except ProviderUnavailable as exc:  # the provider sends it again (a 5xx, not a 400)
        log.warning("backchannel_logout_keys_unavailable", error=str(exc))
        raise UpstreamUnavailable("the identity provider's keys could not be read") from None
    log.info("provider_signed_out", sign_ins_ended=ended)
    response = Response(status_code=200)
    no_store(response)
    return response
