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
    from supportdesk.infrastructure.db.bulk import seed_bulk as load
    from supportdesk.infrastructure.settings import load_settings

    url = load_settings().database_url
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % max(batch * 10, 100_000) < batch or done == cases:
            typer.echo(f"  {done:>10,} cases  {time.perf_counter() - started:6.0f} s", err=True)

    result = asyncio.run(load(url, cases=cases, seed=seed, batch=batch, progress=progress))
    typer.echo(
        f"added {result.cases:,} cases, {result.refunds:,} refunds and {result.events:,} events "
        f"in {result.seconds:.0f} s ({result.cases / max(result.seconds, 1e-9):,.0f} cases/s)"
    )
