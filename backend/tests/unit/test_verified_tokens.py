"""Verified access tokens are remembered, but a remembered token still expires."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportdesk.domain.access import Role
from supportdesk.domain.errors import Unauthenticated
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure import security
from supportdesk.infrastructure.security import JwtTokens
from supportdesk.infrastructure.settings import load_settings

BOB = UserAccount(
    id="usr_bob",
    email="bob@example.com",
    name="Bob",
    role=Role.AGENT,
    customer_id=None,
    password_hash="",
    active=True,
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def tokens() -> JwtTokens:
    return JwtTokens(load_settings(jwt_secret="s" * 40, access_token_ttl_seconds=60))


def test_a_remembered_access_token_is_refused_once_it_has_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = tokens()
    token = issuer.issue(BOB, "fam_1")[0].access_token
    claims = issuer.read_access(token)
    later = claims.expires_at.timestamp() + 1
    monkeypatch.setattr(security.time, "time", lambda: later)
    monkeypatch.setattr(security.jwt.api_jwt, "datetime", _FrozenAt(later), raising=False)

    with pytest.raises(Unauthenticated):
        issuer.read_access(token)


def test_a_token_signed_with_another_secret_is_refused_though_its_text_was_seen() -> None:
    ours, theirs = tokens(), JwtTokens(load_settings(jwt_secret="t" * 40))
    forged = theirs.issue(BOB, "fam_1")[0].access_token

    with pytest.raises(Unauthenticated):
        ours.read_access(forged)
    with pytest.raises(Unauthenticated):
        ours.read_access(forged)


class _FrozenAt:
    """Stands in for PyJWT's ``datetime`` so that its own expiry check sees ``at`` too."""

    def __init__(self, at: float) -> None:
        self._at = at

    def now(self, tz: object = None) -> datetime:
        return datetime.fromtimestamp(self._at, UTC)

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)
