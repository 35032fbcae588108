"""The SLA sweep: cases whose clocks moved with time alone (docs/sla.md)."""

from __future__ import annotations

from supportdesk.application.ports import Clock, UnitOfWork
from supportdesk.domain.errors import VersionConflict

# Cases looked at per pass; the next pass takes the rest.
SWEEP_BATCH = 200


class SlaService:
    """Time alone moves a case to at risk or breached: a write of the case works its
    clocks out again (the repository does it with every save), and between writes this
    sweep does, for the cases whose next change is due."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def sweep(self, limit: int = SWEEP_BATCH) -> list[str]:
        """Work the clocks out again for the cases whose SLA status changed with time; a
        breach becomes one ``sla_breached`` event of the case. Each case is its own
        transaction, with its row locked: of two sweeps (replicas, a worker) or a sweep
        and a person, one changes the case and the other finds it done. Returns the ids of
        the cases it updated."""
        now = self.clock.now()
        async with self.uow:
            ids = await self.uow.cases.sla_checks_due(now, limit)
        updated = []
        for case_id in ids:
            try:
                async with self.uow:
                    await self.uow.cases.lock(case_id)
                    case = await self.uow.cases.get(case_id)
                    if case is None or not await self.uow.cases.refresh_sla(case, now):
                        continue
                    await self.uow.commit()
                    updated.append(case_id)
            except VersionConflict:
                continue
        return updated
