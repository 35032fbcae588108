"""Keyset paging and the case filters over bulk-loaded data, on SQLite and PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL is set; its case, refund and event tables are
emptied before and after this module.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text

from supportdesk.application.reads import CaseFilters
from supportdesk.devdata.bulk import generate, seed_bulk
from supportdesk.domain.access import Actor, Role
from supportdesk.infrastructure.db.migrate import upgrade
from supportdesk.infrastructure.db.models import (
    CustomerRecord,
    EventRecord,
    RefundRecord,
    SupportCaseRecord,
)
from supportdesk.infrastructure.db.reads import SqlReadQueries, TextSearch
from supportdesk.infrastructure.db.reads.lists import MOST_CUSTOMERS_PER_SEARCH
from supportdesk.infrastructure.db.reads.text_search import FTS_CANDIDATE_LIMIT
from supportdesk.infrastructure.db.session import Database

pytestmark = pytest.mark.integration

CASES = 2000
TIES = 40
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
AGENT = Actor(id="usr_bob", role=Role.AGENT)
LIMIT = 37
RARE_TEXTS = [
    ("", " A THEREMIN manual came with it."),
    ("Theremin instead of a kettle", ""),
    ("", " The thereminist's handbook."),
    ("", " There, mind you, it is not."),  # every trigram of "theremin" but "emi"
]
CLEANED = ("events", "messages", "refunds", "order_ledgers", "support_cases", "customers")


@dataclass(frozen=True)
class Row:
    id: str
    created_at: datetime
    updated_at: datetime
    status: str
    assignee_id: str | None
    subject: str
    description: str
    customer_id: str
    order_id: str


def _run(coroutine: Any) -> Any:
    """Module fixtures are set up outside the tests' event loops."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _extra_cases(
    seed: int, count: int, *, created_at: datetime | None = None, prefix: str = "case_x"
) -> list[dict[str, Any]]:
    """Cases shaped like the bulk loader's, with ids of their own and, if given, one time."""
    rows = next(generate(count, seed=seed, batch=count, now=NOW)).cases
    return [
        {
            **row,
            "id": f"{prefix}{seed:04d}{number:06d}",
            **({"created_at": created_at, "updated_at": created_at} if created_at else {}),
        }
        for number, row in enumerate(rows)
    ]


async def _load(url: str) -> None:
    await seed_bulk(url, cases=CASES, seed=5, batch=150, now=NOW)  # spans commit chunks
    database = Database.connect(url)
    tie = NOW - timedelta(days=100)
    async with database.write_sessions()() as session:
        await session.execute(insert(SupportCaseRecord), _extra_cases(9, TIES, created_at=tie))
        # A rare word in a few cases, in any case: the text search's rare-trigram paths.
        rare = _extra_cases(11, len(RARE_TEXTS), prefix="case_xr")
        for row, (subject, description) in zip(rare, RARE_TEXTS, strict=True):
            row["subject"] = subject or row["subject"]
            row["description"] = row["description"] + description
        await session.execute(insert(SupportCaseRecord), rare)
        await session.commit()
    await database.dispose()


async def _clean(url: str) -> None:
    database = Database.connect(url)
    async with database.write_sessions()() as session:
        for table in CLEANED:
            await session.execute(text(f"DELETE FROM {table}"))
        await session.commit()
    await database.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('bulk') / 'bulk.db'}"
        upgrade(url)
        _run(_load(url))
        yield url
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    upgrade(url)
    _run(_clean(url))
    _run(_load(url))
    yield url
    _run(_clean(url))


async def _rows(database: Database) -> list[Row]:
    c = SupportCaseRecord
    async with database.read_sessions()() as session:
        result = await session.execute(
            select(
                c.id,
                c.created_at,
                c.updated_at,
                c.status,
                c.assignee_id,
                c.subject,
                c.description,
                c.customer_id,
                c.order_id,
            )
        )
        return [Row(*r) for r in result]


