"""What the outbox costs a request, and how fast the dispatcher delivers.

    cd backend
    uv run --with aiosmtpd --with aiosmtplib python ../bench/outbox.py [--requests 300]

1. ``POST /support-cases`` on SQLite, the app in-process (httpx over ASGI, so the figures
   are the app's own time, without a network or a load generator in between), in three
   variants on copies of one migrated, seeded database, taking turns in rounds:
   *without* (no channel: no outbox rows), *with rows* (one channel: one more multi-row
   INSERT in the change's transaction, delivered by a worker elsewhere), and *with rows +
   dispatcher* (the embedded default: this process also delivers, to a channel that does
   nothing). Median and p99 of each, and the added cost against *without*.
2. The dispatcher's throughput: the rows the second variant wrote, delivered as one mail
   each to a real SMTP server on a local port (aiosmtpd, in its own process), through the
   email channel's SMTP transport (aiosmtplib; a batch's mails share its connections).

Results go between the markers in bench/README.md with the machine noted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import statistics
import sys
import tempfile
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from supportdesk.api.app import create_app
from supportdesk.application.outbox import OutboxItem
from supportdesk.bootstrap import Container
from supportdesk.devdata.demo import DEMO_PASSWORD
from supportdesk.devdata.seed import seed_demo
from supportdesk.infrastructure.db.migrate import upgrade
from supportdesk.infrastructure.db.models import OutboxRecord
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.mail.smtp import SmtpServer, SmtpTransport
from supportdesk.infrastructure.settings import load_settings

README = Path(__file__).with_name("README.md")
START, END = "<!-- results:outbox:start -->", "<!-- results:outbox:end -->"


class NullChannel:
    name = "bench"

    async def deliver(self, item: OutboxItem) -> None:
        return None


class SmtpChannel:
    """One plain mail per event to the local SMTP server, with a stable Message-ID, through
    the email channel's transport: a batch's mails share its connections."""

    name = "bench"

    def __init__(self, port: int) -> None:
        self.transport = SmtpTransport(lambda: SmtpServer("127.0.0.1", port, tls=False), 10)

    def batch(self) -> AbstractAsyncContextManager[None]:
        return self.transport.session()

    async def deliver(self, item: OutboxItem) -> None:
        message = EmailMessage()
        message["From"] = "shop@example.com"
        message["To"] = "alice@example.com"
        message["Subject"] = f"Case {item.event.case_id}: {item.event.type}"
        message["Message-ID"] = f"<{item.event.id}.{item.channel}@supportdesk>"
        message.set_content("Your case was updated.")
        await self.transport.send(message, sender="shop@example.com", recipient="alice@example.com")


@dataclass
class Variant:
    name: str
    channels: dict[str, Any]
    dispatcher: bool
    latencies: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def prepare(directory: Path) -> Path:
    template = directory / "template.db"
    url = f"sqlite+aiosqlite:///{template}"
    await asyncio.to_thread(upgrade, url)
    database = Database.connect(url)
    await seed_demo(database)
    await database.dispose()
    return template


async def run_requests(args: argparse.Namespace, directory: Path, template: Path) -> list[Variant]:
    variants = [
        Variant("without the outbox", {}, False),
        Variant("with outbox rows", {"bench": NullChannel()}, False),
        Variant("with rows + dispatcher", {"bench": NullChannel()}, True),
    ]
    apps = []
    for n, variant in enumerate(variants):
        path = directory / f"v{n}.db"
        shutil.copy(template, path)
        settings = load_settings(
            environment="test",
            database_url=f"sqlite+aiosqlite:///{path}",
            reconcile_interval_seconds=0,
            rate_limit_per_minute=0,
            web_dist_dir="/nonexistent",
            log_level="WARNING",
            dispatcher_in_serve=variant.dispatcher,
        )
        container = Container.build(settings)
        container.channels = variant.channels
        app = create_app(settings, container=container)
        apps.append((variant, container, app))

    async with contextlib_stack(apps) as clients:
        headers = []
        for client in clients:
            answer = await client.post(
                "/api/v1/auth/login",
                json={"email": "alice@example.com", "password": DEMO_PASSWORD},
            )
            headers.append({"Authorization": f"Bearer {answer.json()['access_token']}"})
        body = {
            "order_id": "ORD-1001",
            "subject": "Broken",
            "description": "It broke",
            "category": "damaged_item",
        }
        # Warm up each (first requests compile statements and fill caches).
        for client, header in zip(clients, headers, strict=True):
            for _ in range(20):
                await client.post("/api/v1/support-cases", json=body, headers=header)
        per_round = max(args.requests // args.rounds, 1)
        for _ in range(args.rounds):
            for (variant, _, _), client, header in zip(apps, clients, headers, strict=True):
                for _ in range(per_round):
                    started = time.perf_counter()
                    answer = await client.post("/api/v1/support-cases", json=body, headers=header)
                    variant.latencies.append(time.perf_counter() - started)
                    assert answer.status_code == 201, answer.text
                await asyncio.sleep(0.2)  # the embedded dispatcher catches up between turns
    return [variant for variant, _, _ in apps]


class contextlib_stack:
    """Lifespans and clients of several apps at once."""

    def __init__(self, apps: list[tuple[Variant, Container, Any]]) -> None:
        self.apps = apps
        self.managers: list[Any] = []

    async def __aenter__(self) -> list[httpx.AsyncClient]:
        clients = []
        for _, _, app in self.apps:
            manager = LifespanManager(app)
            await manager.__aenter__()
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=manager.app), base_url="http://bench"
            )
            self.managers.append((manager, client))
            clients.append(client)
        return clients

    async def __aexit__(self, *exc: object) -> None:
        for manager, client in self.managers:
            await client.aclose()
            await manager.__aexit__(None, None, None)
        for _, container, _ in self.apps:
            await container.aclose()


# The SMTP server runs in its own process, as a mail server would: in a thread of this one
# it took the interpreter's lock from the dispatcher it was meant to measure.
SMTP_SERVER = """
import sys, threading
from aiosmtpd.controller import Controller
received = 0
lock = threading.Lock()
class Handler:
    async def handle_DATA(self, server, session, envelope):
        global received
        with lock:
            received += 1
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(received, flush=True)
"""


async def run_throughput(directory: Path) -> tuple[int, float, int]:
    """Deliver the rows of the "with outbox rows" database as mails to aiosmtpd."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SMTP_SERVER,
        str(port),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    assert (await server.stdout.readline()).strip() == b"ready"
    settings = load_settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{directory / 'v1.db'}",
        reconcile_interval_seconds=0,
        log_level="WARNING",
    )
    container = Container.build(settings)
    container.channels = {"bench": SmtpChannel(port)}
    try:
        async with container.database.reader.connect() as connection:
            rows = int(
                await connection.scalar(select(func.count()).where(OutboxRecord.state == "pending"))
                or 0
            )
        dispatcher = container.dispatcher()
        started = time.perf_counter()
        while await dispatcher.dispatch_once():
            pass
        elapsed = time.perf_counter() - started
    finally:
        await container.aclose()
        server.stdin.close()
        received = int((await server.stdout.read()).strip() or 0)
        await server.wait()
    return rows, elapsed, received


