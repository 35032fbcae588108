"""Use cases of the reasons list: everyone reads the reasons offered, admins add, rename,
deactivate and reactivate them (docs/refund-reasons.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

from supportdesk.application.cases import check_version
from supportdesk.application.ports import Clock
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import Forbidden, NotFound, ReasonCodeTaken, VersionConflict
from supportdesk.domain.reasons import DEFAULT_REASONS, ReasonCode, check_code


class ReasonCodeStore(Protocol):
    async def all(self) -> list[ReasonCode]:
        """Every reason, deactivated ones too, in the order they are offered."""
        ...

    async def add(self, reason: ReasonCode) -> bool:
        """False when the code is taken already."""
        ...

    async def save(self, reason: ReasonCode, *, seen_version: int) -> bool:
        """Store a change made to version ``seen_version``; False when the stored one is no
        longer that version."""
        ...


_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class StandardReasons:
    """The default list, read-only: what a service built without the admins' list (a test
    of other rules) knows."""

    async def all(self) -> list[ReasonCode]:
        return [
            ReasonCode(code, label, True, position, 1, _EPOCH, _EPOCH)
            for position, (code, label) in enumerate(DEFAULT_REASONS, start=1)
        ]

    async def add(self, reason: ReasonCode) -> bool:
        raise NotImplementedError("the standard reasons are read-only")

    async def save(self, reason: ReasonCode, *, seen_version: int) -> bool:
        raise NotImplementedError("the standard reasons are read-only")


async def reasons_by_code(store: ReasonCodeStore) -> dict[str, ReasonCode]:
    return {reason.code: reason for reason in await store.all()}


@dataclass(frozen=True, slots=True)
class ReasonChanges:
    label: str | None = None
    active: bool | None = None
    fields: frozenset[str] = field(default_factory=frozenset)  # the ones given


class ReasonCodeService:
    """The list of reasons refunds and settlements are given for."""

    def __init__(self, store: ReasonCodeStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def list(self, actor: Actor, *, include_inactive: bool = False) -> list[ReasonCode]:
        """Everyone signed in reads the reasons offered (customers choose one when they ask
        for a refund); admins, who keep the list, also the deactivated ones."""
        if include_inactive:
            _admin_only(actor, "only admins see the deactivated reasons")
        reasons = await self.store.all()
        return reasons if include_inactive else [r for r in reasons if r.active]

    async def create(self, code: str, label: str, actor: Actor) -> ReasonCode:
        """An admin adds a reason, offered at once, after the others. A code is given once,
        ever: one that exists, even deactivated, is refused (reactivate it instead)."""
        _admin_only(actor, "only admins change the reasons list")
        check_code(code)
        reasons = await self.store.all()
        if any(r.code == code for r in reasons):
            raise ReasonCodeTaken(
                f"the reason code '{code}' exists already; rename or reactivate it instead"
            )
        now = self.clock.now()
        reason = ReasonCode(
            code=code,
            label=label,
            active=True,
            position=max((r.position for r in reasons), default=0) + 1,
            version=1,
            created_at=now,
            updated_at=now,
        )
        if not await self.store.add(reason):
            raise ReasonCodeTaken(f"the reason code '{code}' exists already")
        return reason

    async def change(
        self, code: str, changes: ReasonChanges, actor: Actor, expected_version: int | None
    ) -> ReasonCode:
        """An admin renames a reason's label or (de)activates it; the code never changes,
        since refunds, stats and exports count by it. A stale ``If-Match`` is refused."""
        _admin_only(actor, "only admins change the reasons list")
        reason = next((r for r in await self.store.all() if r.code == code), None)
        if reason is None:
            raise NotFound(f"no reason code '{code}'")
        check_version(expected_version, reason.version)
        updated = replace(reason, version=reason.version + 1, updated_at=self.clock.now())
        if "label" in changes.fields and changes.label is not None:
            updated.label = changes.label
        if "active" in changes.fields and changes.active is not None:
            if not changes.active and (refusal := reason.deactivation_refusal()) is not None:
                raise refusal
            updated.active = changes.active
        if not await self.store.save(updated, seen_version=reason.version):
            raise VersionConflict("the reason was changed meanwhile; reload and retry")
        return updated


def _admin_only(actor: Actor, words: str) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden(words)
