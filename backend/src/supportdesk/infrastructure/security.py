"""Tokens and passwords: our own JWTs, the shop's identity provider, argon2id hashes."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from supportdesk.application.ports import AccessClaims, RefreshClaims, TokenPair
from supportdesk.domain.access import Role
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.settings import Settings

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm is refused


class Argon2PasswordHasher:
    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))
        self._dummy: str | None = None

    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hash.hash(uuid.uuid4().hex)
        return self._dummy

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, password_hash: str) -> bool:
        try:
            return self._hash.verify(password, password_hash)
        except Exception:
            return False


VERIFIED_TOKENS_KEPT = 4096


class JwtTokens:
    """Our own tokens: short-lived access JWTs and rotating refresh JWTs."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._access_ttl = settings.access_token_ttl_seconds
        self._refresh_ttl = settings.refresh_token_ttl_seconds
        # Access tokens already verified, by their exact text. Checking the signature and
        # the claims again on every request was a tenth of a case read; what can change
        # about a verified token is only that it expires, checked on every use. Revocation
        # and the account's standing are checked per request elsewhere, as before.
        self._verified: OrderedDict[str, AccessClaims] = OrderedDict()

    def issue(self, user: UserAccount, family_id: str) -> tuple[TokenPair, str]:
        now = datetime.now(UTC)
        base = {"sub": user.id, "iss": self._issuer, "aud": self._audience, "iat": now}
        access = jwt.encode(
            {
                **base,
                "typ": "access",
                "role": user.role.value,
                "cid": user.customer_id,
                "sid": family_id,
                "jti": uuid.uuid4().hex,
                "exp": now + timedelta(seconds=self._access_ttl),
            },
            self._secret,
            algorithm=ALGORITHM,
        )
        refresh_id = uuid.uuid4().hex
        refresh = jwt.encode(
            {
                **base,
                "typ": "refresh",
                "jti": refresh_id,
                "fam": family_id,
                "exp": now + timedelta(seconds=self._refresh_ttl),
            },
            self._secret,
            algorithm=ALGORITHM,
        )
        return TokenPair(access, refresh, self._access_ttl), refresh_id

    def read_access(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at.timestamp() > time.time():
                return known
            del self._verified[token]
        verified = self._read_access(token)
        self._verified[token] = verified
        if len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return verified

    def _read_access(self, token: str) -> AccessClaims:
        claims = self._decode(token, "access")
        try:
            role = Role(claims["role"])
        except (KeyError, ValueError):
            raise Unauthenticated("the token names no valid role") from None
        return AccessClaims(
            user_id=str(claims["sub"]),
            role=role,
            customer_id=claims.get("cid"),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            session_id=str(claims["sid"]) if claims.get("sid") else None,
        )

    def read_refresh(self, token: str) -> RefreshClaims:
        claims = self._decode(token, "refresh")
        if "fam" not in claims:
            raise Unauthenticated("not a refresh token")
        return RefreshClaims(
            user_id=str(claims["sub"]),
            token_id=str(claims["jti"]),
            family_id=str(claims["fam"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )

    def is_ours(self, token: str) -> bool:
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return header.get("alg") == ALGORITHM and claims.get("iss") == self._issuer

    def _decode(self, token: str, kind: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.PyJWTError:
            raise Unauthenticated("the token is invalid or expired") from None
        if claims.get("typ") != kind:
            raise Unauthenticated(f"not an {kind} token")
        return claims


def role_and_customer(
    claims: dict[str, Any], role_claim: str, customer_claim: str
) -> tuple[Role, str | None]:
    """Who a token of the shop's identity provider names, by the claims the settings name
    (IDP_ROLE_CLAIM, IDP_CUSTOMER_CLAIM): without a role, a customer, who must name their
    customer id. Its access tokens and its ID tokens are read alike."""
    try:
        role = Role(claims.get(role_claim, Role.CUSTOMER.value))
    except (ValueError, TypeError):
        raise Unauthenticated("the token names no valid role") from None
    customer_id = claims.get(customer_claim) if role is Role.CUSTOMER else None
    if role is Role.CUSTOMER and not customer_id:
        raise Unauthenticated("the token names no customer")
    return role, str(customer_id) if customer_id else None


class IdentityProviderTokens:
    """Tokens of the shop's own identity provider, by PEM public key or JWKS (RS256/ES256)."""

    ALGORITHMS = ["RS256", "ES256"]

    def __init__(self, settings: Settings) -> None:
        self._public_key = settings.idp_public_key
        self._jwks = jwt.PyJWKClient(settings.idp_jwks_url) if settings.idp_jwks_url else None
        self._issuer = settings.idp_issuer
        self._audience = settings.idp_audience
        self._customer_claim = settings.idp_customer_claim
        self._role_claim = settings.idp_role_claim

    @property
    def configured(self) -> bool:
        return bool(self._public_key or self._jwks)

    def read_access(self, token: str) -> AccessClaims:
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
            else:
                key = self._public_key
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self.ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._audience is not None,
                    "verify_iss": self._issuer is not None,
                },
            )
        except (jwt.PyJWTError, ValueError):
            raise Unauthenticated("the token is invalid or expired") from None
        role, customer_id = role_and_customer(claims, self._role_claim, self._customer_claim)
        return AccessClaims(
            user_id=f"idp:{claims['sub']}",
            role=role,
            customer_id=customer_id,
            token_id=str(claims.get("jti") or claims["sub"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
