"""Signing in and out, the signed-in person, and user management for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from supportdesk.api.deps import (
    AccessToken,
    AdminActor,
    AuthServiceDep,
    CurrentActor,
    StaffActor,
)
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import (
    LoginIn,
    LogoutIn,
    MeOut,
    RefreshIn,
    TokenOut,
    UserChangeIn,
    UserCreateIn,
    UserOut,
)
from supportdesk.application.auth import Person
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
async def login(body: LoginIn, request: Request, auth: AuthServiceDep) -> TokenOut:
    # The address as the trusted proxies report it (FORWARDED_ALLOW_IPS): a client cannot
    # pick its own by sending X-Forwarded-For.
    client = request.client.host if request.client else "unknown"
    return _tokens(await auth.login(body.email, body.password, client))


@router.post(
    "/auth/refresh",
    response_model=TokenOut,
    summary="Trade a refresh token for a new pair",
    dependencies=[TokenAnswer],
    responses=problems(401),
)
async def refresh(body: RefreshIn, auth: AuthServiceDep) -> TokenOut:
    return _tokens(await auth.refresh(body.refresh_token))


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this sign-in, with or without the refresh token",
)
async def logout(
    actor: CurrentActor, token: AccessToken, auth: AuthServiceDep, body: LogoutIn | None = None
) -> None:
    await auth.logout(token, body.refresh_token if body else None)


def _person_out(person: Person | UserAccount) -> MeOut:
    return MeOut(
        id=person.id,
        email=person.email,
        name=person.name,
        role=person.role,
        customer_id=person.customer_id,
    )


@router.get("/me", response_model=MeOut, summary="Who is signed in")
async def me(actor: CurrentActor, auth: AuthServiceDep) -> MeOut:
    return _person_out(await auth.me(actor))


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
async def list_users(actor: AdminActor, auth: AuthServiceDep) -> list[UserOut]:
    return [_user_out(user) for user in await auth.users()]


@router.get(
    "/staff",
    response_model=list[MeOut],
    summary="Support staff, to assign cases to",
    responses=problems(403),
)
async def list_staff(actor: StaffActor, auth: AuthServiceDep) -> list[MeOut]:
    return [_person_out(user) for user in await auth.staff()]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    summary="Create a user (admin)",
    responses=problems(403, 409),
)
async def create_user(body: UserCreateIn, actor: AdminActor, auth: AuthServiceDep) -> UserOut:
    user = await auth.create_user(
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
async def deactivate_user(user_id: str, actor: AdminActor, auth: AuthServiceDep) -> UserOut:
    return _user_out(await auth.deactivate(user_id))


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Change a user's role (admin)",
    description="The user's tokens of the old role stop working at once; the last active "
    "admin cannot stop being one (409 `last_admin`).",
    responses=problems(403, 404, 409, 422),
)
async def change_user(
    user_id: str, body: UserChangeIn, actor: AdminActor, auth: AuthServiceDep
) -> UserOut:
    return _user_out(await auth.change_role(user_id, body.role))


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserOut,
    summary="Reactivate (admin)",
    responses=problems(403, 404),
)
async def reactivate_user(user_id: str, actor: AdminActor, auth: AuthServiceDep) -> UserOut:
    return _user_out(await auth.reactivate(user_id))
