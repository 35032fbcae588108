"""The SQL unit of work: owns one transaction at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.domain.sla import SlaPolicy
from supportdesk.infrastructure.db.notifications import SqlNotificationSettingsRepository
from supportdesk.infrastructure.db.outbox import CHANNELS, WROTE
from supportdesk.infrastructure.db.repositories import (
    HISTORY_GREW,
    SqlAttachmentRepository,
    SqlCaseRepository,
    SqlMessageRepository,
    SqlPaymentEventRepository,
    SqlRefundRepository,
    SqlUserRepository,
)


class SqlUnitOfWork:
    """``async with uow: ...; await uow.commit()``. Each ``async with`` is a new transaction,
    so one use case can commit an intent, call the gateway outside any transaction, and then
    record the outcome in a second block."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        lock: asyncio.Lock | None = None,
        *,
        outbox_channels: Sequence[str] = (),
        on_outbox_commit: Callable[[], None] | None = None,
        history_grew: Callable[[], None] | None = None,
        sla: SlaPolicy | None = None,
    ) -> None:
        """``outbox_channels``: the channels each history event gets an outbox row for;
        ``on_outbox_commit`` is called after a commit that wrote such rows (it wakes this
        process's dispatcher, so a notification goes out at once, not at the next poll)."""
        self._sessions = sessions
        self._outbox_channels = tuple(outbox_channels)
        self._on_outbox_commit = on_outbox_commit
        # Called after a commit that wrote history events (wakes live-update streams).
        self._history_grew = history_grew
        # Every write of a case works its SLA clocks out again (docs/sla.md).
        self._sla = sla
        self._session: AsyncSession | None = None
        self._lock = lock
        self._holds_lock = False

    async def __aenter__(self) -> Self:
        if self._lock is not None:
            await self._lock.acquire()
            self._holds_lock = True
        session = self._sessions()
        self._session = session
        session.info[CHANNELS] = self._outbox_channels
        self.cases = SqlCaseRepository(session, self._sla)
        self.messages = SqlMessageRepository(session)
        self.refunds = SqlRefundRepository(session)
        self.attachments = SqlAttachmentRepository(session)
        self.users = SqlUserRepository(session)
        self.notification_settings = SqlNotificationSettingsRepository(session)
        self.payment_events = SqlPaymentEventRepository(session)
        await session.begin()
        return self

    async def __aexit__(self, *exc: object) -> None:
        session, self._session = self._session, None
        try:
            if session is not None:
                await session.rollback()
                await session.close()
        finally:
            if self._holds_lock and self._lock is not None:
                self._holds_lock = False
                self._lock.release()

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit outside a unit of work")
        grew = self._session.info.pop(HISTORY_GREW, False)
        await self._session.commit()
        if self._session.info.pop(WROTE, False) and self._on_outbox_commit is not None:
            self._on_outbox_commit()
        if grew and self._history_grew is not None:
            self._history_grew()
