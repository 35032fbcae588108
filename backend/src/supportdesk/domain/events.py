"""History: every change of a case or refund is an event. History is never edited."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from secrets import token_hex
from typing import ClassVar

from supportdesk.domain.access import SYSTEM, Actor, Role


class EntityKind(StrEnum):
    SUPPORT_CASE = "support_case"
    REFUND = "refund"


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    at: datetime
    actor_id: str
    actor_role: str
    entity: EntityKind
    entity_id: str
    case_id: str
    type: str
    from_status: str | None
    to_status: str | None
    note: str | None
    # Whether the customer may read ``note``. Staff write notes for each other unless they
    # say otherwise; what a customer writes, and what the system writes, they may read.
    note_public: bool = True

    def for_customer(self) -> Event | None:
        """What a customer sees of this event: nothing of an internal message, and of a
        staff note only what was marked public. A note that is the whole event goes.

        Who acted is told in the customer's terms: the customer's own id, or the support
        team as one (``SUPPORT_TEAM``), or ``AUTOMATIC`` for what the system did by itself
        (reconciling a refund, say). No staff id reaches a customer, and neither do the
        system's notes about its own workings (see ``WORKINGS_NOTE_TYPES``)."""
        if self.type in INTERNAL_EVENT_TYPES:
            return None
        seen = self._actor_for_customer()
        if seen.type in WORKINGS_NOTE_TYPES:
            return replace(seen, note=None)
        if seen.note_public or seen.note is None:
            return seen
        return None if seen.type == NOTE_EVENT else replace(seen, note=None)

    def _actor_for_customer(self) -> Event:
        if self.actor_id == SYSTEM.id:
            return replace(self, actor_id=AUTOMATIC, actor_role=AUTOMATIC)
        if self.actor_role == Role.CUSTOMER.value:
            return self
        return replace(self, actor_id=SUPPORT_TEAM, actor_role=SUPPORT_TEAM)


# How a customer's history names who acted when it was not the customer.
SUPPORT_TEAM = "support_team"
AUTOMATIC = "automatic"
# Notes the system writes for staff about its own workings: whom a case is assigned to
# (a staff id), which attempt at paying is under way, the gateway's refund id, the bank's
# code for a refund it sent back. A customer reads that it happened; the refund itself tells
# them the bank reference, and in words why the money came back.
WORKINGS_NOTE_TYPES = frozenset(
    {"assigned", "execution_started", "refund_succeeded", "refund_reversed"}
)
# Events customers never see, not even that they happened: staff's internal notes, and
# the shop's own promises about its response times (docs/sla.md), and the redaction of a
# file of an internal note.
INTERNAL_EVENT_TYPES = frozenset(
    {"internal_note_added", "sla_breached", "internal_attachment_redacted"}
)
# An event that is nothing but a note (a PATCH with a note and no change).
NOTE_EVENT = "note"


def new_event(
    *,
    actor: Actor,
    at: datetime,
    entity: EntityKind,
    entity_id: str,
    case_id: str,
    type: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    note_public: bool = True,
) -> Event:
    return Event(
        id=new_id("evt"),
        at=at,
        actor_id=actor.id,
        actor_role=actor.role.value,
        entity=entity,
        entity_id=entity_id,
        case_id=case_id,
        type=type,
        from_status=from_status,
        to_status=to_status,
        note=note,
        note_public=note_public,
    )


class RecordsHistory:
    """An aggregate that writes an event for each change it makes; the repository saves
    ``new_events`` with the aggregate, in the same transaction."""

    entity_kind: ClassVar[EntityKind]
    id: str
    new_events: list[Event]
    updated_at: datetime

    @property
    def history_case_id(self) -> str:
        """The case whose history shows this aggregate's events."""
        raise NotImplementedError

    def _record(
        self,
        by: Actor,
        now: datetime,
        type: str,
        source: StrEnum | None,
        target: StrEnum | None,
        note: str | None,
        *,
        note_public: bool = True,
    ) -> None:
        self.new_events.append(
            new_event(
                actor=by,
                at=now,
                entity=self.entity_kind,
                entity_id=self.id,
                case_id=self.history_case_id,
                type=type,
                from_status=source.value if source else None,
                to_status=target.value if target else None,
                note=note,
                note_public=note_public,
            )
        )
        self.updated_at = now


def new_id(prefix: str) -> str:
    # 128 random bits in hex, as a uuid4's, without building a UUID.
    return f"{prefix}_{token_hex(16)}"
