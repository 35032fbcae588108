"""A small OpenID Connect provider for development and tests (IDP_SIMULATOR): the shop's
identity provider, played by a Starlette app served at /sim/idp.

What supportdesk relies on and nothing more: the discovery document, its signing keys
(JWKS), an authorize page that lets you pick one of the demo people (or sign in at once
with ``login_hint``), a token endpoint that checks the PKCE verifier, and signing out
there, which sends a back-channel logout token to supportdesk. Tests change what it signs
through ``id_token_changes`` and ``sign_with_wrong_key`` to prove each check.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import structlog
from joserfc import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

log = structlog.get_logger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the provider knows. Customers' ``sub`` is their customer id (the default of
    IDP_CUSTOMER_CLAIM); they carry it as ``customer_id`` too."""

    subject: str
    email: str
    name: str
    role: str
    customer_id: str | None = None

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.subject,
            "email": self.email,
            "email_verified": True,
            "name": self.name,
            "role": self.role,
        }
        if self.customer_id is not None:
            claims["customer_id"] = self.customer_id
        return claims


PEOPLE = (
    Person("CUST-1001", "alice@example.com", "Alice Martin", "customer", "CUST-1001"),
    Person("CUST-1002", "carol@example.com", "Carol Diaz", "customer", "CUST-1002"),
    # A customer of the shop without an account at supportdesk yet.
    Person("CUST-3001", "dave@example.com", "Dave Okafor", "customer", "CUST-3001"),
    Person("staff-bob", "bob@example.com", "Bob", "agent"),
    Person("staff-sam", "sam@example.com", "Sam", "supervisor"),
)


@dataclass
class _Grant:
    person: Person
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    session_id: str
    expires_at: float


