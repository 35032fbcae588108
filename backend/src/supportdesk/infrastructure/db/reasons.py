"""The reasons list in SQL: each call one short transaction (a reason changes nothing else)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from supportdesk.domain.reasons import ReasonCode
from supportdesk.infrastructure.db.models import ReasonCodeRecord
from supportdesk.infrastructure.db.outbox import ShortTransactions

_R: Table = ReasonCodeRecord.__table__  # type: ignore[assignment]


class SqlReasonCodeStore(ShortTransactions):
    async def all(self) -> list[ReasonCode]:
        async with self._reads() as session:
            rows = await session.execute(select(_R).order_by(_R.c.position, _R.c.code))
            return [_reason(row) for row in rows]

    async def add(self, reason: ReasonCode) -> bool:
        try:
            async with self._writing() as session:
                await session.execute(insert(_R).values(**_values(reason)))
        except IntegrityError:
            return False  # another admin added the same code a moment before
        return True

    async def save(self, reason: ReasonCode, *, seen_version: int) -> bool:
        values = _values(reason)
        del values["code"], values["created_at"]
        async with self._writing() as session:
            done = await session.execute(
                update(_R)
                .where(_R.c.code == reason.code, _R.c.version == seen_version)
                .values(**values)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _values(reason: ReasonCode) -> dict[str, Any]:
    return {
        "code": reason.code,
        "label": reason.label,
        "active": reason.active,
        "position": reason.position,
        "version": reason.version,
        "created_at": reason.created_at,
        "updated_at": reason.updated_at,
    }


def _reason(row: Row[Any]) -> ReasonCode:
    return ReasonCode(
        code=row.code,
        label=row.label,
        active=row.active,
        position=row.position,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
