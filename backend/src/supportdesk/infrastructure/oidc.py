"""The shop's identity provider by OpenID Connect: its discovery document and keys, the
authorization code exchange (Authlib's httpx client, PKCE S256), and the ID and logout
tokens it signs (joserfc, Authlib's JOSE library)."""

from __future__ import annotations

import time
import warnings
from typing import Any

import httpx
import structlog
from authlib.common.errors import AuthlibBaseError
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from supportdesk.application.ports import (
    ProviderIdentity,
    ProviderRefused,
    ProviderSignOut,
    ProviderUnavailable,
)
from supportdesk.domain.errors import Unauthenticated
from supportdesk.infrastructure.security import role_and_customer
from supportdesk.infrastructure.settings import Settings

with warnings.catch_warnings():
    # Authlib announces that its httpx integration will speak "httpx2" one day; httpx is
    # what this service uses, and the warning would open every start's log.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = structlog.get_logger(__name__)

# Signatures by the provider's published keys only: never a shared secret, never "none".
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
DISCOVERY_SECONDS = 3600
# A key the cached set does not have is looked for again, at most this often: a provider
# that rotated its keys is followed quickly, a flood of forged kids costs one fetch a while.
KEYS_REFETCH_SECONDS = 30
LEEWAY_SECONDS = 60  # clocks of the provider and ours may differ a little


