"""Signing in and out, the signed-in person, and user management for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from supportdesk.api.deps import (
    AccessToken,
    AccountLinksDep,
    AdminActor,
    AuthServiceDep,
    CurrentActor,
    StaffActor,
)
from supportdesk.api.errors import render
from supportdesk.api.openapi import problems
from supportdesk.api.schemas import (
    AcceptedOut,
    LinkTokenIn,
    LoginIn,
    LogoutIn,
    MeOut,
    OrderLinkIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RefreshIn,
    TokenOut,
    UserChangeIn,
    UserCreateIn,
    UserOut,
)
from supportdesk.application.auth import Person
from supportdesk.application.ports import TokenPair
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.settings import Settings

router = APIRouter(tags=["auth"])


# The web app's sign-in survives a reload and a new tab: its refresh token is an HttpOnly
# cookie that only the sign-in endpoints ever receive (docs/sign-in.md). A client asks for
# it with this header on every call that gives or uses it; a page of another site can
# neither send the header (no CORS here) nor the cookie (SameSite=Strict), so the cookie
# cannot be used against the user (CSRF).
COOKIE_HEADER = "X-Session-Cookie"
REFRESH_COOKIE = "supportdesk_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"
# Readable by the web app, and no secret: whether there is a sign-in worth restoring, so
# that a visitor who never signed in does not start with a refused refresh.
SIGNED_IN_COOKIE = "supportdesk_signed_in"


def wants_cookie(request: Request) -> bool:
    return request.headers.get(COOKIE_HEADER) == "1"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.container.settings
    return settings


def _tokens(
    pair: TokenPair, request: Request | None = None, response: Response | None = None
) -> TokenOut:
    """The pair as answered: the refresh token in the body, or, for a client that asked
    for the cookie, only in the cookie."""
    if request is None or response is None or not wants_cookie(request):
        return TokenOut(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )
    settings = _settings(request)
    ttl = settings.refresh_token_ttl_seconds
    secure = settings.secure_cookies
    response.set_cookie(
        REFRESH_COOKIE,
        pair.refresh_token,
        max_age=ttl,
        path=REFRESH_COOKIE_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        SIGNED_IN_COOKIE, "1", max_age=ttl, path="/", secure=secure, samesite="strict"
    )
    return TokenOut(access_token=pair.access_token, refresh_token=None, expires_in=pair.expires_in)


def _forget_cookies(request: Request, response: Response) -> None:
    secure = _settings(request).secure_cookies
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=secure, httponly=True, samesite="strict"
    )
    response.delete_cookie(SIGNED_IN_COOKIE, path="/", secure=secure, samesite="strict")


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
async def login(
    body: LoginIn, request: Request, response: Response, auth: AuthServiceDep
) -> TokenOut:
    return _tokens(await auth.login(body.email, body.password, _client(request)), request, response)


def _client(request: Request) -> str:
    # The address as the trusted proxies report it (FORWARDED_ALLOW_IPS): a client cannot
    # pick its own by sending X-Forwarded-For.
    return request.client.host if request.client else "unknown"


@router.post(
    "/auth/refresh",
    response_model=TokenOut,
    summary="Trade a refresh token for a new pair",
    description="API clients send the refresh token in the body. The web app sends no body "
    f"and the header `{COOKIE_HEADER}: 1`: its refresh token is the HttpOnly cookie, and the "
    "new one replaces it. A token used again within a few seconds of its first use (two "
    "tabs at once) still works; later, it ends the whole sign-in.",
    dependencies=[TokenAnswer],
    responses=problems(401),
)
async def refresh(
    request: Request, response: Response, auth: AuthServiceDep, body: RefreshIn | None = None
) -> Response | TokenOut:
    if body is not None:
        return _tokens(await auth.refresh(body.refresh_token), request, response)
    cookie = request.cookies.get(REFRESH_COOKIE) if wants_cookie(request) else None
    try:
        if not cookie:
            raise Unauthenticated(
                "send the refresh token in the body (or, from the web app, the session cookie)"
            )
        return _tokens(await auth.refresh(cookie), request, response)
    except Unauthenticated as refused:
        answer = render(refused)
        if wants_cookie(request):
            _forget_cookies(request, answer)
        return answer


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End this sign-in, with or without the refresh token",
)
async def logout(
    actor: CurrentActor,
    token: AccessToken,
    request: Request,
    response: Response,
    auth: AuthServiceDep,
    body: LogoutIn | None = None,
) -> None:
    refresh_token = body.refresh_token if body else None
    if wants_cookie(request):
        refresh_token = refresh_token or request.cookies.get(REFRESH_COOKIE)
        _forget_cookies(request, response)
    await auth.logout(token, refresh_token)


LINK_ON_ITS_WAY = (
    "If they match, a mail with a link is on its way. It works once, for a short time."
)


@router.post(
    "/auth/order-link",
    response_model=AcceptedOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a sign-in link to the email on an order",
    description="The customer of the order gets a link by mail if `email` is the order's; "
    "the answer is the same whatever exists. Limited per client address (429) and, "
    "silently, per email (a few mails an hour).",
    responses=problems(429),
)
async def order_link(body: OrderLinkIn, request: Request, links: AccountLinksDep) -> AcceptedOut:
    await links.request_order_link(body.order_id, body.email, _client(request))
    return AcceptedOut(detail=LINK_ON_ITS_WAY)


@router.post(
    "/auth/order-link/redeem",
    response_model=TokenOut,
    summary="Sign in with the link from the mail",
    description="The first sign-in creates the customer's account from the order system's "
    "customer data. An expired, used or altered link is 400 `invalid_link`.",
    dependencies=[TokenAnswer],
    responses=problems(400, 503),
)
async def redeem_order_link(
    body: LinkTokenIn, request: Request, response: Response, links: AccountLinksDep
) -> TokenOut:
    return _tokens(await links.redeem_order_link(body.token), request, response)


@router.post(
    "/auth/password-reset",
    response_model=AcceptedOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Mail a password reset link",
    description="The answer is the same whether an account has this email or not.",
    responses=problems(429),
)
async def password_reset(
    body: PasswordResetIn, request: Request, links: AccountLinksDep
) -> AcceptedOut:
    await links.request_password_reset(body.email, _client(request))
    return AcceptedOut(detail=LINK_ON_ITS_WAY)


@router.post(
    "/auth/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Choose a new password with the link from the mail",
    description="Every sign-in of the account ends. A password that is too short or too "
    "easy to guess is 422 naming `password` (the link still works); an expired, used or "
    "altered link is 400 `invalid_link`.",
    responses=problems(400, 422),
)
async def confirm_password_reset(body: PasswordResetConfirmIn, links: AccountLinksDep) -> None:
    await links.reset_password(body.token, body.password)


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
    "/users/{user_id}/password-reset",
    response_model=AcceptedOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a user a password reset link (admin)",
    responses=problems(403, 404, 422, 429),
)
async def send_password_reset(
    user_id: str, actor: AdminActor, links: AccountLinksDep
) -> AcceptedOut:
    await links.send_password_reset(user_id)
    return AcceptedOut(detail="The reset link is on its way.")


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserOut,
    summary="Reactivate (admin)",
    responses=problems(403, 404),
)
async def reactivate_user(user_id: str, actor: AdminActor, auth: AuthServiceDep) -> UserOut:
    return _user_out(await auth.reactivate(user_id))
