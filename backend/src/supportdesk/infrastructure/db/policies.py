"""The refund policy's versions in SQL, and the decisions a dry run judges again."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.domain.policy import DecidedRefund, PolicyDecision, PolicyRules, PublishedPolicy
from supportdesk.infrastructure.db.models import RefundPolicyRecord, RefundRecord
from supportdesk.infrastructure.db.outbox import ShortTransactions

_P: Table = RefundPolicyRecord.__table__  # type: ignore[assignment]
_R: Table = RefundRecord.__table__  # type: ignore[assignment]

# How long a replica answers pages from the version it read last. Decisions read the version
# afresh (``fresh=True``) and record the one they were taken under, so a page a second
# behind a publish on another replica shows limits a second old, never a wrong decision.
_KEEP_SECONDS = 1.0


class SqlPolicyStore(ShortTransactions):
    def __init__(
        self,
        writes: async_sessionmaker[AsyncSession],
        reads: async_sessionmaker[AsyncSession],
        write_lock: asyncio.Lock | None = None,
        *,
        initial: PublishedPolicy,
    ) -> None:
        super().__init__(writes, reads, write_lock)
        self._initial = initial
        self._kept: tuple[float, PublishedPolicy] | None = None

    async def current(self, *, fresh: bool = False) -> PublishedPolicy:
        kept = self._kept
        if not fresh and kept is not None and time.monotonic() - kept[0] < _KEEP_SECONDS:
            return kept[1]
        async with self._reads() as session:
            row = (await session.execute(select(_P).order_by(_P.c.version.desc()).limit(1))).first()
        policy = self._initial if row is None else _policy(row)
        self._kept = (time.monotonic(), policy)
        return policy

    async def versions(self) -> list[PublishedPolicy]:
        async with self._reads() as session:
            rows = (await session.execute(select(_P).order_by(_P.c.version.desc()))).all()
        return [_policy(row) for row in rows] or [self._initial]

    async def publish(self, policy: PublishedPolicy) -> bool:
        try:
            async with self._writing() as session:
                if policy.version == self._initial.version + 1:
                    # The settings' version is stored with the first other one, so that the
                    # history says what decisions under it were decided by even if the
                    # settings change later.
                    first = replace(
                        self._initial, created_at=self._initial.created_at or policy.created_at
                    )
                    await session.execute(insert(_P).values(**_values(first)))
                await session.execute(insert(_P).values(**_values(policy)))
        except IntegrityError:
            return False
        self._kept = None
        return True

    async def decided_since(self, since: datetime) -> list[DecidedRefund]:
        query = (
            select(_R.c.id, _R.c.order_id, _R.c.decision)
            .where(_R.c.decided_at >= since)
            .order_by(_R.c.decided_at, _R.c.id)
        )
        async with self._reads() as session:
            rows = (await session.execute(query)).all()
        return [
            DecidedRefund(row.id, row.order_id, PolicyDecision.from_data(row.decision))
            for row in rows
            if row.decision is not None
        ]


def _values(policy: PublishedPolicy) -> dict[str, Any]:
    return {
        "version": policy.version,
        "rules": policy.rules.to_data(),
        "note": policy.note,
        "created_by": policy.created_by,
        "created_at": policy.created_at,
    }


def _policy(row: Row[Any]) -> PublishedPolicy:
    # The settings' version was stored (with a time, the column wants one) when the first
    # other was published; it was never published itself, so it has no time of its own.
    from_settings = row.created_by is None
    return PublishedPolicy(
        version=row.version,
        rules=PolicyRules.from_data(row.rules),
        created_at=None if from_settings else row.created_at,
        created_by=row.created_by,
        note=row.note,
    )
