"""The SQL unit of work: owns one transaction at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from supportdesk.infrastructure.db.repositories import (
    HISTORY_GREW,
    SqlCaseRepository,
    SqlMessageRepository,
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
        history_grew: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        # Called after a commit that wrote history events (wakes live-update streams).
        self._history_grew = history_grew
        self._session: AsyncSession | None = None
        self._lock = lock
        self._holds_lock = False

    async def __aenter__(self) -> Self:
        if self._lock is not None:
            await self._lock.acquire()
            self._holds_lock = True
        session = self._sessions()
        self._session = session
        self.cases = SqlCaseRepository(session)
        self.messages = SqlMessageRepository(session)
        self.refunds = SqlRefundRepository(session)
        self.users = SqlUserRepository(session)
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
        if grew and self._history_grew is not None:
            self._history_grew()
