"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL with
TEST_DATABASE_URL), the real app over ASGI, and signed-in clients for the demo users."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from supportdesk.api.app import create_app
from supportdesk.bootstrap import Container
from supportdesk.devdata import DEMO_PASSWORD, seed_demo
from supportdesk.infrastructure.db.migrate import upgrade
from supportdesk.infrastructure.db.models import Base
from supportdesk.infrastructure.db.session import Database
from supportdesk.infrastructure.security import Argon2PasswordHasher
from supportdesk.infrastructure.settings import Settings, load_settings


def _one_database_per_worker() -> None:
    """Under pytest-xdist (``-n``) every worker gets a PostgreSQL database and a Redis
    database of its own, made here before any test module reads the environment (tests
    that start the service as a subprocess pass it on). Tests truncate and flush what they
    use: two workers on one database would wipe each other's rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, …
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        # Options after the name (``?pgbouncer=true``: the pass through PgBouncer) stay on.
        base, _, options = base.partition("?")
        server, name = base.rsplit("/", 1)
        own = f"{name}_{worker}"

        async def create() -> None:
            import asyncpg

            connection = await asyncpg.connect(
                server.replace("postgresql+asyncpg", "postgresql") + f"/{name}",
                statement_cache_size=0,  # it may be PgBouncer in transaction pooling mode
            )
            try:
                exists = await connection.fetchval(
                    "SELECT 1 FROM pg_database WHERE datname = $1", own
                )
                if not exists:
                    await connection.execute(f'CREATE DATABASE "{own}"')
            finally:
                await connection.close()

        asyncio.run(create())
        os.environ["TEST_DATABASE_URL"] = f"{server}/{own}" + (f"?{options}" if options else "")
    redis = os.environ.get("TEST_REDIS_URL")
    if redis:
        server, index = redis.rsplit("/", 1)
        # Counting down from the given database: 15 for gw0, 14 for gw1, …
        os.environ["TEST_REDIS_URL"] = f"{server}/{int(index) - number}"


_one_database_per_worker()
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
# Every table of the schema, so a new one cannot leak rows from one test into the next.
TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)]
# Demo passwords hashed at the least argon2id cost, as ``make_settings`` has the app hash
# new ones: signing in is every API test's setup.
TEST_HASH_COST: dict[str, Any] = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
TEST_HASHER = Argon2PasswordHasher(
    memory_kib=TEST_HASH_COST["password_hash_memory_kib"],
    time_cost=TEST_HASH_COST["password_hash_time_cost"],
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and seeded once; each test gets a copy."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    database = Database.connect(url)

    async def seed() -> None:
        await seed_demo(database, TEST_HASHER)
        await database.dispose()

    with ThreadPoolExecutor(1) as pool:  # fixtures may be set up inside a running loop
        pool.submit(asyncio.run, seed()).result()
    return path


@dataclass
class SeededRows:
    """Every table's rows and every sequence's position just after the demo data was
    loaded into an empty database: what a test on PostgreSQL starts from."""

    rows: dict[str, list[dict[str, Any]]]
    sequences: dict[str, tuple[int, bool]]

    async def restore(self, connection: AsyncConnection) -> None:
        """The database as it was when this was taken, in one transaction. Deleting and
        inserting a few hundred rows takes milliseconds; TRUNCATE of every table and
        loading the demo data again took a third of a second, a quarter of a test's time."""
        for table in reversed(Base.metadata.sorted_tables):  # children first
            await connection.execute(table.delete())
        for table in Base.metadata.sorted_tables:  # parents first
            if self.rows[table.name]:
                await connection.execute(table.insert(), self.rows[table.name])
        for name, (value, called) in self.sequences.items():
            await connection.execute(
                text("SELECT setval(:name, :value, :called)"),
                {"name": name, "value": value, "called": called},
            )

    @classmethod
    async def take(cls, connection: AsyncConnection) -> SeededRows:
        rows = {
            table.name: [dict(row) for row in (await connection.execute(table.select())).mappings()]
            for table in Base.metadata.sorted_tables
        }
        sequences: dict[str, tuple[int, bool]] = {}
        listed = await connection.execute(
            text(
                "SELECT schemaname || '.' || sequencename, last_value, start_value "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        )
        for name, last_value, start_value in listed:
            # Never used: the next value is the start, as RESTART IDENTITY leaves it.
            sequences[name] = (start_value, False) if last_value is None else (last_value, True)
        return cls(rows, sequences)


@pytest.fixture(scope="session")
def postgres_migrated() -> str | None:
    if TEST_DATABASE_URL:
        upgrade(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def postgres_seeded(postgres_migrated: str | None) -> SeededRows:
    """The worker's database migrated, emptied and seeded once; each test restores it."""
    assert TEST_DATABASE_URL is not None

    async def seed() -> SeededRows:
        database = Database.connect(TEST_DATABASE_URL)
        try:
            async with database.writer.begin() as connection:
                # CASCADE: the outbox and notification settings refer to these tables.
                await connection.exec_driver_sql(
                    f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"
                )
            await seed_demo(database, TEST_HASHER)
            async with database.writer.begin() as connection:
                return await SeededRows.take(connection)
        finally:
            await database.dispose()

    with ThreadPoolExecutor(1) as pool:  # fixtures may be set up inside a running loop
        return pool.submit(asyncio.run, seed()).result()


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if TEST_DATABASE_URL:
        seeded: SeededRows = request.getfixturevalue("postgres_seeded")
        database = Database.connect(TEST_DATABASE_URL)
        try:
            async with database.writer.begin() as connection:
                await seeded.restore(connection)
        finally:
            await database.dispose()
        yield TEST_DATABASE_URL
    else:
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copy(template, path)
        yield f"sqlite+aiosqlite:///{path}"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "redis_url": TEST_REDIS_URL,
        "reconcile_interval_seconds": 0,
        # The SLA sweep runs when a test asks it to (container.sla_service().sweep()).
        "sla_check_interval_seconds": 0,
        "rate_limit_per_minute": 0,
        "web_dist_dir": "/nonexistent",
        "payment_gateway_timeout_seconds": 2.0,
        "order_system_timeout_seconds": 2.0,
        **TEST_HASH_COST,
        # A CI machine of two cores running PostgreSQL, PgBouncer, Redis and the tests can
        # leave a process off the CPU for over a second: that is a busy machine, not a cache
        # or database that stopped answering (tests of those set their own short timeouts).
        "redis_timeout_seconds": 3.0,
        "database_connect_timeout_seconds": 5.0,
        # Each test's embedded mail catcher on a free port of its own.
        "mail_catcher_port": 0,
        # Never the checkout's data directory: a directory of their own, made at the first
        # file (the container fixture gives each test its tmp_path instead).
        "storage_dir": Path(tempfile.gettempdir()) / f"supportdesk-files-{uuid.uuid4().hex}",
        **overrides,
    }
    return load_settings(**values)


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings for one test: ``@pytest.mark.parametrize("settings_overrides", [{...}],
    indirect=True)``."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
async def container(
    database_url: str, settings_overrides: dict[str, Any], tmp_path: Path
) -> AsyncIterator[Container]:
    overrides = {"storage_dir": tmp_path / "files", **settings_overrides}
    container = Container.build(make_settings(database_url, **overrides))
    if TEST_REDIS_URL:
        # A clean store per test: rate limits and revocations must not leak across tests.
        import redis.asyncio as aioredis

        redis = aioredis.from_url(TEST_REDIS_URL)
        await redis.flushdb()
        await redis.aclose()
    yield container
    await container.aclose()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(create_app(container.settings, container=container)) as client:
        yield client


@contextlib.asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app over ASGI, with the app started and stopped around it."""
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def as_user(client: httpx.AsyncClient) -> Callable[[str], Any]:
    cache: dict[str, dict[str, str]] = {}

    async def headers(who: str) -> dict[str, str]:
        if who not in cache:
            cache[who] = await sign_in(client, f"{who}@example.com")
        return cache[who]

    return headers