async def _walk(read: SqlReadQueries, filters: CaseFilters, limit: int = LIMIT) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = await read.cases(AGENT, filters, limit=limit, cursor=cursor)
        assert len(page.items) <= limit
        ids.extend(case.id for case, _ in page.items)
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def _expected(rows: list[Row], sort: str, keep: Any = lambda row: True) -> list[str]:
    key = "updated_at" if sort.endswith("updated_at") else "created_at"
    ordered = sorted(
        (r for r in rows if keep(r)),
        key=lambda r: (getattr(r, key), r.id),
        reverse=sort.startswith("-"),
    )
    return [r.id for r in ordered]


async def _customers_holding(database: Database, needle: str) -> set[str]:
    """The directory's customers whose name or address holds ``needle`` (lower-cased)."""
    async with database.read_sessions()() as session:
        rows = (await session.execute(select(CustomerRecord.id, CustomerRecord.search_text))).all()
    found = {row.id for row in rows if needle in row.search_text}
    # Past this many, the list keeps some of them only: not a search these tests make.
    assert len(found) < MOST_CUSTOMERS_PER_SEARCH
    return found


@pytest.fixture
async def database(url: str) -> Any:
    database = Database.connect(url)
    yield database
    await database.dispose()


class TestPaging:
    @pytest.mark.parametrize("sort", ["-created_at", "created_at", "-updated_at"])
    async def test_paging_visits_every_case_once_in_order_even_with_equal_times(
        self, database: Database, sort: str
    ) -> None:
        rows = await _rows(database)
        assert len(rows) == CASES + TIES + len(RARE_TEXTS)
        assert len({r.created_at for r in rows}) < len(rows)  # ties are there

        ids = await _walk(SqlReadQueries(database.read_sessions()), CaseFilters(sort=sort))

        assert ids == _expected(rows, sort)

    async def test_cases_added_while_paging_never_make_an_original_skipped_or_repeated(
        self, database: Database
    ) -> None:
        originals = await _rows(database)
        read = SqlReadQueries(database.read_sessions())
        seen: list[str] = []
        cursor = None
        added: list[str] = []
        try:
            for round_ in range(1000):
                page = await read.cases(AGENT, CaseFilters(), limit=LIMIT, cursor=cursor)
                seen.extend(case.id for case, _ in page.items)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
                last = page.items[-1][0].created_at
                # Newer than everything, tied with the page's last row, and older than it.
                new = (
                    _extra_cases(100 + round_, 1, created_at=NOW + timedelta(seconds=1))
                    + _extra_cases(3000 + round_, 2, created_at=last, prefix="case_t")
                    + _extra_cases(6000 + round_, 1, created_at=last - timedelta(hours=1))
                )
                async with database.write_sessions()() as session:
                    await session.execute(insert(SupportCaseRecord), new)
                    await session.commit()
                added.extend(row["id"] for row in new)
        finally:
            async with database.write_sessions()() as session:
                await session.execute(
                    delete(SupportCaseRecord).where(SupportCaseRecord.id.in_(added))
                )
                await session.commit()

        assert len(seen) == len(set(seen))
        original_ids = [r.id for r in originals]
        assert [i for i in seen if i in set(original_ids)] == _expected(originals, "-created_at")


