"""HTTP throughput and tail latency of supportdesk beside a bare Starlette + sqlite3 ceiling.

    cd backend && uv run python ../bench/http_load.py            # 3 rounds of 10 s
    cd backend && uv run python ../bench/http_load.py --quick    # 1 round of 3 s

A fresh SQLite database gets the demo users and 10 000 bulk cases. Two servers serve it,
each pinned to core 0 with ``taskset``: the ceiling (``ceiling_app.py``: the same SQL, no
framework above Starlette) and the real app (``supportdesk serve``, JSON access logs to a
file, as in production). wrk runs pinned to core 1 with 32 connections, the two servers
taking turns request by request kind, for several rounds; the medians of req/s and p99 go
to the table. The mixed run is two wrk processes at once on core 1 (25 connections of
reads, 7 of writes), so that the reads' p99 is measured on its own. On PostgreSQL + Redis
(``--pg-url``, ``--redis-url``) the mixed run compares ``serve --workers 2`` with one
worker. The peak resident memory of every server process is read from /proc (VmHWM)
throughout.
Traffic goes to 127.0.0.1 only, and every run ends by itself (wrk ``-d``).

The Results section of bench/README.md is rewritten by each run (``--no-readme``: print).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKEND = HERE.parent / "backend"
VENV_BIN = Path(sys.executable).parent
JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123"
SERVER_CORE, LOAD_CORE = "0", "1"
CASES = 10_000

GOALS = {
    "get": ("GET case by id", 0.20, 50.0),
    "list": ("GET list, 25 newest", 0.20, 50.0),
    "post": ("POST a case", 0.10, 100.0),
}


@dataclass
class Wrk:
    rps: float
    p99_ms: float
    errors: int
    cpu_ms: float = float("nan")  # the server's CPU time per request answered


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far, from /proc."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU time every core spent working so far (user, nice, system, irq, softirq: not
    idle, not waiting on I/O, not stolen by the hypervisor), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def named_cpu_seconds(prefix: str) -> float:
    """CPU time so far of every process whose name starts with ``prefix``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().startswith(prefix):
                    pids.append(int(entry.name))
    return cpu_seconds(pids)


@dataclass
class CpuShares:
    """CPU time per request of a mixed run: the server's workers, and everything else the
    machine did meanwhile (PostgreSQL, Redis, wrk, the kernel's network work). Two workers
    on two cores serve at most 2 ÷ (worker + else) requests per ms of that mix; one worker
    on one core serves 1 ÷ worker while everything else fits on the other core. So two
    workers give ``2 × worker(1) ÷ (worker(2) + else(2))`` times what one does: the time
    the others take on the workers' cores is what keeps the ratio under 2."""

    worker_ms: float
    else_ms: float
    postgres_ms: float
    redis_ms: float


@dataclass
class Rss:
    """The largest resident set seen per process of a server, in MB."""

    peak: dict[int, float] = field(default_factory=dict)

    def worst(self) -> float:
        return max(self.peak.values(), default=0.0)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing; installing Debian's package", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install wrk")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- data ------------------------------------------------------------------------------


async def prepare_database(url: str) -> None:
    from supportdesk.devdata.bulk import seed_bulk
    from supportdesk.infrastructure.db.migrate import upgrade
    from supportdesk.infrastructure.db.session import Database
    from supportdesk.devdata import seed_demo

    await asyncio.to_thread(upgrade, url)
    database = Database.connect(url)
    try:
        await seed_demo(database)
    finally:
        await database.dispose()
    await seed_bulk(url, cases=CASES, seed=1)


# The writing runs' new cases, their events and their outbox rows: what ``forget_writes``
# deletes again (the ceiling's POST writes the same three tables).
_NEW_CASES = "SELECT id FROM support_cases WHERE created_at > :mark"
FORGET_WRITES = [
    f"DELETE FROM outbox WHERE case_id IN ({_NEW_CASES})",
    f"DELETE FROM events WHERE case_id IN ({_NEW_CASES})",
    "DELETE FROM support_cases WHERE created_at > :mark",
]


