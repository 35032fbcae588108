"""The schema migrations run both ways on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from supportdesk.infrastructure.db.migrate import downgrade, upgrade
from supportdesk.infrastructure.db.models import Base

pytestmark = pytest.mark.integration


def table_names(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        await engine.dispose()
        return names

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def scratch_postgres() -> str | None:
    """A database of its own on the PostgreSQL server of TEST_DATABASE_URL, if any."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    name = f"migrations_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.exec_driver_sql(f"CREATE DATABASE {name}")
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
    return url.rsplit("/", 1)[0] + f"/{name}"


def database_urls(tmp_path: Path) -> list[str]:
    urls = [f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"]
    postgres = scratch_postgres()
    if postgres:
        urls.append(postgres)
    return urls


def test_upgrade_to_head_and_down_to_base_and_up_again(tmp_path: Path) -> None:
    expected = {table.name for table in Base.metadata.sorted_tables}
    for url in database_urls(tmp_path):
        upgrade(url)
        assert expected <= table_names(url), url
        downgrade(url, "base")
        assert table_names(url) - {"alembic_version"} <= {"sqlite_sequence"}, url
        upgrade(url)
        assert expected <= table_names(url), url
