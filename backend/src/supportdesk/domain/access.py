"""Who acts: the signed-in person and what their role lets them do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    role: Role
    customer_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def may_approve_above_threshold(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    def owns(self, customer_id: str) -> bool:
        return self.role is Role.CUSTOMER and self.customer_id == customer_id

    def may_see(self, customer_id: str) -> bool:
        """Staff see everything; a customer sees only their own. The database asks the same
        question in SQL, one condition per resource (``infrastructure/db/reads/readable.py``),
        held to this rule by the repository contract tests."""
        return self.is_staff or self.owns(customer_id)


SYSTEM = Actor(id="system", role=Role.ADMIN)
