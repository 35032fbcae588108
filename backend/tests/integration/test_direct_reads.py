"""SQLite's direct reads (``infrastructure/db/direct.py``) give what SQLAlchemy gives: the
same rows, converted the same way, for every case and every kind of reader, and the same
pages of cases for the lists' filters and sorts."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.application.reads import CASE_SORT_KEYS, CaseFilters
from supportdesk.devdata.bulk import seed_bulk
from supportdesk.domain.access import Actor, Role
from supportdesk.domain.errors import DependencyUnavailable
from supportdesk.infrastructure.db import repositories
from supportdesk.infrastructure.db.direct import DirectReader, MadeOfRows
from supportdesk.infrastructure.db.models import SupportCaseRecord
from supportdesk.infrastructure.db.reads import SqlReadQueries
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


async def test_statements_built_per_call_share_one_compiled_shape(cases_url: str) -> None:
    database = Database.connect(cases_url)
    inline, direct = _readers(database)
    try:
        with inline.connect() as connection:
            ids = list(connection.execute(select(SupportCaseRecord.id).limit(20)).scalars())

        def by_id(connection: Any, case_id: str) -> Any:
            # A literal, not a bound parameter: each statement has its own value.
            statement = select(SupportCaseRecord.id).where(SupportCaseRecord.id == case_id)
            return connection.execute(statement).first()

        for case_id in ids:
            assert direct.run(by_id, case_id).id == case_id
        assert direct.run(by_id, "case_unknown") is None
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


def _filter_sets(case: Any) -> list[CaseFilters]:
    """Each filter alone, a few together, and every sort: the shapes a queue asks for."""
    sets = [
        CaseFilters(),
        CaseFilters(status=["open", "in_progress"]),
        CaseFilters(status=["resolved"], priority="high"),
        CaseFilters(category=case.category.value),
        CaseFilters(unassigned=True),
        CaseFilters(needs_attention=True),
        CaseFilters(customer_id=case.customer_id),
        CaseFilters(order_id=case.order_id),
        CaseFilters(created_after=case.created_at - timedelta(days=30)),
        CaseFilters(created_before=case.created_at + timedelta(seconds=1)),
        CaseFilters(sla_status=["ok", "breached", "paused"]),
        CaseFilters(q=case.subject.split()[0]),
        CaseFilters(q=case.order_id),
    ]
    sets += [CaseFilters(sort=f"{d}{key}") for key in CASE_SORT_KEYS for d in ("", "-")]
    return sets


async def test_pages_of_cases_read_directly_are_the_pages_sqlalchemy_reads(
    cases_url: str,
) -> None:
    database = Database.connect(cases_url)
    assert database.direct_reader is not None
    sessions = database.read_sessions()
    direct = SqlReadQueries(sessions, direct=database.direct_reader)
    through_sqlalchemy = SqlReadQueries(sessions)
    try:
        agent = Actor(id="u-agent", role=Role.AGENT)
        first = (await direct.cases(agent, CaseFilters(), limit=1, cursor=None)).items[0][0]
        owner = Actor(id="u-owner", role=Role.CUSTOMER, customer_id=first.customer_id)
        compared = 0
        for actor in (agent, owner):
            for filters in _filter_sets(first):
                cursor: str | None = None
                for _ in range(3):  # the first pages, each after the last one's cursor
                    got = await direct.cases(actor, filters, limit=7, cursor=cursor)
                    expected = await through_sqlalchemy.cases(
                        actor, filters, limit=7, cursor=cursor
                    )
                    assert got == expected, (actor.role, filters, cursor)
                    compared += len(got.items)
                    cursor = got.next_cursor
                    if cursor is None:
                        break
        assert compared > 200
    finally:
        await database.dispose()


async def test_a_page_read_again_reads_a_case_changed_in_any_column_afresh(
    cases_url: str,
) -> None:
    """The cases made of a page's rows are kept by the rows' stored values: a case changed
    in any column, one that leaves its version as it was included, is made again; each
    read has its own copies."""
    database = Database.connect(cases_url)
    assert database.direct_reader is not None
    read = SqlReadQueries(database.read_sessions(), direct=database.direct_reader)
    agent = Actor(id="u-agent", role=Role.AGENT)
    try:
        before = [
            case for case, _ in (await read.cases(agent, CaseFilters(), limit=5, cursor=None)).items
        ]
        changed = before[2]
        path = cases_url.split(":///", 1)[1]
        with sqlite3.connect(path) as writer:
            # As the SLA sweep writes it: a column of the case, its version untouched.
            writer.execute(
                "UPDATE support_cases SET sla_status = 'breached', subject = 'Changed' "
                "WHERE id = ?",
                (changed.id,),
            )
        writer.close()
        after = [
            case for case, _ in (await read.cases(agent, CaseFilters(), limit=5, cursor=None)).items
        ]
        assert [c.id for c in after] == [c.id for c in before]
        assert after[2].subject == "Changed" and after[2].sla.status == "breached"
        assert after[2].version == changed.version
        for i, (again, first) in enumerate(zip(after, before, strict=True)):
            if i != 2:
                assert again == first
            assert again is not first  # each read its own, to change as it may
            assert again.new_events is not first.new_events
    finally:
        await database.dispose()


async def test_a_page_read_again_reads_a_refund_changed_in_any_column_afresh(
    cases_url: str,
) -> None:
    """The page's refunds are kept as its cases are: a refund changed in any column is made
    again, and each read has its own refunds, their maps of lines' reasons included."""
    database = Database.connect(cases_url)
    assert database.direct_reader is not None
    read = SqlReadQueries(database.read_sessions(), direct=database.direct_reader)
    agent = Actor(id="u-agent", role=Role.AGENT)

    async def refunds() -> list[Any]:
        page = await read.cases(agent, CaseFilters(), limit=60, cursor=None)
        return [refund for _, of_case in page.items for refund in of_case]

    try:
        before = await refunds()
        assert len(before) >= 5
        changed = before[3]
        path = cases_url.split(":///", 1)[1]
        with sqlite3.connect(path) as writer:
            writer.execute(
                "UPDATE refunds SET reason = 'Changed', bank_reference = 'ARN-1' WHERE id = ?",
                (changed.id,),
            )
        writer.close()
        after = await refunds()
        assert [r.id for r in after] == [r.id for r in before]
        assert after[3].reason == "Changed" and after[3].bank_reference == "ARN-1"
        assert after[3].version == changed.version
        for i, (again, first) in enumerate(zip(after, before, strict=True)):
            if i != 3:
                assert again == first
            assert again is not first
            assert again.new_events is not first.new_events
            assert again.line_reason_codes is not first.line_reason_codes
        after[0].line_reason_codes["line-x"] = "damaged"  # a read changing its own
        assert "line-x" not in (await refunds())[0].line_reason_codes
    finally:
        await database.dispose()


