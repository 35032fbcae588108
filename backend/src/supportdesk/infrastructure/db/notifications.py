"""SQL for notifications: staff's choices, and the facts a mail is written from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.domain.access import STAFF_ROLES, Role
from supportdesk.domain.events import EntityKind, Event
from supportdesk.domain.notifications import (
    CaseFacts,
    MailFacts,
    NotificationSettings,
    Person,
    RefundFacts,
    StaffMember,
)
from supportdesk.infrastructure.db.models import (
    MessageRecord,
    NotificationSettingsRecord,
    RefundRecord,
    SupportCaseRecord,
    UserRecord,
)


def _settings(record: NotificationSettingsRecord | None) -> NotificationSettings:
    if record is None:
        return NotificationSettings()
    return NotificationSettings(
        case_replies=record.case_replies,
        new_unassigned=record.new_unassigned,
        supervisor_approvals=record.supervisor_approvals,
    )


class SqlNotificationSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str) -> NotificationSettings:
        return _settings(await self.session.get(NotificationSettingsRecord, user_id))

    async def save(self, user_id: str, settings: NotificationSettings, now: datetime) -> None:
        values = {
            "case_replies": settings.case_replies,
            "new_unassigned": settings.new_unassigned,
            "supervisor_approvals": settings.supervisor_approvals,
            "updated_at": now,
        }
        # Update, else insert: the write transaction (BEGIN IMMEDIATE on SQLite) holds the
        # write lock, and on PostgreSQL two saves of one user's choices at once are two
        # requests of that same user; the primary key refuses a second insert.
        result = await self.session.execute(
            update(NotificationSettingsRecord)
            .where(NotificationSettingsRecord.user_id == user_id)
            .values(**values)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            self.session.add(NotificationSettingsRecord(user_id=user_id, **values))
            await self.session.flush()


class SqlMailFacts:
    """Reads what a mail needs in one short read transaction, after the change committed."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def facts_for(self, event: Event) -> MailFacts | None:
        async with self._sessions() as session, session.begin():
            case = await session.get(SupportCaseRecord, event.case_id)
            if case is None:
                return None
            refund = None
            if event.entity is EntityKind.REFUND:
                refund = await session.get(RefundRecord, event.entity_id)
            message_body = None
            if event.type == "message_added":
                message_body = await self._public_message(session, event)
            customers = (
                await session.scalars(
                    select(UserRecord)
                    .where(
                        UserRecord.customer_id == case.customer_id,
                        UserRecord.role == Role.CUSTOMER.value,
                        UserRecord.active.is_(True),
                    )
                    .order_by(UserRecord.id)
                )
            ).all()
            staff = (
                await session.execute(
                    select(UserRecord, NotificationSettingsRecord)
                    .outerjoin(
                        NotificationSettingsRecord,
                        NotificationSettingsRecord.user_id == UserRecord.id,
                    )
                    .where(
                        UserRecord.role.in_([role.value for role in STAFF_ROLES]),
                        UserRecord.active.is_(True),
                    )
                    .order_by(UserRecord.id)
                )
            ).all()
        return MailFacts(
            case=CaseFacts(
                id=case.id,
                customer_id=case.customer_id,
                subject=case.subject,
                status=case.status,
                assignee_id=case.assignee_id,
                channel=case.channel,
            ),
            refund=_refund_facts(refund) if refund is not None else None,
            message_body=message_body,
            customers=tuple(Person(u.id, u.email, u.name) for u in customers),
            staff=tuple(
                StaffMember(Person(u.id, u.email, u.name), Role(u.role), _settings(s))
                for u, s in staff
            ),
        )

    @staticmethod
    async def _public_message(session: AsyncSession, event: Event) -> str | None:
        """The message an event stands for: the event and its message are written in one
        transaction with the same time and author. Never an internal one."""
        body = await session.scalar(
            select(MessageRecord.body)
            .where(
                MessageRecord.case_id == event.case_id,
                MessageRecord.author_id == event.actor_id,
                MessageRecord.created_at == event.at,
                MessageRecord.internal.is_(False),
            )
            .order_by(MessageRecord.seq.desc())
            .limit(1)
        )
        return body


def _refund_facts(record: RefundRecord) -> RefundFacts:
    settlement = record.settlement or {}
    return RefundFacts(
        id=record.id,
        total_amount=record.total_amount,
        currency=record.currency,
        reason=record.reason,
        failure_reason=record.failure_reason,
        gateway_refund_id=record.gateway_refund_id,
        bank_reference=record.bank_reference,
        settlement_type=settlement.get("type"),
        settlement_amount=settlement.get("amount"),
        settlement_note=settlement.get("note"),
        settlement_reference=settlement.get("reference"),
        kind=record.kind,
    )