class OidcClient:
    """OpenIdProvider over HTTP. ``transport`` reaches the embedded test provider
    in-process; None is the network."""

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        assert settings.idp_issuer is not None and settings.idp_client_id is not None
        self._issuer = settings.idp_issuer
        self._client_id = settings.idp_client_id
        secret = settings.idp_client_secret
        self._client_secret = secret.get_secret_value() if secret is not None else None
        self._scopes = settings.idp_scopes
        self._display_name = settings.oidc_display_name
        self._customer_claim = settings.idp_customer_claim
        self._role_claim = settings.idp_role_claim
        self._timeout = httpx.Timeout(
            settings.idp_timeout_seconds, connect=min(settings.idp_timeout_seconds, 2.0)
        )
        self._transport = transport
        self._http = httpx.AsyncClient(transport=transport, timeout=self._timeout)
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    @property
    def display_name(self) -> str:
        return self._display_name

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authorization_url(
        self, *, state: str, nonce: str, code_verifier: str, redirect_uri: str
    ) -> str:
        endpoint = str((await self._metadata())["authorization_endpoint"])
        client = self._oauth_client(redirect_uri)
        try:
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier
            )
        finally:
            await client.aclose()
        return str(url)

    async def identity(
        self, *, code: str, code_verifier: str, redirect_uri: str, nonce: str
    ) -> ProviderIdentity:
        endpoint = str((await self._metadata())["token_endpoint"])
        async with self._oauth_client(redirect_uri) as client:
            try:
                answer = await client.fetch_token(
                    endpoint, code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
                )
            except AuthlibBaseError as exc:  # the provider's OAuth error (invalid_grant …)
                raise ProviderRefused("provider_error", f"token endpoint: {exc}") from None
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code >= 500:
                    raise ProviderUnavailable(
                        f"token endpoint: {exc.response.status_code}"
                    ) from None
                raise ProviderRefused(
                    "provider_error", f"token endpoint: {exc.response.status_code}"
                ) from None
            except (httpx.HTTPError, ValueError) as exc:
                raise ProviderUnavailable(f"token endpoint: {exc!r}") from None
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise ProviderRefused("invalid_id_token", "the token answer has no ID token")
        claims = await self._verified(id_token)
        try:
            self._claims_registry(
                nonce={"essential": True, "value": nonce},
                iat={"essential": True},
                sub={"essential": True},
            ).validate(claims)
        except JoseError as exc:
            raise ProviderRefused("invalid_id_token", f"ID token: {exc}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self._client_id:
            raise ProviderRefused("invalid_id_token", "ID token for several parties, not us")
        try:
            role, customer_id = role_and_customer(claims, self._role_claim, self._customer_claim)
        except Unauthenticated as exc:
            raise ProviderRefused("invalid_id_token", f"ID token: {exc}") from None
        return ProviderIdentity(
            subject=str(claims["sub"]),
            role=role,
            customer_id=customer_id,
            email=_text(claims.get("email")),
            email_verified=_flag(claims.get("email_verified")),
            name=_text(claims.get("name")),
            session_id=_text(claims.get("sid")),
        )

    async def sign_out(self, logout_token: str) -> ProviderSignOut:
        """OpenID Connect Back-Channel Logout 1.0, section 2.6: signed by the provider, for
        us, recent, with the logout event, naming a ``sid`` or a ``sub``, and without a
        ``nonce`` (so that an ID token cannot pass for one)."""
        try:
            claims = await self._verified(logout_token, typ=("logout+jwt", "JWT"))
            self._claims_registry(iat={"essential": True}, jti={"essential": True}).validate(claims)
        except (ProviderRefused, JoseError) as exc:
            raise ProviderRefused("invalid_logout_token", str(exc)) from None
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(
            events.get(BACKCHANNEL_LOGOUT_EVENT), dict
        ):
            raise ProviderRefused("invalid_logout_token", "not a back-channel logout event")
        if "nonce" in claims:
            raise ProviderRefused("invalid_logout_token", "a logout token has no nonce")
        subject, session_id = _text(claims.get("sub")), _text(claims.get("sid"))
        if subject is None and session_id is None:
            raise ProviderRefused("invalid_logout_token", "it names no sid and no sub")
        return ProviderSignOut(token_id=str(claims["jti"]), subject=subject, session_id=session_id)

    def _oauth_client(self, redirect_uri: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self._client_id,
            client_secret=self._client_secret,
            token_endpoint_auth_method=(
                "client_secret_basic" if self._client_secret is not None else "none"
            ),
            scope=self._scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            transport=self._transport,
            timeout=self._timeout,
        )

    def _claims_registry(self, **more: Any) -> jwt.JWTClaimsRegistry:
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self._issuer},
            "aud": {"essential": True, "value": self._client_id},
            "exp": {"essential": True},
            **more,
        }
        return jwt.JWTClaimsRegistry(leeway=LEEWAY_SECONDS, **options)

    async def _verified(self, token: str, typ: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The claims of a token signed by one of the provider's keys (looked for again
        once when the cached set lacks the token's key)."""
        for attempt in (1, 2):
            keys = await self._key_set(refresh=attempt == 2)
            try:
                decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
            except (JoseError, ValueError) as exc:
                if attempt == 1 and self._keys_may_refresh():
                    continue
                raise ProviderRefused("invalid_id_token", f"signature: {exc!r}") from None
            if typ is not None and decoded.header.get("typ", typ[0]) not in typ:
                raise ProviderRefused("invalid_id_token", "a token of another type")
            return dict(decoded.claims)
        raise AssertionError("unreachable")

    def _keys_may_refresh(self) -> bool:
        return self._keys is None or time.monotonic() - self._keys[0] > KEYS_REFETCH_SECONDS

    async def _key_set(self, *, refresh: bool) -> KeySet:
        if self._keys is not None and not refresh:
            return self._keys[1]
        document = await self._get_json(str((await self._metadata())["jwks_uri"]))
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderUnavailable(f"the provider's keys: {exc!r}") from None
        self._keys = (time.monotonic(), keys)
        return keys

    async def _metadata(self) -> dict[str, Any]:
        if (
            self._discovery is not None
            and time.monotonic() - self._discovery[0] < DISCOVERY_SECONDS
        ):
            return self._discovery[1]
        document = await self._get_json(
            self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if any(not isinstance(document.get(name), str) for name in needed):
            raise ProviderUnavailable("the discovery document lacks its endpoints")
        if document["issuer"] != self._issuer:  # OpenID Connect Discovery 1.0, 4.3
            raise ProviderUnavailable("the discovery document names another issuer")
        self._discovery = (time.monotonic(), document)
        return document

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("identity_provider_unavailable", url=url, error=repr(exc))
            raise ProviderUnavailable(f"{url}: {exc!r}") from None
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return document


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _flag(value: object) -> bool | None:
    """``email_verified`` is a boolean; some providers send "true" and "false"."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return None
