"""Canned replies: texts staff answer with in a keystroke, with placeholders filled from the
case when one is chosen (docs/desk.md).

A reply is personal (only its owner sees and changes it) or shared (every member of the
staff sees it; its owner and admins change it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from supportdesk.domain.access import Actor, Role
from supportdesk.domain.cases import CaseStatus
from supportdesk.domain.errors import Forbidden, ValidationFailed

# What a placeholder may name: the web app fills these from the case when the reply is
# chosen, and a reply with any other would reach a customer as ``{{…}}``.
PLACEHOLDERS = frozenset({"customer.name", "order.id", "case.reference", "refund.total"})
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
MOST_TITLE = 120
MOST_BODY = 5000


@dataclass(slots=True)
class CannedReply:
    id: str
    title: str
    body: str
    shared: bool
    set_status: CaseStatus | None
    owner_id: str
    version: int
    created_at: datetime
    updated_at: datetime

    def visible_to(self, actor: Actor) -> bool:
        """Shared replies are every staff member's; a personal one is its owner's only."""
        return actor.is_staff and (self.shared or self.owner_id == actor.id)

    def change_refusal(self, actor: Actor) -> Forbidden | None:
        """A shared reply speaks for the team: its owner and admins change it, not every
        agent (who may still make a personal copy)."""
        if self.owner_id == actor.id or (self.shared and actor.role is Role.ADMIN):
            return None
        return Forbidden("a shared reply is changed by its owner or an admin")


def check_body(body: str) -> None:
    """Placeholders only from the known set; a ``{{`` or ``}}`` that is not part of one
    would be sent as it stands, so it is refused too, naming what was found."""
    unknown = [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]
    if unknown:
        known = ", ".join(f"{{{{{name}}}}}" for name in sorted(PLACEHOLDERS))
        raise ValidationFailed(
            f"unknown placeholder {{{{{unknown[0]}}}}}; the known ones are {known}",
            field="body",
        )
    rest = _PLACEHOLDER.sub("", body)
    if "{{" in rest or "}}" in rest:
        raise ValidationFailed(
            "a '{{' or '}}' that is not a placeholder; write placeholders as {{order.id}}",
            field="body",
        )


def placeholders_in(body: str) -> list[str]:
    """The placeholders a body uses, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(body)))