class TestFilters:
    @pytest.mark.parametrize(
        ("status", "assignee"),
        [
            (["in_progress"], "usr_bob"),
            (["open", "waiting_on_customer"], "usr_sam"),
            (["closed"], "usr_admin"),
        ],
    )
    async def test_status_and_assignee_return_exactly_the_matching_cases(
        self, database: Database, status: list[str], assignee: str
    ) -> None:
        rows = await _rows(database)

        ids = await _walk(
            SqlReadQueries(database.read_sessions()),
            CaseFilters(status=status, assignee_id=assignee),
        )

        expected = _expected(
            rows, "-created_at", lambda r: r.status in status and r.assignee_id == assignee
        )
        assert expected
        assert ids == expected

    @pytest.mark.parametrize(
        "q",
        [
            "damaged",
            "DaMaGeD",
            "theremin",
            "ThereMin",
            "theremin manual",
            "heremi",
            "xyzzy theremin",
            "ORD-20",
            "the parcel",
            "ra",
            "100%_x",
        ],
    )
    @pytest.mark.parametrize("candidate_limit", [FTS_CANDIDATE_LIMIT, 20])
    async def test_text_search_returns_exactly_the_cases_containing_the_text(
        self, database: Database, q: str, candidate_limit: int
    ) -> None:
        # A small candidate limit takes SQLite's path for common words: the sort index.
        search = TextSearch(candidate_limit=candidate_limit)
        rows = await _rows(database)
        needle = q.lower()
        # The bulk customers have names and addresses: q finds them too (docs/customers.md).
        customers = await _customers_holding(database, needle)

        ids = await _walk(SqlReadQueries(database.read_sessions(), search), CaseFilters(q=q))

        assert ids == _expected(
            rows,
            "-created_at",
            lambda r: (
                needle in r.subject.lower()
                or needle in r.description.lower()
                or r.customer_id in customers
                or q in (r.order_id, r.customer_id)
            ),
        )

    @pytest.mark.parametrize(
        "q", ["sophie.moreau2042@example.net", "SOPHIE.moreau2042", "kowalski", "ia mo", "ix"]
    )
    async def test_a_customers_name_or_address_finds_exactly_their_cases(
        self, database: Database, q: str
    ) -> None:
        rows = await _rows(database)
        customers = await _customers_holding(database, q.lower())

        ids = await _walk(SqlReadQueries(database.read_sessions()), CaseFilters(q=q))

        assert ids == _expected(
            rows,
            "-created_at",
            lambda r: (
                r.customer_id in customers
                or q.lower() in r.subject.lower()
                or q.lower() in r.description.lower()
            ),
        )

    async def test_text_search_combines_with_the_other_filters(self, database: Database) -> None:
        rows = await _rows(database)
        filters = CaseFilters(q="refund", status=["closed", "resolved"], sort="created_at")

        ids = await _walk(SqlReadQueries(database.read_sessions()), filters, limit=5)

        expected = _expected(
            rows,
            "created_at",
            lambda r: (
                r.status in ("closed", "resolved")
                and ("refund" in r.subject.lower() or "refund" in r.description.lower())
            ),
        )
        assert expected
        assert ids == expected


class TestBulkData:
    async def test_refunds_add_up_and_every_case_has_its_history(self, database: Database) -> None:
        async with database.read_sessions()() as session:
            refunds = list(await session.scalars(select(RefundRecord)))
            opened = set(
                await session.scalars(
                    select(EventRecord.case_id).where(EventRecord.type == "case_opened")
                )
            )
            requested = set(
                await session.scalars(
                    select(EventRecord.entity_id).where(EventRecord.type == "refund_requested")
                )
            )
        rows = await _rows(database)

        assert 0.25 < len(refunds) / CASES < 0.4
        for refund in refunds:
            parts = sum(sum(item["parts"]) for item in refund.items)
            assert refund.total_amount == parts + refund.shipping_amount
            assert all(len(item["parts"]) == item["quantity"] for item in refund.items)
            final = refund.status in ("refunded", "rejected", "cancelled", "settled")
            assert (refund.final_at is not None) == final
        assert {r.id for r in rows if not r.id.startswith("case_x")} <= opened
        assert {r.id for r in refunds} == requested


def test_the_same_seed_makes_the_same_cases() -> None:
    first = next(generate(50, seed=3, batch=50, now=NOW)).cases
    again = next(generate(50, seed=3, batch=50, now=NOW)).cases
    other = next(generate(50, seed=4, batch=50, now=NOW)).cases

    assert first == again
    assert [_without_id(r) for r in first] != [_without_id(r) for r in other]


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}
