"""Request dependencies: the container, the signed-in actor, role checks, services."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from supportdesk.application.cases import CaseService
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


async def current_actor(
    request: Request,
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """Who is calling: our own token (the account must still be active in the token's role,
    which the cache backend knows without a transaction) or a token of the shop's identity
    provider. Every signed-in request also spends the caller's budget."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in and send the access token as a bearer token")
    actor, _ = await signed_in(container, credentials.credentials)
    await _spend_budget(container, actor)
    request.state.actor = actor
    return actor


async def signed_in(container: Container, token: str) -> tuple[Actor, datetime]:
    """Who a token signs in, and until when; Unauthenticated if it does not (any more).
    A long-lived request (the live-update stream) asks again now and then."""
    if container.identity_provider.configured and not container.tokens.is_ours(token):
        claims = container.identity_provider.read_access(token)
        return claims.actor, claims.expires_at
    claims = container.tokens.read_access(token)
    if await container.cache.get(claims.revocation_key) is not None:
        raise Unauthenticated("this sign-in was ended; sign in again")
    actor = await container.accounts().actor(claims.user_id, claims.role)
    return actor, claims.expires_at


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


async def case_service(container: ContainerDep) -> CaseService:
    return container.case_service()


async def refund_service(container: ContainerDep) -> RefundService:
    return container.refund_service()


CaseServiceDep = Annotated[CaseService, Depends(case_service)]
RefundServiceDep = Annotated[RefundService, Depends(refund_service)]

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
