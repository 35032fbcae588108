"""SQLite's direct reads (``infrastructure/db/direct.py``) give what SQLAlchemy gives: the
same rows, converted the same way, for every case of the demo data and every kind of
reader."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.devdata.bulk import seed_bulk
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.db import repositories
from supportdesk.infrastructure.db.direct import DirectReader
from supportdesk.infrastructure.db.models import SupportCaseRecord
from supportdesk.infrastructure.db.session import Database
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's own reader"),
]


@pytest.fixture
async def cases_url(database_url: str) -> str:
    """The demo data and bulk cases: with refunds in every status, messages and histories."""
    await seed_bulk(database_url, cases=60, seed=3)
    return database_url


def _readers(database: Database) -> tuple[Any, DirectReader]:
    assert database.inline_reader is not None and database.direct_reader is not None
    return database.inline_reader, database.direct_reader


async def test_a_case_read_directly_is_the_case_sqlalchemy_reads(cases_url: str) -> None:
    database = Database.connect(cases_url)
    inline, direct = _readers(database)
    try:
        with inline.connect() as connection:
            cases = connection.execute(
                select(SupportCaseRecord.id, SupportCaseRecord.customer_id)
            ).all()
        assert len(cases) == 60
        stranger = Actor(id="u-x", role=Role.CUSTOMER, customer_id="cust-nobody-knows")
        nobody = Actor(id="u-y", role=Role.CUSTOMER, customer_id=None)
        for case_id, customer_id in cases:
            owner = Actor(id="u-owner", role=Role.CUSTOMER, customer_id=customer_id)
            for actor in (Actor(id="u-agent", role=Role.AGENT), owner, stranger, nobody):
                for with_events in (True, False):
                    with inline.connect() as connection:
                        expected = repositories.read_case(connection, actor, case_id, with_events)
                    got = direct.run(repositories.read_case, actor, case_id, with_events)
                    assert got == expected, (case_id, actor.role, with_events)
            assert direct.run(repositories.read_case, owner, case_id, True) is not None
    finally:
        await database.dispose()


async def test_the_rows_keep_their_types(cases_url: str) -> None:
    database = Database.connect(cases_url)
    inline, direct = _readers(database)
    try:
        agent = Actor(id="u-agent", role=Role.AGENT)
        with inline.connect() as connection:
            case_id = connection.execute(select(SupportCaseRecord.id)).scalar()

        def first_case(connection: Any) -> Any:
            return connection.execute(repositories._CASE_BY_ID, {"case_id": case_id}).first()

        row = direct.run(first_case)
        assert row.created_at.tzinfo is not None  # UTCDateTime's UTC, not SQLite's text
        assert isinstance(row.order_snapshot, dict)  # JSON, decoded
        assert direct.run(repositories.read_case, agent, "case_unknown", True) is None
    finally:
        await database.dispose()


async def test_a_statement_built_per_call_is_refused(database_url: str) -> None:
    database = Database.connect(database_url)
    _, direct = _readers(database)
    try:

        def built_anew(connection: Any) -> Any:
            return connection.execute(
                select(SupportCaseRecord.id).where(SupportCaseRecord.id == "x"), {}
            ).first()

        with pytest.raises(RuntimeError, match="built once"):
            for _ in range(100):
                direct.run(built_anew)
    finally:
        await database.dispose()


async def test_a_locked_database_is_a_dependency_outage_and_the_connection_is_kept(
    database_url: str,
) -> None:
    database = Database.connect(database_url)
    _, direct = _readers(database)
    try:

        def locked(connection: Any) -> Any:
            raise sqlite3.OperationalError("database is locked")

        with pytest.raises(DependencyUnavailable):
            direct.run(locked)
        agent = Actor(id="u-agent", role=Role.AGENT)
        assert direct.run(repositories.read_case, agent, "case_unknown", False) is None
    finally:
        await database.dispose()