def render(variants: list[Variant], throughput: tuple[int, float, int], load: str) -> str:
    base = variants[0]
    base_median = statistics.median(base.latencies)
    base_p99 = percentile(base.latencies, 0.99)
    lines = [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: `nproc` {os.cpu_count()}, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}; "
        f"load average {load} (the machine is shared with other work). SQLite (WAL), the app "
        f"in-process over ASGI, one client sending one request at a time; "
        f"{len(base.latencies)} requests per variant in rounds, the variants taking turns.",
        "",
        "| POST /support-cases | median ms | p99 ms | median added | p99 added |",
        "| --- | --- | --- | --- | --- |",
    ]
    for variant in variants:
        median = statistics.median(variant.latencies)
        p99 = percentile(variant.latencies, 0.99)
        added = (
            ("", "")
            if variant is base
            else (f"{(median / base_median - 1):+.1%}", f"{(p99 / base_p99 - 1):+.1%}")
        )
        lines.append(
            f"| {variant.name} | {median * 1000:.2f} | {p99 * 1000:.2f} | {added[0]} | {added[1]} |"
        )
    rows, elapsed, received = throughput
    lines += [
        "",
        "| dispatcher to a local SMTP server (aiosmtpd), one mail per event | value |",
        "| --- | --- |",
        f"| events delivered | {rows} (mails received: {received}) |",
        f"| time | {elapsed:.2f} s |",
        f"| throughput | {rows / elapsed:.0f} events/s |",
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600, help="per variant")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        template = await prepare(directory)
        variants = await run_requests(args, directory, template)
        throughput = await run_throughput(directory)
    load = f"{load_before} before, {' '.join(f'{x:.1f}' for x in os.getloadavg())} after"
    text = render(variants, throughput, load)
    print(text)
    readme = README.read_text()
    if START in readme:
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    asyncio.run(main())
