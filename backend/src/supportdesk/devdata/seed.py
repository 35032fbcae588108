"""``supportdesk seed-demo``: the demo users, the team's first canned replies and the
default refund reasons. Loading them twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from supportdesk.devdata.demo import DEMO_CANNED_REPLIES, DEMO_PASSWORD, DEMO_USERS
from supportdesk.domain.canned_replies import CannedReply, check_body
from supportdesk.domain.cases import CaseStatus
from supportdesk.domain.reasons import DEFAULT_REASONS, ReasonCode
from supportdesk.infrastructure.db.canned_replies import SqlCannedReplyStore
from supportdesk.infrastructure.db.reasons import SqlReasonCodeStore
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.db.uow import SqlUnitOfWork
from supportdesk.infrastructure.security import Argon2PasswordHasher


async def seed_demo(database: Database, hasher: Argon2PasswordHasher | None = None) -> list[str]:
    """Adds the demo users that are missing; returns the emails added. A user already
    there is left as it is (its name, password and standing are its own now)."""
    password_hash = (hasher or Argon2PasswordHasher()).hash(DEMO_PASSWORD)
    now = datetime.now(UTC)
    added = []
    async with SqlUnitOfWork(database.write_sessions()) as uow:
        for user in DEMO_USERS:
            if await uow.users.by_email(user.email) is None:
                await uow.users.add(user.account(password_hash=password_hash, now=now))
                added.append(user.email)
        await uow.commit()
    await _seed_canned_replies(database, now)
    await _seed_reasons(database, now)
    return added


async def _seed_reasons(database: Database, now: datetime) -> None:
    """The default reasons a database lacks (migration 0017 writes them; a database emptied
    since, as the tests' on PostgreSQL, gets them back). One an admin changed stays so."""
    store = SqlReasonCodeStore(
        database.write_sessions(), database.read_sessions(), database.write_lock
    )
    known = {reason.code for reason in await store.all()}
    for position, (code, label) in enumerate(DEFAULT_REASONS, start=1):
        if code not in known:
            await store.add(ReasonCode(code, label, True, position, 1, now, now))


async def _seed_canned_replies(database: Database, now: datetime) -> None:
    """The demo's shared replies, owned by the admin. One changed since stays as it is;
    one deleted comes back with the next seeding."""
    store = SqlCannedReplyStore(
        database.write_sessions(), database.read_sessions(), database.write_lock
    )
    for demo in DEMO_CANNED_REPLIES:
        if await store.get(demo.id) is not None:
            continue
        check_body(demo.body)
        await store.add(
            CannedReply(
                id=demo.id,
                title=demo.title,
                body=demo.body,
                shared=True,
                set_status=CaseStatus(demo.set_status) if demo.set_status else None,
                owner_id="usr_admin",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