def seeded_mark(db_path: Path) -> str:
    """When the last seeded case was opened, as SQLite stores it."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        mark: str = db.execute("SELECT max(created_at) FROM support_cases").fetchone()[0]
    return mark


def forget_writes(db_path: Path, mark: str) -> None:
    """Deletes what a writing run added, so every run reads the data as seeded: the list's
    first page is the same 25 seeded cases (with their refunds and messages) in every
    round, not the bare cases the last POST run opened, and the database does not grow by
    the tens of thousands of cases the POST runs open."""
    with contextlib.closing(sqlite3.connect(db_path, timeout=60)) as db:
        for statement in FORGET_WRITES:
            db.execute(statement, {"mark": mark})
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def case_ids(db_path: Path, path: Path) -> None:
    """A thousand case ids, spread over the table, for the GET-by-id scripts."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        ids = [
            r[0] for r in db.execute("SELECT id FROM support_cases ORDER BY random() LIMIT 1000")
        ]
    path.write_text("\n".join(ids) + "\n")


def tokens() -> dict[str, str]:
    from supportdesk.domain.access import Role
    from supportdesk.domain.users import UserAccount
    from supportdesk.infrastructure.security import JwtTokens
    from supportdesk.infrastructure.settings import load_settings

    issuer = JwtTokens(load_settings(jwt_secret=JWT_SECRET, access_token_ttl_seconds=86400))
    made = {}
    for user_id, role, customer in (
        ("usr_bob", Role.AGENT, None),
        ("usr_alice", Role.CUSTOMER, "CUST-1001"),
    ):
        user = UserAccount(
            id=user_id,
            email=f"{user_id}@example.com",
            name=user_id,
            role=role,
            customer_id=customer,
            password_hash="",
            active=True,
            created_at=datetime.now(UTC),
        )
        made[role.value] = issuer.issue(user, "fam_bench")[0].access_token
    return made


# --- servers ---------------------------------------------------------------------------


class Server:
    def __init__(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        port: int,
        ready_path: str,
        cores: str,
        log: Path,
    ) -> None:
        self.name, self.port, self.ready_path = name, port, ready_path
        self.rss = Rss()
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            ["taskset", "-c", cores, *argv],
            env={**os.environ, **env},
            cwd=BACKEND,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,
        )
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def wait_ready(self, headers: dict[str, str], timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}")
            with contextlib.suppress(OSError):
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=2) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.2)
        raise SystemExit(f"{self.name} did not start in {timeout:.0f} s")

    def _tree(self) -> list[int]:
        pids, frontier = [], [self.process.pid]
        while frontier:
            pid = frontier.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                for task in Path(f"/proc/{pid}/task").iterdir():
                    children = (task / "children").read_text().split()
                    frontier.extend(int(c) for c in children)
        return pids

    def _sample(self) -> None:
        while self._sampling and self.process.poll() is None:
            self._sample_once()
            time.sleep(0.5)

    def _sample_once(self) -> None:
        # VmHWM: the kernel's own peak of the resident set since the process began, so a
        # spike between two samples (a worker's startup has one) is not missed.
        for pid in self._tree():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                name = re.search(r"^Name:\s+(\S+)", status, re.M)
                rss = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
                if rss and name and name.group(1) not in ("taskset", "uv"):
                    mb = int(rss.group(1)) / 1024
                    self.rss.peak[pid] = max(self.rss.peak.get(pid, 0.0), mb)

    def stop(self) -> None:
        self._sampling = False
        self._sample_once()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def app_server(
    name: str,
    url: str,
    port: int,
    log: Path,
    *,
    workers: int = 1,
    cores: str = SERVER_CORE,
    redis_url: str | None = None,
) -> Server:
    env = {
        "DATABASE_URL": url,
        "JWT_SECRET": JWT_SECRET,
        "LOG_JSON": "true",
        "LOG_LEVEL": "INFO",
        # One user sends every request here; a person's budget would refuse most of them.
        "RATE_LIMIT_PER_MINUTE": "0",
        "ACCESS_TOKEN_TTL_SECONDS": "86400",
        # The bulk data's processing refunds are unknown to the sandbox gateway: a
        # reconciler would retry a hundred of them every 30 s, work no ceiling does.
        "RECONCILE_INTERVAL_SECONDS": "0",
        # Each POST still writes its outbox row (the mail channel's), in its transaction.
        # Delivering it (rendering, SMTP to the embedded catcher, in the same process) is a
        # worker's job at scale (`supportdesk worker`, docs/outbox.md), and none of the
        # request's: the ceiling sends no mail either. Measured on its own by outbox.py.
        "DISPATCHER_IN_SERVE": "false",
        "MAIL_CATCHER_PORT": "0",  # any free port: others' catchers may hold 8025
        "PYTHONUNBUFFERED": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    argv = [str(VENV_BIN / "supportdesk"), "serve", "--port", str(port), "--workers", str(workers)]
    return Server(name, argv, env, port, "/api/v1/health/live", cores, log)


def ceiling_server(db_path: Path, port: int, log: Path) -> Server:
    argv = [
        str(VENV_BIN / "uvicorn"),
        "ceiling_app:app",
        "--app-dir",
        str(HERE),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return Server(
        "ceiling",
        argv,
        {"CEILING_DB": str(db_path)},
        port,
        "/api/v1/support-cases?limit=1",
        SERVER_CORE,
        log,
    )


# --- load ------------------------------------------------------------------------------


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> Wrk:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), "
        r"timeout (\d+)",
        output,
    )
    if not rps or not p99:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Wrk(rps=float(rps.group(1)), p99_ms=_ms(p99.group(1)), errors=errors)


