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

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, role=self.role, customer_id=self.customer_id)
