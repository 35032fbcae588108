"""Messages on a case: public replies, or internal notes customers never see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.domain.access import Actor
from supportdesk.domain.attachments import Attachment
from supportdesk.domain.errors import Forbidden
from supportdesk.domain.events import new_id


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    case_id: str
    author_id: str
    author_role: str
    body: str
    internal: bool
    created_at: datetime
    # The files the message names (read with the case's files, not stored on the row).
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def write(cls, *, case_id: str, by: Actor, body: str, internal: bool, now: datetime) -> Message:
        """Only staff write internal notes."""
        if internal and not by.is_staff:
            raise Forbidden("only support staff may write internal notes")
        return cls(
            id=new_id("msg"),
            case_id=case_id,
            author_id=by.id,
            author_role=by.role.value,
            body=body,
            internal=internal,
            created_at=now,
        )


@dataclass(frozen=True, slots=True)
class LastMessage:
    """What a list shows of a case's conversation: who wrote the last public message, when,
    and its beginning. An internal note is not part of the conversation."""

    author_role: str
    excerpt: str
    at: datetime

    @property
    def by_customer(self) -> bool:
        return self.author_role == "customer"