def wrk_command(
    wrk: str, port: int, script: str, connections: int, seconds: float, token: str | None
) -> list[str]:
    argv = [
        "taskset",
        "-c",
        LOAD_CORE,
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(HERE / "wrk" / script),
    ]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    return [*argv, f"http://127.0.0.1:{port}"]


def run_wrk(argv: list[str], env: dict[str, str], server: Server | None = None) -> Wrk:
    pids = server._tree() if server else []
    before = cpu_seconds(pids)
    done = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, **env}, timeout=300, check=True
    )
    result = parse_wrk(done.stdout)
    if server and result.rps:
        seconds = float(re.search(r"-d([\d.]+)s", " ".join(argv)).group(1))  # type: ignore[union-attr]
        result.cpu_ms = 1000 * (cpu_seconds(pids) - before) / (result.rps * seconds)
    return result


def run_mixed(
    wrk: str, port: int, seconds: float, tokens: dict[str, str], env: dict[str, str]
) -> tuple[Wrk, Wrk]:
    """Reads and writes at once, from two wrk processes, so each has its own latencies."""
    reads = subprocess.Popen(
        wrk_command(wrk, port, "reads.lua", 25, seconds, tokens["agent"]),
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    writes = subprocess.Popen(
        wrk_command(wrk, port, "post_case.lua", 7, seconds, tokens["customer"]),
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    read_out, _ = reads.communicate(timeout=300)
    write_out, _ = writes.communicate(timeout=300)
    return parse_wrk(read_out), parse_wrk(write_out)


# --- report ----------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"`nproc` {os.cpu_count()} ({model}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def write_readme(body: str) -> None:
    readme = HERE / "README.md"
    text = readme.read_text()
    start, end = "<!-- results:http:start -->", "<!-- results:http:end -->"
    block = f"{start}\n{body}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## HTTP load: results\n\n" + block + "\n"
    readme.write_text(text)


# --- main ------------------------------------------------------------------------------


@contextlib.contextmanager
def servers(*started: Server) -> Iterator[None]:
    try:
        yield
    finally:
        for server in started:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 3 s per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/supportdesk-http-bench"))
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/supportdesk_perf"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite runs only")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    rounds, seconds = (1, 3.0) if args.quick else (args.rounds, args.seconds)
    wrk = ensure_wrk()
    load_before = load_average()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_path = args.data_dir / "http.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{db_path}"
    print(f"seeding {CASES} cases into {db_path}", file=sys.stderr)
    asyncio.run(prepare_database(url))
    ids_file = args.data_dir / "ids.txt"
    case_ids(db_path, ids_file)
    mark = seeded_mark(db_path)
    made = tokens()
    env = {"BENCH_IDS": str(ids_file)}
    agent = {"Authorization": f"Bearer {made['agent']}"}

    log = args.data_dir / "servers.log"
    results: dict[tuple[str, str], list[Wrk]] = {}
    mixed: list[tuple[Wrk, Wrk]] = []
    ceiling = ceiling_server(db_path, free_port(), log)
    app = app_server("supportdesk", url, free_port(), log)
    with servers(ceiling, app):
        ceiling.wait_ready({})
        app.wait_ready(agent)
        # Warm-up: imports, statement caches, the order cache, connection pools.
        for server in (ceiling, app):
            for script, token in (
                ("get_case.lua", made["agent"]),
                ("list_cases.lua", made["agent"]),
            ):
                run_wrk(wrk_command(wrk, server.port, script, args.connections, 2, token), env)
        for number in range(rounds):
            print(f"round {number + 1} of {rounds}", file=sys.stderr)
            for kind, script, token in (
                ("get", "get_case.lua", made["agent"]),
                ("list", "list_cases.lua", made["agent"]),
                ("post", "post_case.lua", made["customer"]),
            ):
                for server in (ceiling, app):
                    result = run_wrk(
                        wrk_command(wrk, server.port, script, args.connections, seconds, token),
                        env,
                        server,
                    )
                    results.setdefault((server.name, kind), []).append(result)
                    if kind == "post":
                        forget_writes(db_path, mark)
                    print(
                        f"  {server.name:12} {kind:5} {result.rps:8.0f} req/s  "
                        f"p99 {result.p99_ms:8.1f} ms  cpu {result.cpu_ms:.2f} ms/req  "
                        f"errors {result.errors}",
                        file=sys.stderr,
                    )
            reads, writes = run_mixed(wrk, app.port, seconds, made, env)
            forget_writes(db_path, mark)
            mixed.append((reads, writes))
            print(
                f"  supportdesk  mixed reads {reads.rps:.0f} req/s p99 {reads.p99_ms:.1f} ms,"
                f" writes {writes.rps:.0f} req/s p99 {writes.p99_ms:.1f} ms",
                file=sys.stderr,
            )
    sqlite_rss = app.rss.worst()

    pg: dict[int, list[tuple[Wrk, Wrk]]] = {}
    pg_rss: dict[int, float] = {}
    pg_cpu: dict[int, list[CpuShares]] = {}
    if not args.no_postgres:
        pg, pg_rss, pg_cpu = run_postgres(args, wrk, made, rounds, seconds, log)

    body = report(
        results,
        mixed,
        sqlite_rss,
        pg,
        pg_rss,
        pg_cpu,
        rounds,
        seconds,
        args.connections,
        load_before,
        load_average(),
    )
    print(body)
    if not args.no_readme:
        write_readme(body)


def run_postgres(
    args: argparse.Namespace, wrk: str, made: dict[str, str], rounds: int, seconds: float, log: Path
) -> tuple[dict[int, list[tuple[Wrk, Wrk]]], dict[int, float], dict[int, list[CpuShares]]]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    url: str = args.pg_url
    server_url, name = url.rsplit("/", 1)

    async def forget(mark: datetime) -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                for statement in FORGET_WRITES:
                    await connection.execute(text(statement), {"mark": mark})
        finally:
            await engine.dispose()

    async def newest() -> datetime:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                found: datetime = await connection.scalar(
                    text("SELECT max(created_at) FROM support_cases")
                )
                return found
        finally:
            await engine.dispose()

    async def recreate() -> list[str]:
        admin = create_async_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()
        await prepare_database(url)
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                result = await connection.scalars(
                    text("SELECT id FROM support_cases ORDER BY random() LIMIT 1000")
                )
                return list(result)
        finally:
            await engine.dispose()

    print(f"seeding {CASES} cases into {url}", file=sys.stderr)
    ids = asyncio.run(recreate())
    mark = asyncio.run(newest())
    ids_file = args.data_dir / "pg-ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    env = {"BENCH_IDS": str(ids_file)}
    with contextlib.suppress(Exception):
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    runs: dict[int, list[tuple[Wrk, Wrk]]] = {1: [], 2: []}
    shares: dict[int, list[CpuShares]] = {1: [], 2: []}
    rss: dict[int, float] = {}
    for number in range(rounds):
        for workers, cores in ((1, SERVER_CORE), (2, f"{SERVER_CORE},{LOAD_CORE}")):
            server = app_server(
                f"pg-{workers}",
                url,
                free_port(),
                log,
                workers=workers,
                cores=cores,
                redis_url=args.redis_url,
            )
            with servers(server):
                server.wait_ready({"Authorization": f"Bearer {made['agent']}"})
                run_wrk(
                    wrk_command(wrk, server.port, "reads.lua", args.connections, 2, made["agent"]),
                    env,
                )
                before = _cpu_now(server)
                reads, writes = run_mixed(wrk, server.port, seconds, made, env)
                after = _cpu_now(server)
            asyncio.run(forget(mark))  # each run reads the data as seeded
            runs[workers].append((reads, writes))
            answered = (reads.rps + writes.rps) * seconds
            if answered:
                worker, busy, postgres, redis_cpu = (b - a for a, b in zip(before, after, strict=True))
                shares[workers].append(
                    CpuShares(
                        worker_ms=1000 * worker / answered,
                        else_ms=1000 * (busy - worker) / answered,
                        postgres_ms=1000 * postgres / answered,
                        redis_ms=1000 * redis_cpu / answered,
                    )
                )
            rss[workers] = max(rss.get(workers, 0.0), server.rss.worst())
            print(
                f"  postgres workers={workers} round {number + 1}: reads {reads.rps:.0f} "
                f"req/s p99 {reads.p99_ms:.1f} ms, writes {writes.rps:.0f} req/s "
                f"p99 {writes.p99_ms:.1f} ms",
                file=sys.stderr,
            )
    return runs, rss, shares


def _cpu_now(server: Server) -> tuple[float, float, float, float]:
    """The server's CPU so far, the machine's, PostgreSQL's and Redis's."""
    return (
        cpu_seconds(server._tree()),
        machine_busy_seconds(),
        named_cpu_seconds("postgres"),
        named_cpu_seconds("redis"),
    )


def report(
    results: dict[tuple[str, str], list[Wrk]],
    mixed: list[tuple[Wrk, Wrk]],
    sqlite_rss: float,
    pg: dict[int, list[tuple[Wrk, Wrk]]],
    pg_rss: dict[int, float],
    pg_cpu: dict[int, list[CpuShares]],
    rounds: int,
    seconds: float,
    connections: int,
    load_before: str,
    load_after: str,
) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"{when}. Machine: {machine()}; load average {load_before} before, {load_after} "
        f"after (the box is shared with other work). {CASES:,} cases on SQLite (WAL); "
        f"servers on core {SERVER_CORE}, wrk on core {LOAD_CORE} with {connections} "
        f"connections; {rounds} round(s) of {seconds:g} s per run, the two servers taking "
        "turns; medians over the rounds. The last column is the server's CPU time per "
        "request (from /proc): on a machine this busy the servers got only part of core 0, "
        "and that ratio is the share of the ceiling a quiet core would give.",
        "",
        "| request | ceiling req/s | supportdesk req/s | share of ceiling | ceiling p99 ms "
        "| supportdesk p99 ms | errors | goal | met | server CPU ms/request: ceiling, "
        "supportdesk (share) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind, (label, share_goal, p99_goal) in GOALS.items():
        base = results[("ceiling", kind)]
        ours = results[("supportdesk", kind)]
        base_rps, ours_rps = median([r.rps for r in base]), median([r.rps for r in ours])
        base_p99, ours_p99 = median([r.p99_ms for r in base]), median([r.p99_ms for r in ours])
        share = ours_rps / base_rps if base_rps else 0.0
        base_cpu, ours_cpu = median([r.cpu_ms for r in base]), median([r.cpu_ms for r in ours])
        errors = sum(r.errors for r in ours)
        lines.append(
            f"| {label} | {base_rps:,.0f} | {ours_rps:,.0f} | {share:.1%} | {base_p99:.1f} "
            f"| {ours_p99:.1f} | {errors} | ≥ {share_goal:.0%}, p99 ≤ {p99_goal:.0f} ms "
            f"| {mark(share >= share_goal and ours_p99 <= p99_goal)} "
            f"| {base_cpu:.2f}, {ours_cpu:.2f} ({base_cpu / ours_cpu:.1%}) |"
        )
    read_p99 = median([r.p99_ms for r, _ in mixed])
    lines += [
        "",
        "| mixed run (25 connections reading: ¾ by id, ¼ first page; 7 writing) | value "
        "| goal | met |",
        "| --- | --- | --- | --- |",
        f"| SQLite: reads req/s / writes req/s (write share) | "
        f"{median([r.rps for r, _ in mixed]):,.0f} / {median([w.rps for _, w in mixed]):,.0f} "
        f"({_share(mixed):.0%}) | | |",
        f"| SQLite: read p99 ms / write p99 ms | {read_p99:.1f} / "
        f"{median([w.p99_ms for _, w in mixed]):.1f} | read p99 ≤ 50 | {mark(read_p99 <= 50)} |",
    ]
    if pg:
        one = median([r.rps + w.rps for r, w in pg[1]])
        two = median([r.rps + w.rps for r, w in pg[2]])
        lines += [
            f"| PostgreSQL + Redis, 1 worker (core {SERVER_CORE}): req/s, read p99 ms | "
            f"{one:,.0f}, {median([r.p99_ms for r, _ in pg[1]]):.1f} | | |",
            f"| PostgreSQL + Redis, 2 workers (cores {SERVER_CORE},{LOAD_CORE}, wrk and "
            f"PostgreSQL on the same 2 cores): req/s, read p99 ms | "
            f"{two:,.0f}, {median([r.p99_ms for r, _ in pg[2]]):.1f} | | |",
            f"| 2 workers ÷ 1 worker | {two / one:.2f}× | ≥ 1.7× | {mark(two / one >= 1.7)} |",
        ]
        for workers, measured in pg_cpu.items():
            if measured:
                lines.append(
                    f"| PostgreSQL, {workers} worker(s): CPU ms per request of the workers / "
                    f"of everything else on the machine (PostgreSQL, Redis) "
                    f"| {median([c.worker_ms for c in measured]):.2f} / "
                    f"{median([c.else_ms for c in measured]):.2f} "
                    f"({median([c.postgres_ms for c in measured]):.2f}, "
                    f"{median([c.redis_ms for c in measured]):.2f}) | | |"
                )
        if pg_cpu.get(1) and pg_cpu.get(2):
            one_worker = median([c.worker_ms for c in pg_cpu[1]])
            two_all = median([c.worker_ms + c.else_ms for c in pg_cpu[2]])
            lines.append(
                "| the ratio the CPU accounts for: 2 × one worker's ms ÷ (two workers' + "
                f"everything else's ms), `CpuShares` | {2 * one_worker / two_all:.2f}× | | |"
            )
    worst = max([sqlite_rss, *pg_rss.values()])
    lines.append(
        f"| peak RSS of any server process (SQLite run {sqlite_rss:.0f} MB"
        + "".join(f", PostgreSQL {w} worker(s) {mb:.0f} MB" for w, mb in pg_rss.items())
        + f") | {worst:.0f} MB | < 150 MB | {mark(worst < 150)} |"
    )
    return "\n".join(lines)


def _share(mixed: list[tuple[Wrk, Wrk]]) -> float:
    reads = median([r.rps for r, _ in mixed])
    writes = median([w.rps for _, w in mixed])
    return writes / (reads + writes) if reads + writes else 0.0


if __name__ == "__main__":
    main()