def test_what_rows_made_is_kept_for_the_most_rows_and_the_oldest_goes_first() -> None:
    made: list[str] = []

    class Read:  # a compiled statement, as far as the keeping sees it
        def row(self, raw: tuple[Any, ...]) -> Any:
            return raw

    def make(row: Any) -> str:
        made.append(row[0])
        return f"case {row[0]}"

    kept = MadeOfRows(make, most=2)
    read: Any = Read()
    assert kept.of_raw(read, [("a",), ("b",)]) == [(("a",), "case a"), (("b",), "case b")]
    assert kept.of_raw(read, [("a",), ("b",)])[1][1] == "case b"
    assert made == ["a", "b"]
    kept.of_raw(read, [("c",)])  # "a" was kept the longest: it goes
    kept.of_raw(read, [("b",), ("a",)])
    assert made == ["a", "b", "c", "a"]
    kept.of_raw(Read(), [("a",)])  # another statement's row
    assert made[-1] == "a" and len(made) == 5


async def test_a_first_page_kept_for_one_reader_is_never_another_readers(
    cases_url: str,
) -> None:
    """First pages' statements are kept by reader, filters and size: a customer after
    another, with the same filters, reads their own cases, and staff read everyone's."""
    database = Database.connect(cases_url)
    assert database.direct_reader is not None
    read = SqlReadQueries(database.read_sessions(), direct=database.direct_reader)
    agent = Actor(id="u-agent", role=Role.AGENT)
    try:
        everyone = (await read.cases(agent, CaseFilters(), limit=60, cursor=None)).items
        owners = sorted({case.customer_id for case, _ in everyone})
        assert len(owners) >= 2
        for _ in range(2):  # the second time, from the kept statements
            for owner in owners:
                reader = Actor(id=f"u-{owner}", role=Role.CUSTOMER, customer_id=owner)
                for filters in (CaseFilters(), CaseFilters(status=["open", "in_progress"])):
                    page = await read.cases(reader, filters, limit=60, cursor=None)
                    assert {case.customer_id for case, _ in page.items} <= {owner}
                    assert len(page.items) == len(
                        [
                            c
                            for c, _ in everyone
                            if c.customer_id == owner
                            and (not filters.status or c.status.value in filters.status)
                        ]
                    )
            assert (await read.cases(agent, CaseFilters(), limit=60, cursor=None)).items == everyone
    finally:
        await database.dispose()
