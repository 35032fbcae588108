"""Latency of the case list queries at scale, through the code path the API uses.

    cd backend && uv run python ../bench/list_queries.py --db sqlite --cases 10000,1000000
    cd backend && uv run python ../bench/list_queries.py --db postgres --cases 10000,1000000

Each size gets its own database, seeded once with ``supportdesk seed-bulk``'s loader and
reused by later runs (SQLite files under --data-dir, PostgreSQL databases
``supportdesk_bench_<N>`` next to --pg-url's). Every query runs --runs times after a
warm-up through ``SqlReadQueries.cases`` as an agent; ``SELECT 1`` through the same session
factory is the baseline. The markdown table goes to stdout and into bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from supportdesk.application.reads import CaseFilters
from supportdesk.devdata.bulk import CaseFactory, seed_bulk
from supportdesk.domain.access import Actor, Role
from supportdesk.infrastructure.db.migrate import upgrade
from supportdesk.infrastructure.db.reads import SqlReadQueries
from supportdesk.infrastructure.db.session import Database

HERE = Path(__file__).resolve().parent
AGENT = Actor(id="usr_bob", role=Role.AGENT)
SEED = 1
P99_LIMIT_MS = 50.0
GROWTH_LIMIT = 2.0
# A synthetic customer of both sizes (numbers 2000 to 2000 + cases / 5), with ~5 cases in
# either; their address is theirs alone. A surname is shared by 1 customer in 40.
CUSTOMER = CaseFactory.person(2042)
SURNAME = "Kowalski"


@dataclass(frozen=True)
class Case:
    name: str
    filters: CaseFilters | None  # None: the SELECT 1 baseline
    page: int = 1


CASES = [
    Case("baseline: SELECT 1 round trip", None),
    Case("first page, -created_at", CaseFilters()),
    Case(
        "status=in_progress + assignee=usr_bob",
        CaseFilters(status=["in_progress"], assignee_id="usr_bob"),
    ),
    Case(
        "status=open,waiting_on_customer + assignee=usr_sam",
        CaseFilters(status=["open", "waiting_on_customer"], assignee_id="usr_sam"),
    ),
    Case("q=damaged (common, ~12%)", CaseFilters(q="damaged")),
    Case("q=theremin (rare, ~0.01%)", CaseFilters(q="theremin")),
    Case("100th page by cursor", CaseFilters(), page=100),
    Case("sort=due_at (soonest due first)", CaseFilters(sort="due_at")),
    Case("sort=-due_at (latest due first, none last)", CaseFilters(sort="-due_at")),
    Case("sla_status=breached", CaseFilters(sla_status=["breached"])),
    Case("sla_status=breached, sort=due_at", CaseFilters(sla_status=["breached"], sort="due_at")),
    Case(f"q=<a customer's email> ({CUSTOMER.email})", CaseFilters(q=CUSTOMER.email)),
    Case(f"q={SURNAME} (a surname, 1 customer in 40)", CaseFilters(q=SURNAME)),
]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


async def prepare(kind: str, cases: int, data_dir: Path, pg_url: str, pg_prefix: str) -> str:
    """A migrated database holding exactly ``cases`` bulk cases; seeded only when needed."""
    if kind == "sqlite":
        await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
        url = f"sqlite+aiosqlite:///{data_dir / f'sqlite-{cases}.db'}"
    else:
        base, _, _ = pg_url.rpartition("/")
        name = f"{pg_prefix}{cases}"
        admin = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        await admin.dispose()
        url = f"{base}/{name}"
    await asyncio.to_thread(upgrade, url)
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        have = await connection.scalar(text("SELECT count(*) FROM support_cases"))
        if have not in (0, cases):
            for table in (
                "events",
                "messages",
                "refunds",
                "order_ledgers",
                "support_cases",
                "customers",
            ):
                await connection.execute(text(f"DELETE FROM {table}"))
            await connection.commit()
            have = 0
    await engine.dispose()
    if have == 0:
        started = time.perf_counter()
        result = await seed_bulk(url, cases=cases, seed=SEED)
        print(
            f"seeded {kind} with {result.cases} cases, {result.refunds} refunds, "
            f"{result.events} events in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return url


@dataclass(frozen=True)
class Timing:
    p50: float  # over every sample of every round
    p99: float  # the median of the rounds' p99s
    worst_p99: float  # the highest round p99


def _timing(rounds: list[list[float]]) -> Timing:
    def p99(samples: list[float]) -> float:
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    every = [sample for samples in rounds for sample in samples]
    per_round = [p99(samples) for samples in rounds]
    return Timing(statistics.median(every), statistics.median(per_round), max(per_round))


async def measure(urls: dict[int, str], runs: int, rounds: int) -> dict[int, dict[str, Timing]]:
    """Runs alternate between the sizes, so that both see the same noise of a shared box;
    each query is timed in several rounds so that one burst of other work does not decide."""
    databases = {n: Database.connect(url) for n, url in urls.items()}
    results: dict[int, dict[str, Timing]] = {n: {} for n in urls}
    try:
        for case in CASES:
            runners = {n: await _runner(database, case) for n, database in databases.items()}
            for run in runners.values():
                for _ in range(max(5, runs // 20)):
                    await run()
            samples: dict[int, list[list[float]]] = {n: [] for n in urls}
            for _ in range(rounds):
                for n in urls:
                    samples[n].append([])
                for _ in range(runs):
                    for n, run in runners.items():
                        started = time.perf_counter()
                        await run()
                        samples[n][-1].append((time.perf_counter() - started) * 1000)
            for n in urls:
                results[n][case.name] = _timing(samples[n])
    finally:
        for database in databases.values():
            await database.dispose()
    return results


async def _runner(database: Database, case: Case) -> Callable[[], Awaitable[Any]]:
    sessions = database.read_sessions()
    if case.filters is None:

        async def ping() -> None:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))

        return ping
    read = SqlReadQueries(sessions)
    filters, cursor = case.filters, None
    for _ in range(case.page - 1):
        cursor = (await read.cases(AGENT, filters, limit=25, cursor=cursor)).next_cursor
        assert cursor, f"{case.name}: fewer than {case.page} pages"

    async def fetch() -> None:
        await read.cases(AGENT, filters, limit=25, cursor=cursor)

    return fetch


def table(kind: str, sizes: list[int], results: dict[int, dict[str, Timing]]) -> str:
    small, large = min(sizes), max(sizes)
    head = ["query"] + [f"{label(n)} p50 / p99 ms" for n in sizes]
    if len(sizes) > 1:
        head += [
            f"{label(large)} worst round p99",
            f"p99 {label(large)} ÷ {label(small)}",
            "target met",
        ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in CASES:
        cells = [case.name]
        for n in sizes:
            timing = results[n][case.name]
            cells.append(f"{timing.p50:.2f} / {timing.p99:.2f}")
        if len(sizes) > 1:
            big = results[large][case.name]
            ratio = big.p99 / results[small][case.name].p99
            cells += [f"{big.worst_p99:.2f}", f"{ratio:.2f}"]
            if case.filters is None:
                cells.append("(baseline)")
            else:
                fast = big.p99 < P99_LIMIT_MS
                flat = ratio <= GROWTH_LIMIT
                cells.append(
                    "yes"
                    if fast and flat
                    else "no: "
                    + ", ".join(
                        x
                        for x, bad in (
                            (f"p99 ≥ {P99_LIMIT_MS:.0f} ms", not fast),
                            (f"grows > {GROWTH_LIMIT:.0f}x", not flat),
                        )
                        if bad
                    )
                )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def label(n: int) -> str:
    return (
        f"{n // 1_000_000}M"
        if n % 1_000_000 == 0
        else (f"{n // 1000}k" if n % 1000 == 0 else str(n))
    )


def write_readme(kind: str, body: str) -> None:
    readme = HERE / "README.md"
    content = readme.read_text() if readme.exists() else "# Benchmarks\n"
    start, end = f"<!-- results:{kind}:start -->", f"<!-- results:{kind}:end -->"
    block = f"{start}\n{body}\n{end}"
    if start in content:
        content = re.sub(
            re.escape(start) + ".*?" + re.escape(end), lambda _: block, content, flags=re.S
        )
    else:
        content = content.rstrip() + f"\n\n### {kind}\n\n{block}\n"
    readme.write_text(content)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--cases", default="10000,1000000", help="comma-separated sizes, e.g. 10000,1000000"
    )
    parser.add_argument("--runs", type=int, default=200, help="timed runs per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="p99 is the median of the rounds' p99s"
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/supportdesk-bench"))
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--pg-prefix",
        default="supportdesk_bench_",
        help="PostgreSQL databases are named <prefix><cases>",
    )
    parser.add_argument("--no-readme", action="store_true", help="only print the table")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.cases.split(","))
    urls = {n: await prepare(args.db, n, args.data_dir, args.pg_url, args.pg_prefix) for n in sizes}
    load_before = os.getloadavg()[0]
    results = await measure(urls, args.runs, args.rounds)
    load_after = os.getloadavg()[0]
    where = "SQLite file, WAL"
    if args.db == "postgres":
        engine = create_async_engine(urls[sizes[0]])
        async with engine.connect() as connection:
            where = f"PostgreSQL {await connection.scalar(text('SHOW server_version'))}"
        await engine.dispose()
    body = (
        f"{args.db}, {args.rounds} rounds of {args.runs} runs per query and size (sizes "
        "alternating; p50 over all runs, p99 the median of the rounds' p99s), limit 25, "
        "agent, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Machine: {machine()}; {where}; "
        f"load average {load_before:.1f} → {load_after:.1f} (the box is shared), "
        f"niceness {os.nice(0)}.\n\n" + table(args.db, sizes, results)
    )
    print(body)
    if not args.no_readme:
        write_readme(args.db, body)


if __name__ == "__main__":
    asyncio.run(main())
