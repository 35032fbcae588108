"""PostgreSQL reads a case, its refunds and its events in one statement
(``repositories.read_case_at_once``): it must give what the three statements give, for
every case and every kind of reader."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import make_url, select

from supportdesk.devdata.bulk import seed_bulk
from supportdesk.domain.access import Actor, Role
from supportdesk.infrastructure.db import repositories
from supportdesk.infrastructure.db.models import RefundRecord, SupportCaseRecord
from supportdesk.infrastructure.db.session import Database
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="PostgreSQL's own read"
    ),
]


async def test_a_case_read_in_one_statement_is_the_case_three_statements_read(
    database_url: str,
) -> None:
    # Bulk cases: refunds in every status (settlements, approval windows), histories.
    await seed_bulk(database_url, cases=60, seed=3)
    database = Database.connect(database_url)
    try:
        async with database.reader.connect() as connection:
            cases = (
                await connection.execute(
                    select(SupportCaseRecord.id, SupportCaseRecord.customer_id)
                )
            ).all()
            with_refunds = await connection.scalar(select(RefundRecord.support_case_id).limit(1))
        assert len(cases) >= 60 and with_refunds is not None
        stranger = Actor(id="u-x", role=Role.CUSTOMER, customer_id="cust-nobody-knows")
        compared = 0
        for case_id, customer_id in cases:
            owner = Actor(id="u-owner", role=Role.CUSTOMER, customer_id=customer_id)
            for actor in (Actor(id="u-agent", role=Role.AGENT), owner, stranger):
                for with_events in (True, False):
                    async with database.reader.connect() as connection:
                        at_once = await connection.run_sync(
                            repositories.read_case_at_once, actor, case_id, with_events
                        )
                        expected = await connection.run_sync(
                            repositories.read_case, actor, case_id, with_events
                        )
                    assert at_once == expected, (case_id, actor.role, with_events)
                    compared += at_once is not None and bool(at_once.refunds)
        assert compared > 0  # some of the cases compared had refunds
    finally:
        await database.dispose()


async def test_a_column_added_to_refunds_fails_no_pooled_connections_next_read(
    database_url: str,
) -> None:
    # A migration run while the service serves: the connections it pooled read on.
    await seed_bulk(database_url, cases=20, seed=3)
    database = Database.connect(database_url)
    agent = Actor(id="u-agent", role=Role.AGENT)
    # asyncpg's own URL: without the driver's name and the service's ``?pgbouncer=true``.
    plain = make_url(database_url).set(drivername="postgresql", query={})
    plain_url = plain.render_as_string(hide_password=False)
    try:
        async with database.reader.connect() as connection:
            case_id = await connection.scalar(select(RefundRecord.support_case_id).limit(1))
            before = await connection.run_sync(repositories.read_case_at_once, agent, case_id, True)
        assert before is not None and before.refunds
        migration = await asyncpg.connect(plain_url)
        try:
            await migration.execute("ALTER TABLE refunds ADD COLUMN added_by_a_migration text")
            try:
                async with database.reader.connect() as connection:
                    after = await connection.run_sync(
                        repositories.read_case_at_once, agent, case_id, True
                    )
                assert after == before
            finally:
                await migration.execute("ALTER TABLE refunds DROP COLUMN added_by_a_migration")
        finally:
            await migration.close()
    finally:
        await database.dispose()
