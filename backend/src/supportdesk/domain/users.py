"""People who sign in: customers of the shop and its support staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.domain.access import Actor, Role


@dataclass(frozen=True, slots=True)
class UserAccount:
    id: str
    email: str
    name: str
    role: Role
    customer_id: str | None
    password_hash: str
    active: bool
    created_at: datetime
    # Tokens issued before this moment no longer sign the user in (a password reset ends
    # every sign-in); None when that never happened.
    sessions_since: datetime | None = None

    def signs_in(self, issued_at: datetime | None) -> bool:
        """Whether a token issued at ``issued_at`` may still sign this user in. Token times
        are whole seconds, so a token of the very second of a reset still counts."""
        if self.sessions_since is None:
            return True
        if issued_at is None:
            return False
        return issued_at >= self.sessions_since.replace(microsecond=0)

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, role=self.role, customer_id=self.customer_id)
