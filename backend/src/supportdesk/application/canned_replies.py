"""Use cases of canned replies: staff keep texts to answer with, personal or shared
(docs/desk.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from supportdesk.application.cases import check_version
from supportdesk.application.ports import Clock
from supportdesk.application.reads import PageOf
from supportdesk.domain.access import Actor
from supportdesk.domain.canned_replies import CannedReply, check_body
from supportdesk.domain.cases import CaseStatus
from supportdesk.domain.errors import Forbidden, NotFound, VersionConflict
from supportdesk.domain.events import new_id


@dataclass(frozen=True, slots=True)
class CannedReplyDraft:
    title: str
    body: str
    shared: bool
    set_status: CaseStatus | None = None


@dataclass(frozen=True, slots=True)
class CannedReplyChanges:
    title: str | None = None
    body: str | None = None
    shared: bool | None = None
    set_status: CaseStatus | None = None
    fields: frozenset[str] = field(default_factory=frozenset)  # the ones given


class CannedReplyStore(Protocol):
    async def add(self, reply: CannedReply) -> None: ...

    async def get(self, reply_id: str) -> CannedReply | None: ...

    async def visible_to(
        self, actor: Actor, *, limit: int, cursor: str | None
    ) -> PageOf[CannedReply]:
        """The shared replies and the actor's own, oldest first."""
        ...

    async def save(self, reply: CannedReply, *, seen_version: int) -> bool:
        """Store a change made to version ``seen_version``; False when the stored one is no
        longer that version (someone else changed it meanwhile)."""
        ...

    async def delete(self, reply_id: str) -> bool: ...


class CannedReplyService:
    """Staff list, write, change and delete canned replies."""

    def __init__(self, store: CannedReplyStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def list(self, actor: Actor, *, limit: int, cursor: str | None) -> PageOf[CannedReply]:
        """Every shared reply and the caller's personal ones; others' personal ones are
        nobody else's business."""
        _staff_only(actor)
        return await self.store.visible_to(actor, limit=limit, cursor=cursor)

    async def create(self, draft: CannedReplyDraft, actor: Actor) -> CannedReply:
        """Any member of the staff writes a reply, personal or shared for the team; its
        placeholders must be ones the web app can fill."""
        _staff_only(actor)
        check_body(draft.body)
        now = self.clock.now()
        reply = CannedReply(
            id=new_id("crp"),
            title=draft.title,
            body=draft.body,
            shared=draft.shared,
            set_status=draft.set_status,
            owner_id=actor.id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        await self.store.add(reply)
        return reply

    async def change(
        self,
        reply_id: str,
        changes: CannedReplyChanges,
        actor: Actor,
        expected_version: int | None,
    ) -> CannedReply:
        """The owner changes their reply; a shared one also an admin. A reply the caller may
        not see does not exist for them; a stale ``If-Match`` is refused."""
        reply = await self._visible(reply_id, actor)
        refusal = reply.change_refusal(actor)
        if refusal is not None:
            raise refusal
        check_version(expected_version, reply.version)
        given = changes.fields
        updated = replace(reply, version=reply.version + 1, updated_at=self.clock.now())
        if "title" in given and changes.title is not None:
            updated.title = changes.title
        if "body" in given and changes.body is not None:
            check_body(changes.body)
            updated.body = changes.body
        if "shared" in given and changes.shared is not None:
            updated.shared = changes.shared
        if "set_status" in given:
            updated.set_status = changes.set_status
        if not await self.store.save(updated, seen_version=reply.version):
            raise VersionConflict("the reply was changed meanwhile; reload and retry")
        return updated

    async def delete(self, reply_id: str, actor: Actor) -> None:
        """Deleting follows the rule of changing: the owner, or an admin for a shared one."""
        reply = await self._visible(reply_id, actor)
        refusal = reply.change_refusal(actor)
        if refusal is not None:
            raise refusal
        if not await self.store.delete(reply_id):
            raise _no_reply(reply_id)

    async def _visible(self, reply_id: str, actor: Actor) -> CannedReply:
        _staff_only(actor)
        reply = await self.store.get(reply_id)
        if reply is None or not reply.visible_to(actor):
            raise _no_reply(reply_id)
        return reply


def _staff_only(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("canned replies are for the support staff")


def _no_reply(reply_id: str) -> NotFound:
    return NotFound(f"no canned reply '{reply_id}'")
