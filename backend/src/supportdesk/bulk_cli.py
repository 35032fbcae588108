"""``supportdesk seed-bulk``: a year of realistic cases for load tests and benchmarks."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer


def seed_bulk(
    cases: Annotated[int, typer.Option(min=1, help="how many support cases to add")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same data")] = 1,
    batch: Annotated[int, typer.Option(min=100, help="rows written at once")] = 10_000,
) -> None:
    """Add CASES random support cases over the last 365 days, about a third with a refund,
    each with its history, to DATABASE_URL (migrate it first). Not for production data."""
    from supportdesk.application.refunds import RefundPolicy
    from supportdesk.devdata.bulk import seed_bulk as load
    from supportdesk.domain.window import RefundWindowPolicy
    from supportdesk.infrastructure.settings import load_settings

    settings = load_settings()
    # The data is made under the policy the service will run with.
    policy = RefundPolicy(
        window=RefundWindowPolicy(
            days=settings.refund_window_days,
            lost_parcel_after_days=settings.lost_parcel_after_days,
        ),
        supervisor_threshold=settings.refund_supervisor_threshold,
    )
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % max(batch * 10, 100_000) < batch or done == cases:
            typer.echo(f"  {done:>10,} cases  {time.perf_counter() - started:6.0f} s", err=True)

    result = asyncio.run(
        load(
            settings.database_url,
            cases=cases,
            seed=seed,
            batch=batch,
            policy=policy,
            progress=progress,
        )
    )
    typer.echo(
        f"added {result.cases:,} cases, {result.refunds:,} refunds and {result.events:,} events "
        f"in {result.seconds:.0f} s ({result.cases / max(result.seconds, 1e-9):,.0f} cases/s)"
    )
