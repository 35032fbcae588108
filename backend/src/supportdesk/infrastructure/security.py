"""Tokens and passwords: our own JWTs, the shop's identity provider, argon2id hashes."""

from __future__ import annotations

import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from supportdesk.application.ports import AccessClaims, LinkClaims, RefreshClaims, TokenPair
from supportdesk.domain.access import Role
from supportdesk.domain.errors import InvalidLink, Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.settings import Settings

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm is refused


class Argon2PasswordHasher:
    """argon2id hashes made at the given cost (pwdlib's by default); any cost verifies."""

    def __init__(self, *, memory_kib: int = 65536, time_cost: int = 3) -> None:
        self._hash = PasswordHash((Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost),))
        self._dummy: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Argon2PasswordHasher:
        return cls(
            memory_kib=settings.password_hash_memory_kib,
            time_cost=settings.password_hash_time_cost,
        )

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
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
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
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
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


class JwtLinks:
    """Tokens for links sent by mail: our secret, a purpose of their own (the ``typ`` and
    an audience per purpose, so a reset token is never a sign-in token or an access
    token), an id for single use, and a short expiry."""

    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience

    def issue(self, purpose: str, claims: dict[str, str], ttl_seconds: int) -> str:
        now = datetime.now(UTC)
        return jwt.encode(
            {
                **claims,
                "iss": self._issuer,
                "aud": f"{self._audience}:{purpose}",
                "typ": purpose,
                "jti": uuid.uuid4().hex,
                "iat": now,
                "exp": now + timedelta(seconds=ttl_seconds),
            },
            self._secret,
            algorithm=ALGORITHM,
        )

    def read(self, purpose: str, token: str) -> LinkClaims:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=f"{self._audience}:{purpose}",
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidLink("this link has expired; ask for a new one") from None
        except jwt.PyJWTError:
            raise InvalidLink("this link is not valid; ask for a new one") from None
        if claims.get("typ") != purpose:
            raise InvalidLink("this link is not valid; ask for a new one")
        reserved = {"iss", "aud", "typ", "jti", "iat", "exp"}
        return LinkClaims(
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            claims={k: str(v) for k, v in claims.items() if k not in reserved},
        )


class ZxcvbnPasswords:
    """A password is long enough and not guessable: zxcvbn (Dropbox's estimator, with its
    lists of common and breached passwords, names and words) must rate it at least 3 of
    4 ("safely unguessable: moderate protection from offline attacks"), counting the
    person's own email and name as known words."""

    def __init__(self, min_length: int, min_score: int = 3) -> None:
        self.min_length = min_length
        self.min_score = min_score

    def problem(self, password: str, *, about: Sequence[str]) -> str | None:
        if len(password) < self.min_length:
            return f"use at least {self.min_length} characters"
        if len(password) > 256:
            return "use at most 256 characters"
        # Imported on first use: its word lists are ~10 MB of every worker's memory, and
        # only a password reset or a new account's password needs them.
        from zxcvbn import zxcvbn

        words = [part for item in about for part in re.split(r"[@.\s_+-]+", item) if part]
        result = zxcvbn(password[:100], user_inputs=words)
        if result["score"] >= self.min_score:
            return None
        warning = str(result["feedback"].get("warning") or "")
        advice = warning.rstrip(".") if warning else "this password is too easy to guess"
        return f"{advice[0].lower()}{advice[1:]}: add more words or characters"