@dataclass
class IdentityProviderSimulator:
    issuer: str
    client_id: str
    redirect_uri: str
    client_secret: str | None = None
    backchannel_logout_uri: str | None = None
    people: tuple[Person, ...] = PEOPLE
    code_ttl_seconds: float = 60.0
    # Tests: claims changed in the ID tokens signed from now on (None removes one), and
    # signing with a key that is not published.
    id_token_changes: dict[str, Any] = field(default_factory=dict)
    sign_with_wrong_key: bool = False
    # How the back-channel logout reaches supportdesk (set by the app that serves both).
    backchannel: httpx.AsyncClient | None = None
    # What the token endpoint was sent, for tests: (code_verifier, client authentication).
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = jwk.generate_key("RSA", 2048, parameters={"kid": "sim-1", "use": "sig"})
        self.wrong_key = jwk.generate_key("RSA", 2048, parameters={"kid": "sim-1", "use": "sig"})
        self._grants: dict[str, _Grant] = {}
        # The provider's own sign-ins: sid -> the person signed in.
        self.sessions: dict[str, Person] = {}
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize, methods=["GET", "POST"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/sign-out", self._sign_out, methods=["POST"]),
            ]
        )

    # --- what tests and the demo call directly ------------------------------------------

    def person(self, email: str) -> Person:
        return next(p for p in self.people if p.email == email)

    def logout_token(self, *, sid: str | None = None, sub: str | None = None, **extra: Any) -> str:
        """A back-channel logout token as this provider signs one (extra claims: tests)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": uuid.uuid4().hex,
            "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
        }
        if sid is not None:
            claims["sid"] = sid
        if sub is not None:
            claims["sub"] = sub
        claims.update(extra)
        return self._sign({k: v for k, v in claims.items() if v is not None}, typ="logout+jwt")

    async def sign_out(self, *, sid: str | None = None, email: str | None = None) -> list[int]:
        """The person signs out here: their provider sign-in (``sid``), or every one of
        theirs (``email``), ends, and supportdesk is told by back-channel logout. Answers
        the status of each notice."""
        ended = [
            s
            for s, person in self.sessions.items()
            if s == sid or (email is not None and person.email == email)
        ]
        statuses = []
        for session_id in ended:
            person = self.sessions.pop(session_id)
            statuses.append(
                await self._notify(self.logout_token(sid=session_id, sub=person.subject))
            )
        return statuses

    # --- the endpoints ------------------------------------------------------------------

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/sign-out",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
                "scopes_supported": ["openid", "email", "profile"],
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
            }
        )

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(jwk.KeySet([self.key]).as_dict(private=False))

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await _form(request))
        if params.get("client_id") != self.client_id or params.get("redirect_uri") != (
            self.redirect_uri
        ):
            # Never redirect to an address the client did not register.
            return HTMLResponse("<h1>Unknown client or redirect address</h1>", status_code=400)
        state = params.get("state", "")

        def back(**answer: str) -> Response:
            query = urlencode({**answer, **({"state": state} if state else {})})
            return RedirectResponse(f"{self.redirect_uri}?{query}", status_code=302)

        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return back(error="unsupported_response_type")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE S256 is required")
        chosen = params.get("login_hint") or params.get("person")
        if chosen == "deny":
            return back(error="access_denied", error_description="the person said no")
        person = next((p for p in self.people if p.email == chosen), None)
        if person is None:
            return HTMLResponse(self._login_page(params))
        session_id = uuid.uuid4().hex
        self.sessions[session_id] = person
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(
            person=person,
            redirect_uri=self.redirect_uri,
            code_challenge=params["code_challenge"],
            nonce=params.get("nonce"),
            session_id=session_id,
            expires_at=time.time() + self.code_ttl_seconds,
        )
        return back(code=code)

    async def _token(self, request: Request) -> Response:
        form = await _form(request)
        self.token_requests.append(form)
        if not self._client_authenticated(request, form):
            return _oauth_error("invalid_client", status=401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.expires_at < time.time():
            return _oauth_error("invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _oauth_error("invalid_grant", "another redirect_uri")
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if not verifier or not secrets.compare_digest(challenge, grant.code_challenge):
            return _oauth_error("invalid_grant", "the PKCE verifier does not match")
        now = int(time.time())
        claims = {
            **grant.person.claims(),
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "sid": grant.session_id,
            **self.id_token_changes,
        }
        id_token = self._sign({k: v for k, v in claims.items() if v is not None})
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid email profile",
                "id_token": id_token,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def _sign_out(self, request: Request) -> Response:
        form = await _form(request)
        statuses = await self.sign_out(sid=form.get("sid"), email=form.get("email"))
        return JSONResponse({"notified": statuses})

    # --- helpers ------------------------------------------------------------------------

    def _client_authenticated(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            return client_id == self.client_id and secret == (self.client_secret or "")
        # A public client (no secret): PKCE is its proof.
        return self.client_secret is None and form.get("client_id") == self.client_id

    def _sign(self, claims: dict[str, Any], typ: str = "JWT") -> str:
        key = self.wrong_key if self.sign_with_wrong_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "sim-1", "typ": typ}, claims, key)

    async def _notify(self, logout_token: str) -> int:
        if self.backchannel is None or self.backchannel_logout_uri is None:
            return 0
        try:
            response = await self.backchannel.post(
                self.backchannel_logout_uri, data={"logout_token": logout_token}
            )
        except httpx.HTTPError as exc:
            log.warning("simulated_backchannel_logout_failed", error=repr(exc))
            return 0
        return response.status_code

    def _login_page(self, params: dict[str, str]) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k != "person"
        )
        buttons = "".join(
            f'<button name="person" value="{html.escape(p.email)}">{html.escape(p.name)}'
            f" ({html.escape(p.role)})</button>"
            for p in self.people
        )
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<title>Shop identity provider (simulated)</title></head><body>"
            "<main><h1>Shop identity provider</h1><p>A simulated provider for development: "
            "pick who signs in.</p>"
            f'<form method="post" action="authorize">{hidden}{buttons}'
            '<button name="person" value="deny">Cancel</button></form></main></body></html>'
        )


def _oauth_error(error: str, description: str | None = None, status: int = 400) -> Response:
    body = {"error": error, **({"error_description": description} if description else {})}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (what OAuth's endpoints are sent)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
