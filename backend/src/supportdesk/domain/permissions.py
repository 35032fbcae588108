"""What an actor may do next with a case or a refund, and if not, why.

Each aggregate answers with the same refusal its use case would raise, so the answer the API
sends and the rule the use case enforces cannot drift apart, and no client re-derives a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Decision:
    """One action the actor's role could take, and the refusal that stands in the way now
    (None when the action is allowed)."""

    action: str
    refusal: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def allowed_actions(decisions: Iterable[Decision]) -> list[str]:
    return [d.action for d in decisions if d.allowed]


def refused_actions(decisions: Iterable[Decision]) -> list[Decision]:
    return [d for d in decisions if not d.allowed]
