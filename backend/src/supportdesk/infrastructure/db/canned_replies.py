"""Canned replies in SQL: each call one short transaction (they change nothing else)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table, delete, insert, or_, select, update

from supportdesk.application.reads import PageOf
from supportdesk.domain.access import Actor
from supportdesk.domain.canned_replies import CannedReply
from supportdesk.domain.cases import CaseStatus
from supportdesk.infrastructure.db.models import CannedReplyRecord
from supportdesk.infrastructure.db.outbox import ShortTransactions
from supportdesk.infrastructure.db.reads.paging import cut, keyset

_R: Table = CannedReplyRecord.__table__  # type: ignore[assignment]
_SORT = "created_at"


class SqlCannedReplyStore(ShortTransactions):
    async def add(self, reply: CannedReply) -> None:
        async with self._writing() as session:
            await session.execute(insert(_R).values(**_values(reply)))

    async def get(self, reply_id: str) -> CannedReply | None:
        async with self._reads() as session:
            row = (await session.execute(select(_R).where(_R.c.id == reply_id))).first()
        return _reply(row) if row else None

    async def visible_to(
        self, actor: Actor, *, limit: int, cursor: str | None
    ) -> PageOf[CannedReply]:
        visible = or_(_R.c.shared.is_(True), _R.c.owner_id == actor.id)
        query = keyset(select(_R).where(visible), [_R.c.created_at], _R.c.id, _SORT, cursor, limit)
        async with self._reads() as session:
            rows = list(await session.execute(query))
        page, next_cursor = cut(rows, limit, _SORT, ["created_at"])
        return PageOf(items=[_reply(row) for row in page], next_cursor=next_cursor)

    async def save(self, reply: CannedReply, *, seen_version: int) -> bool:
        values = _values(reply)
        del values["id"], values["created_at"], values["owner_id"]
        async with self._writing() as session:
            done = await session.execute(
                update(_R).where(_R.c.id == reply.id, _R.c.version == seen_version).values(**values)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    async def delete(self, reply_id: str) -> bool:
        async with self._writing() as session:
            gone = await session.execute(delete(_R).where(_R.c.id == reply_id))
            return bool(gone.rowcount == 1)  # type: ignore[attr-defined]


def _values(reply: CannedReply) -> dict[str, Any]:
    return {
        "id": reply.id,
        "title": reply.title,
        "body": reply.body,
        "shared": reply.shared,
        "set_status": reply.set_status.value if reply.set_status else None,
        "owner_id": reply.owner_id,
        "version": reply.version,
        "created_at": reply.created_at,
        "updated_at": reply.updated_at,
    }


def _reply(row: Row[Any]) -> CannedReply:
    return CannedReply(
        id=row.id,
        title=row.title,
        body=row.body,
        shared=row.shared,
        set_status=CaseStatus(row.set_status) if row.set_status else None,
        owner_id=row.owner_id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
