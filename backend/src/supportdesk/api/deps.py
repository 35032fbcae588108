"""Request dependencies: the signed-in actor, role checks, one named dependency per service
and per shared part a route needs, and the version a client saw.

Routes take these, never the container: a route's parameters say what it uses."""

from __future__ import annotations

import re
import time
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supportdesk.application.attachments import AttachmentService
from supportdesk.application.auth import AuthService
from supportdesk.application.canned_replies import CannedReplyService
from supportdesk.application.cases import CaseService
from supportdesk.application.customers import CustomerService
from supportdesk.application.links import AccountLinks
from supportdesk.application.orders import OrderService
from supportdesk.application.payment_events import PaymentEventService
from supportdesk.application.policy import PolicyService
from supportdesk.application.ports import CacheBackend, Clock, ReadQueries
from supportdesk.application.provider_sign_in import ProviderSignInService
from supportdesk.application.reasons import ReasonCodeService
from supportdesk.application.refunds import RefundService
from supportdesk.bootstrap import Container
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Forbidden, RateLimited, Unauthenticated

bearer = HTTPBearer(auto_error=False, description="An access token from /auth/login")


# Dependencies are ``async def`` although they never await: FastAPI runs a plain ``def``
# dependency in its thread pool, a thread hand-off per dependency per request.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


# Each service and port below reads the container from the request itself rather than
# through ``ContainerDep``: every dependency FastAPI solves costs a walk of its own
# parameters and a cache lookup per request, and these are on every route.
def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def auth_service(request: Request) -> AuthService:
    return _container(request).auth_service()


async def account_links(request: Request) -> AccountLinks:
    return _container(request).account_links()


async def case_service(request: Request) -> CaseService:
    return _container(request).case_service()


async def attachment_service(request: Request) -> AttachmentService:
    return _container(request).attachment_service()


async def refund_service(request: Request) -> RefundService:
    return _container(request).refund_service()


async def canned_reply_service(request: Request) -> CannedReplyService:
    return _container(request).canned_reply_service()


async def policy_service(request: Request) -> PolicyService:
    return _container(request).policy_service()


async def reason_code_service(request: Request) -> ReasonCodeService:
    return _container(request).reason_code_service()


async def customer_service(request: Request) -> CustomerService:
    return _container(request).customer_service()


async def payment_event_service(request: Request) -> PaymentEventService:
    return _container(request).payment_event_service()


async def order_service(request: Request) -> OrderService:
    return _container(request).order_service()


async def provider_sign_in(request: Request) -> ProviderSignInService | None:
    return _container(request).provider_sign_in_service()


async def read_queries(request: Request) -> ReadQueries:
    return _container(request).read


async def cache_backend(request: Request) -> CacheBackend:
    return _container(request).cache


async def clock(request: Request) -> Clock:
    return _container(request).clock


AuthServiceDep = Annotated[AuthService, Depends(auth_service)]
AccountLinksDep = Annotated[AccountLinks, Depends(account_links)]
CaseServiceDep = Annotated[CaseService, Depends(case_service)]
RefundServiceDep = Annotated[RefundService, Depends(refund_service)]
AttachmentServiceDep = Annotated[AttachmentService, Depends(attachment_service)]
OrderServiceDep = Annotated[OrderService, Depends(order_service)]
CustomerServiceDep = Annotated[CustomerService, Depends(customer_service)]
CannedReplyServiceDep = Annotated[CannedReplyService, Depends(canned_reply_service)]
ReasonCodeServiceDep = Annotated[ReasonCodeService, Depends(reason_code_service)]
PolicyServiceDep = Annotated[PolicyService, Depends(policy_service)]
PaymentEventServiceDep = Annotated[PaymentEventService, Depends(payment_event_service)]
ProviderSignInDep = Annotated[ProviderSignInService | None, Depends(provider_sign_in)]
"""Signing in through the shop's identity provider; None when none is configured."""
ReadQueriesDep = Annotated[ReadQueries, Depends(read_queries)]
"""The list queries: lists filter in SQL and read straight into domain objects."""
CacheDep = Annotated[CacheBackend, Depends(cache_backend)]
ClockDep = Annotated[Clock, Depends(clock)]


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in and send the access token as a bearer token")
    return credentials.credentials


async def access_token(credentials: BearerCredentials) -> str:
    """The bearer token sent, or 401."""
    return _bearer_token(credentials)


AccessToken = Annotated[str, Depends(access_token)]


async def current_actor(request: Request, credentials: BearerCredentials) -> Actor:
    """Who is calling (``AuthService.authenticate``). Every signed-in request also spends
    the caller's budget. One dependency on every signed-in route, with the token read here
    rather than through ``AccessToken``, the container and the service as dependencies of
    their own (each dependency solved is a cost per request)."""
    return await _signed_in(request, _bearer_token(credentials))


async def actor_of(request: Request) -> Actor:
    """``current_actor`` for a route that is not FastAPI's (``api/hot.py``)."""
    return await _signed_in(request, _bearer_token(await bearer(request)))


async def _signed_in(request: Request, token: str) -> Actor:
    container = _container(request)
    actor, _ = await container.signed_in()(token)
    await _spend_budget(container, actor)
    request.state.actor = actor
    return actor


async def _spend_budget(container: Container, actor: Actor) -> None:
    limit = container.settings.rate_limit_per_minute
    if limit <= 0:
        return
    minute = int(time.time() // 60)
    used = await container.cache.incr(f"budget:{actor.id}:{minute}", 61)
    if used > limit:
        raise RateLimited(
            "request budget used up; slow down", retry_after=60 - int(time.time()) % 60
        )


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require_role(*roles: Role) -> object:
    async def check(actor: CurrentActor) -> Actor:
        if actor.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(r.value for r in roles)}")
        return actor

    return Depends(check)


StaffActor = Annotated[Actor, require_role(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)]
CustomerActor = Annotated[Actor, require_role(Role.CUSTOMER)]
AdminActor = Annotated[Actor, require_role(Role.ADMIN)]


_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


async def expected_version(
    if_match: Annotated[str | None, Header(description="the version you saw")] = None,
) -> int | None:
    """If-Match carries the version the client saw (``3`` or ``"3"``)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _VERSION.match(if_match)
    if not match:
        raise RequestValidationError(
            [
                {
                    "loc": ("header", "if-match"),
                    "msg": 'If-Match must be the version you saw, such as "3"',
                    "type": "version_format",
                }
            ]
        )
    return int(match.group(1))


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    """The ETag of a case or refund at this version: what a client sends back as If-Match."""
    return f'"{version}"'
