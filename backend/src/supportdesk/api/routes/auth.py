"""Signing in and out, the signed-in person, and user management for admins."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response, status

from supportdesk.api.deps import AdminActor, ContainerDep, CurrentActor, StaffActor
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import (
    LoginIn,
    LogoutIn,
    MeOut,
    RefreshIn,
    TokenOut,
    UserCreateIn,
    UserOut,
)
from supportdesk.application.ports import TokenPair
from supportdesk.domain.users import UserAccount

router = APIRouter(tags=["auth"])


def _tokens(pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


def no_store(response: Response) -> None:
    """Answers that carry tokens must not be kept by a browser or a proxy (RFC 6749 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


TokenAnswer = Depends(no_store)


@router.post(
    "/auth/login",
    response_model=TokenOut,
    summary="Sign in with email and password",
    dependencies=[TokenAnswer],
    responses=problems(401, 429),
)
async def login(body: LoginIn, request: Request, container: ContainerDep) -> TokenOut:
    # The address as the trusted proxies report it (FORWARDED_ALLOW_IPS): a client cannot
    # pick its own by sending X-Forwarded-For.
    client = request.client.host if request.client else "unknown"
    pair = await container.auth_service().login(body.email, body.password, client)
    return _tokens(pair)


@router.post(
    "/auth/refresh",
    response_model=TokenOut,
    summary="Trade a refresh token for a new pair",
    dependencies=[TokenAnswer],
    responses=problems(401),
)
async def refresh(body: RefreshIn, container: ContainerDep) -> TokenOut:
    return _tokens(await container.auth_service().refresh(body.refresh_token))


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this sign-in, with or without the refresh token",
)
async def logout(
    actor: CurrentActor, container: ContainerDep, request: Request, body: LogoutIn | None = None
) -> None:
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    session_id = None
    if container.tokens.is_ours(token):
        claims = container.tokens.read_access(token)
        session_id = claims.session_id
        if session_id is None:  # issued before access tokens named their sign-in
            ttl = max(int((claims.expires_at - datetime.now(UTC)).total_seconds()), 1)
            await container.cache.set(claims.revocation_key, "logout", ttl)
    await container.auth_service().logout(session_id, body.refresh_token if body else None)


@router.get("/me", response_model=MeOut, summary="Who is signed in")
async def me(actor: CurrentActor, container: ContainerDep) -> MeOut:
    async with container.reads() as uow:
        user = await uow.users.get(actor.id)
    if user is None:  # signed in through the shop's identity provider
        return MeOut(
            id=actor.id,
            email="",
            name=actor.customer_id or actor.id,
            role=actor.role,
            customer_id=actor.customer_id,
        )
    return MeOut(
        id=user.id, email=user.email, name=user.name, role=user.role, customer_id=user.customer_id
    )


def _user_out(user: UserAccount) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        customer_id=user.customer_id,
        active=user.active,
        created_at=user.created_at,
    )


@router.get(
    "/users", response_model=list[UserOut], summary="All users (admin)", responses=problems(403)
)
async def list_users(actor: AdminActor, container: ContainerDep) -> list[UserOut]:
    async with container.reads() as uow:
        return [_user_out(u) for u in await uow.users.list()]


@router.get(
    "/staff",
    response_model=list[MeOut],
    summary="Support staff, to assign cases to",
    responses=problems(403),
)
async def list_staff(actor: StaffActor, container: ContainerDep) -> list[MeOut]:
    async with container.reads() as uow:
        users = await uow.users.list()
    return [
        MeOut(id=u.id, email=u.email, name=u.name, role=u.role, customer_id=None)
        for u in users
        if u.actor.is_staff and u.active
    ]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    summary="Create a user (admin)",
    responses=problems(403, 409),
)
async def create_user(body: UserCreateIn, actor: AdminActor, container: ContainerDep) -> UserOut:
    user = await container.auth_service().create_user(
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        customer_id=body.customer_id,
    )
    return _user_out(user)


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserOut,
    summary="Deactivate (admin)",
    responses=problems(403, 404, 409),
)
async def deactivate_user(user_id: str, actor: AdminActor, container: ContainerDep) -> UserOut:
    return _user_out(await container.auth_service().deactivate(user_id))


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserOut,
    summary="Reactivate (admin)",
    responses=problems(403, 404),
)
async def reactivate_user(user_id: str, actor: AdminActor, container: ContainerDep) -> UserOut:
    return _user_out(await container.auth_service().reactivate(user_id))
