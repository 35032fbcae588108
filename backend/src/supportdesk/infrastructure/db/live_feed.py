"""The read side of live updates: history events after a sequence number, as the caller
may see them. The events table is the only source; ``seq`` orders it."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from supportdesk.application.live import LiveEvent
from supportdesk.domain.access import Actor
from supportdesk.domain.events import EntityKind
from supportdesk.infrastructure.db.mapping import event_from_record
from supportdesk.infrastructure.db.models import (
    EventRecord,
    RefundRecord,
    SupportCaseRecord,
    UserRecord,
)
from supportdesk.infrastructure.db.reads.readable import readable_events


class SqlLiveFeed:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def last_seq(self) -> int:
        """Where a new stream starts: after everything already written."""
        async with self._sessions() as session:
            value = await session.scalar(select(func.max(EventRecord.seq)))
        return int(value or 0)

    async def after(self, actor: Actor, seq: int, *, limit: int) -> tuple[list[LiveEvent], bool]:
        """Events with a sequence number above ``seq``, oldest first, that ``actor`` may
        see: staff everything; a customer the events of her own cases and their refunds,
        each as ``Event.for_customer`` shows it (an internal note not at all). Also whether
        ``limit`` rows were read, so that more may follow."""
        if not actor.is_staff and actor.customer_id is None:
            return [], False
        e = EventRecord
        case = aliased(SupportCaseRecord)
        refund = aliased(RefundRecord)
        query = (
            select(e, case.version, refund.version, UserRecord.name)
            .join(case, case.id == e.case_id)
            .outerjoin(refund, and_(e.entity == EntityKind.REFUND.value, refund.id == e.entity_id))
            .outerjoin(UserRecord, UserRecord.id == e.actor_id)
            .where(e.seq > seq, readable_events(actor))
            .order_by(e.seq)
            .limit(limit)
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        found: list[LiveEvent] = []
        for record, case_version, refund_version, name in rows:
            event = event_from_record(record)
            actor_name: str | None = name
            if not actor.is_staff:
                seen = event.for_customer()
                if seen is None:
                    continue
                event, actor_name = seen, None
            version = refund_version if event.entity is EntityKind.REFUND else case_version
            found.append(LiveEvent(record.seq, event, version, actor_name))
        return found, len(rows) == limit
