"""The demo users of the specification (section 6). Loading them twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from supportdesk.domain.access import Role
from supportdesk.domain.users import UserAccount
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from supportdesk.infrastructure.security import Argon2PasswordHasher

DEMO_PASSWORD = "demo-password"

DEMO_USERS = [
    ("usr_alice", "alice@example.com", "Alice Martin", Role.CUSTOMER, "CUST-1001"),
    ("usr_carol", "carol@example.com", "Carol Nguyen", Role.CUSTOMER, "CUST-1002"),
    ("usr_bob", "bob@example.com", "Bob Agent", Role.AGENT, None),
    ("usr_sam", "sam@example.com", "Sam Supervisor", Role.SUPERVISOR, None),
    ("usr_admin", "admin@example.com", "Ada Admin", Role.ADMIN, None),
]


async def seed_demo(database: Database) -> list[str]:
    """Adds the demo users that are missing; returns the emails added."""
    hasher = Argon2PasswordHasher()
    password_hash = hasher.hash(DEMO_PASSWORD)
    added = []
    async with SqlUnitOfWork(database.write_sessions()) as uow:
        for user_id, email, name, role, customer_id in DEMO_USERS:
            if await uow.users.by_email(email) is None:
                await uow.users.add(
                    UserAccount(
                        id=user_id,
                        email=email,
                        name=name,
                        role=role,
                        customer_id=customer_id,
                        password_hash=password_hash,
                        active=True,
                        created_at=datetime.now(UTC),
                    )
                )
                added.append(email)
        await uow.commit()
    return added
