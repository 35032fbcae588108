"""``supportdesk seed-demo``: the demo users. Loading them twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from supportdesk.devdata.demo import DEMO_PASSWORD, DEMO_USERS
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from supportdesk.infrastructure.security import Argon2PasswordHasher


async def seed_demo(database: Database) -> list[str]:
    """Adds the demo users that are missing; returns the emails added. A user already
    there is left as it is (its name, password and standing are its own now)."""
    password_hash = Argon2PasswordHasher().hash(DEMO_PASSWORD)
    now = datetime.now(UTC)
    added = []
    async with SqlUnitOfWork(database.write_sessions()) as uow:
        for user in DEMO_USERS:
            if await uow.users.by_email(user.email) is None:
                await uow.users.add(user.account(password_hash=password_hash, now=now))
                added.append(user.email)
        await uow.commit()
    return added
