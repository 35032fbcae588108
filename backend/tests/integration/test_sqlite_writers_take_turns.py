"""SQLite writers of one process take turns in the order they came: a newcomer cannot take
the write connection ahead of writers already waiting for it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork


async def test_a_writer_arriving_as_the_lock_is_released_queues_behind_the_waiting_ones(
    tmp_path: Path,
) -> None:
    database = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    sessions = database.write_sessions()
    order: list[str] = []

    def unit() -> SqlUnitOfWork:
        return SqlUnitOfWork(sessions, database.write_lock)

    async def write(name: str) -> None:
        async with unit():
            order.append(name)

    try:
        first = unit()
        await first.__aenter__()
        waiting = [asyncio.create_task(write(name)) for name in ("second", "third")]
        await asyncio.sleep(0.05)  # both are waiting now
        await first.__aexit__(None, None, None)
        newcomer = asyncio.create_task(write("newcomer"))
        await asyncio.gather(*waiting, newcomer)
    finally:
        await database.dispose()

    assert order == ["second", "third", "newcomer"]
