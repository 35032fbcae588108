"""Request and answer models of signing in through the shop's identity provider
(docs/identity-provider.md). Beside ``schemas.py``, which holds the rest."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from supportdesk.api.schemas import Input, OneLine


class ProviderOut(BaseModel):
    name: str  # for the button: "Sign in with <name>"


class ProvidersOut(BaseModel):
    """The ways to sign in other than a password; null: not configured."""

    oidc: ProviderOut | None


class ProviderCodeIn(Input):
    code: Annotated[str, StringConstraints(min_length=1, max_length=200), OneLine]
