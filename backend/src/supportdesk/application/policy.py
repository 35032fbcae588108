"""Use cases of the refund policy: staff read the version in force and its history, admins
try a draft on the last days' decisions and publish it (docs/refund-policy.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from supportdesk.application.cases import check_version
from supportdesk.application.ports import Clock, UnitOfWork
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Forbidden, VersionConflict
from supportdesk.domain.policy import (
    DecidedRefund,
    DryRunRow,
    PolicyRules,
    PublishedPolicy,
    dry_run,
)

DRY_RUN_DAYS = 30


class PolicyStore(Protocol):
    async def current(self, *, fresh: bool = False) -> PublishedPolicy:
        """The version in force. ``fresh``: read now, not from a copy a second old (what a
        decision is taken under)."""
        ...

    async def versions(self) -> list[PublishedPolicy]:
        """Every version, newest first."""
        ...

    async def publish(self, policy: PublishedPolicy) -> bool:
        """Store ``policy`` as the next version; False when that version exists already
        (another admin published first)."""
        ...

    async def decided_since(self, since: datetime) -> list[DecidedRefund]:
        """Refunds whose last decision was taken at ``since`` or later, oldest first."""
        ...


class FixedPolicy:
    """One version, never changed: what a service built without the admins' policy (a
    test of other rules, the bulk data) decides by."""

    def __init__(self, policy: PublishedPolicy) -> None:
        self.policy = policy

    async def current(self, *, fresh: bool = False) -> PublishedPolicy:
        return self.policy

    async def versions(self) -> list[PublishedPolicy]:
        return [self.policy]

    async def publish(self, policy: PublishedPolicy) -> bool:
        raise NotImplementedError("this policy is fixed")

    async def decided_since(self, since: datetime) -> list[DecidedRefund]:
        return []


@dataclass(frozen=True, slots=True)
class DryRun:
    draft: PolicyRules
    based_on: PublishedPolicy
    since: datetime
    until: datetime
    rows: list[DryRunRow]


class PolicyService:
    def __init__(self, store: PolicyStore, clock: Clock, reads: UnitOfWork) -> None:
        self.store = store
        self.clock = clock
        self.reads = reads

    async def names(self, user_ids: Iterable[str | None]) -> dict[str, str]:
        """The names of the admins who published versions (a version's "who")."""
        wanted = {user_id for user_id in user_ids if user_id}
        if not wanted:
            return {}
        async with self.reads:
            found = [await self.reads.users.get(user_id) for user_id in sorted(wanted)]
        return {user.id: user.name for user in found if user is not None}

    async def current(self, actor: Actor) -> PublishedPolicy:
        """Staff read the policy they decide by (customers do not: limits are staff's)."""
        _staff_only(actor)
        return await self.store.current(fresh=True)

    async def versions(self, actor: Actor) -> list[PublishedPolicy]:
        _staff_only(actor)
        return await self.store.versions()

    async def dry_run(self, draft: PolicyRules, actor: Actor) -> DryRun:
        """What the last ``DRY_RUN_DAYS`` days' decisions would have been under ``draft``,
        each judged on the facts it recorded, at the moment it was taken."""
        _admin_only(actor)
        draft.check()
        until = self.clock.now()
        since = until - timedelta(days=DRY_RUN_DAYS)
        decided = await self.store.decided_since(since)
        return DryRun(
            draft=draft,
            based_on=await self.store.current(fresh=True),
            since=since,
            until=until,
            rows=dry_run(draft, decided),
        )

    async def publish(
        self, draft: PolicyRules, note: str, actor: Actor, expected_version: int | None
    ) -> PublishedPolicy:
        """An admin publishes ``draft`` as the next version, in force at once. ``If-Match``
        names the version the draft was made from: publishing over a version another admin
        published meanwhile is refused."""
        _admin_only(actor)
        draft.check()
        current = await self.store.current(fresh=True)
        check_version(expected_version, current.version)
        published = PublishedPolicy(
            version=current.version + 1,
            rules=draft,
            created_at=self.clock.now(),
            created_by=actor.id,
            note=note,
        )
        if not await self.store.publish(published):
            raise VersionConflict(
                f"version {published.version} was published meanwhile; reload and retry"
            )
        return published


def _staff_only(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("only support staff read the refund policy")


def _admin_only(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins change the refund policy")
