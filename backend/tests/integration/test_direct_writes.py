"""A unit of work's INSERTs on SQLite's driver (``infrastructure/db/direct_writes.py``) are
the session's: in its transaction, refused as SQLAlchemy refuses them, and the same rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy import exc as sa_exc

from supportdesk.infrastructure.db import direct_writes
from supportdesk.infrastructure.db.models import EventRecord, OutboxRecord, SupportCaseRecord
from supportdesk.infrastructure.db.repositories import SqlCaseRepository
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from tests.conftest import TEST_DATABASE_URL
from tests.integration.test_repository_contract import a_case

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's own driver"),
]

_OUTBOX: Any = OutboxRecord.__table__


async def test_a_case_added_twice_is_refused_as_sqlalchemy_refuses_it(database_url: str) -> None:
    database = Database.connect(database_url)
    try:
        for attempt in range(2):
            uow = SqlUnitOfWork(database.write_sessions(), database.write_lock)
            async with uow:
                if attempt == 0:
                    await uow.cases.add(a_case(id="case_twice"))
                    await uow.commit()
                    continue
                with pytest.raises(sa_exc.IntegrityError):
                    await uow.cases.add(a_case(id="case_twice"))
    finally:
        await database.dispose()


async def test_what_was_inserted_is_the_transactions_own_until_it_commits(
    database_url: str,
) -> None:
    database = Database.connect(database_url)
    sessions = database.write_sessions()
    count = (
        select(func.count())
        .select_from(SupportCaseRecord)
        .where(SupportCaseRecord.id == "case_seen")
    )
    try:
        async with sessions() as session, session.begin():
            await SqlCaseRepository(session, None).add(a_case(id="case_seen"))
            # The session's own statements see it: the same connection, the same transaction.
            assert (await session.execute(count)).scalar() == 1
            await session.rollback()
        async with sessions() as session:
            assert (await session.execute(count)).scalar() == 0
    finally:
        await database.dispose()


async def test_rows_written_directly_are_the_rows_the_session_writes(database_url: str) -> None:
    """The same outbox rows, one through the session and one on the driver: every column
    alike but the ids, JSON and times included."""
    database = Database.connect(database_url)
    sessions = database.write_sessions()
    case = a_case(id="case_rows")
    event = case.new_events[0]
    try:
        async with sessions() as session, session.begin():
            await SqlCaseRepository(session, None).add(case)
            row = {
                "event_id": event.id,
                "channel": "mail",
                "target": "",
                "case_id": case.id,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": event.at,
                "progress": {"sent": ["a", "ü"]},
                "created_at": event.at,
            }
            await session.execute(insert(_OUTBOX), {**row, "channel": "through-session"})
            await direct_writes.insert(session, insert(_OUTBOX), {**row, "channel": "direct"})
            # As stored: the text SQLite holds, not what reading it makes of it.
            stored = select(*(cast(column, Text) for column in _OUTBOX.c)).where(
                _OUTBOX.c.channel.in_(["through-session", "direct"])
            )
            rows = (await session.execute(stored)).all()
        assert len(rows) == 2
        names = [column.name for column in _OUTBOX.c]
        through, direct = (
            dict(zip(names, r, strict=True))
            for r in sorted(rows, key=lambda r: r[names.index("channel")] != "through-session")
        )
        assert {key for key in names if through[key] != direct[key]} == {"id", "channel"}
        events = select(func.count()).select_from(EventRecord).where(EventRecord.case_id == case.id)
        async with sessions() as session:
            assert (await session.execute(events)).scalar() == 1
    finally:
        await database.dispose()
