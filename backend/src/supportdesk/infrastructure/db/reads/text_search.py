"""The cases' text search (``q``): exactly a case-insensitive LIKE, narrowed first by the
trigram indexes of migrations 0002 (SQLite's FTS5) and 0003 (PostgreSQL's pg_trgm)."""

from __future__ import annotations

import functools
import math
import time
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, literal_column, or_, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from supportdesk.infrastructure.db.models import CustomerRecord, SupportCaseRecord

T = TypeVar("T")

# SQLite: a text found in few cases is fetched by rowid from the full-text candidates; one
# found in many is left to the sort index, where a match comes every few rows. Fetching m
# candidates costs ~m, walking ~N/m, so the crossover grows as sqrt(N), up to this cap.
FTS_CANDIDATE_LIMIT = 3000
# How many of ``q``'s trigrams are counted (spread over ``q``), and how many of the rarest
# make up the candidate query / the index condition.
PROBED_TRIGRAMS = 8
RARE_TRIGRAMS = 3
# SQLite: a trigram is rare when it is in at most this many rows (and few ones, below). Each
# trigram is counted no further, so a common one costs this many entries, not its list.
RARE_TRIGRAM_ROWS = 300
# SQLite: a trigram of a customer search in this many customers or more is common.
COMMON_CUSTOMER_TRIGRAM_ROWS = 3000
# PostgreSQL's list of common trigrams (migration 0003's statistics), re-read this often.
TRIGRAM_STATS_SECONDS = 300.0


class TextSearch:
    """``q`` matches cases whose subject or description contains it, ignoring case.

    That rule (a case-insensitive LIKE) is checked on every row returned, on both
    databases, so whatever narrows the rows first only has to keep every match: the answer
    is exactly what a plain scan gives. What narrows them is a trigram index (migration
    0002), asked about the *rare* trigrams of ``q`` only: a trigram found in most cases
    (``the``) costs a read through its long list and filters nothing.

    - SQLite: one statement counts the rows of its FTS5 table holding each trigram of
      ``q`` (3+ characters; PROBED_TRIGRAMS of them at most), each no further than
      RARE_TRIGRAM_ROWS. If some are that rare, the query is restricted to the rows holding
      the rarest (RARE_TRIGRAMS at most): a few rowid lookups, whatever the table's size.
      Otherwise the same statement counts, up to a cap, the rows holding all of them, and
      the query is restricted to those if they are few (fewer than ~3*sqrt(N), at most
      ``candidate_limit``); a common text is left to the sort index.
    - PostgreSQL: the pg_trgm indexes are driven by a LIKE pattern made of ``q``'s trigrams
      that are not among the table's most common ones (migration 0003's statistics); the
      rule is then checked as ``lower(column) LIKE lower(pattern)``, which is what ILIKE
      computes in a UTF-8 database, in a form the trigram indexes do not take up. Without
      statistics, or when no trigram is common or every one is, it is the plain ILIKE.

    One object per database, built once by the container: it remembers what it learnt of
    that database (SQLite: the table's last size seen; PostgreSQL: the common trigrams, for
    TRIGRAM_STATS_SECONDS).
    """

    def __init__(self, *, candidate_limit: int = FTS_CANDIDATE_LIMIT) -> None:
        self.candidate_limit = candidate_limit
        self._sqlite_rows: int | None = None
        self._common_trigrams: tuple[float, frozenset[str] | None] | None = None
        self._customer_frequencies: tuple[float, dict[str, float] | None] | None = None

    async def conditions(self, session: AsyncSession, q: str) -> list[ColumnElement[bool]]:
        """The conditions on support_cases that keep exactly the cases holding ``q``."""
        c = SupportCaseRecord
        pattern = f"%{_escape_like(q)}%"
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            return await self._postgres(session, q, pattern)
        conditions: list[ColumnElement[bool]] = [
            or_(c.subject.ilike(pattern, escape="\\"), c.description.ilike(pattern, escape="\\"))
        ]
        if dialect == "sqlite" and len(q) >= 3:
            candidates = await self._sqlite_candidates(session, q)
            if candidates is not None:
                conditions.append(
                    literal_column("support_cases.rowid").in_(
                        select(literal_column("rowid"))
                        .select_from(table("support_cases_fts"))
                        .where(
                            text("support_cases_fts MATCH :phrase").bindparams(phrase=candidates)
                        )
                    )
                )
        return conditions

    async def _sqlite_candidates(self, session: AsyncSession, q: str) -> str | None:
        """The FTS5 query for the candidate rows of ``q``, or None when they are too many."""
        # "Few" depends on the table's size, which this statement reads too: the last size
        # seen bounds this probe (the cap changes how much is read, never the answer).
        few = self._few(self._sqlite_rows)
        grams = _grams(q)
        probed = _spread(grams, PROBED_TRIGRAMS)
        params: dict[str, Any] = {f"g{i}": _phrase([gram]) for i, gram in enumerate(probed)}
        rare_rows = min(few, RARE_TRIGRAM_ROWS)
        params |= {
            "rare_cap": rare_rows + 1,
            "rare": rare_rows,
            "cap": few + 1,
            "every": _phrase(grams),
        }
        result = (await session.execute(_sqlite_probe(len(probed)), params)).all()
        self._sqlite_rows = result[0][2]
        rare = sorted((n, i) for i, n, _, _ in result if n <= rare_rows)[:RARE_TRIGRAMS]
        if rare:
            return _phrase([probed[i] for _, i in sorted(rare, key=lambda pair: pair[1])])
        every = result[0][3]
        if every is not None and every <= few:
            return _phrase(grams)
        return None

    def _few(self, rows: int | None) -> int:
        """How many candidates are fetched by rowid rather than found walking the sort index:
        ~3*sqrt(N), at least 100, at most ``candidate_limit`` (which an unknown N gets)."""
        if rows is None:
            return self.candidate_limit
        return min(self.candidate_limit, max(100, math.isqrt(9 * rows)))

    async def _postgres(
        self, session: AsyncSession, q: str, pattern: str
    ) -> list[ColumnElement[bool]]:
        c = SupportCaseRecord
        common = await self._common(session)
        starts = [
            i for i in range(len(q) - 2) if q[i : i + 3].isalnum()
        ]  # what pg_trgm takes from a LIKE pattern: trigrams of words
        rare = [i for i in starts if common is not None and q[i : i + 3].lower() not in common]
        if not rare or len(rare) == len(starts):
            return [
                or_(
                    c.subject.ilike(pattern, escape="\\"),
                    c.description.ilike(pattern, escape="\\"),
                )
            ]
        # The chosen trigrams, merged where they overlap, in q's order: every text holding q
        # holds these pieces in this order.
        pieces: list[list[int]] = []
        for i in _spread(rare, RARE_TRIGRAMS):
            if pieces and i <= pieces[-1][1]:
                pieces[-1][1] = i + 3
            else:
                pieces.append([i, i + 3])
        narrow = "%" + "%".join(_escape_like(q[a:b]) for a, b in pieces) + "%"
        lowered = func.lower(pattern)
        return [
            or_(c.subject.ilike(narrow, escape="\\"), c.description.ilike(narrow, escape="\\")),
            or_(
                func.lower(c.subject).like(lowered, escape="\\"),
                func.lower(c.description).like(lowered, escape="\\"),
            ),
        ]

    async def customer_conditions(self, session: AsyncSession, q: str) -> list[ColumnElement[bool]]:
        """The conditions on the customer directory that keep exactly the customers whose
        ``search_text`` (name and address, lower-cased) holds ``q``, ignoring case: the
        LIKE, narrowed first by migration 0014's trigram index through ``q``'s least common
        trigrams. An address is one customer's, yet each of its trigrams may be in
        thousands of rows (``042``, ``mor``) or in all of them (``example.net``'s), whose
        lists the index would otherwise read to the end.

        - SQLite: the customers_fts rows holding the three least common
          (``sqlite_customer_candidates``), or none (a scan) when every one is common.
        - PostgreSQL: a LIKE of the pieces of ``q`` holding its three least frequent
          trigrams (by the statistics ANALYZE keeps of them; a trigram not listed is
          rarer than any listed) drives the pg_trgm index, and ``lower(search_text)
          LIKE`` checks the rule without being taken to the index. Without statistics, or
          with three trigrams or fewer, the plain LIKE."""
        column = CustomerRecord.search_text
        lowered = q.lower()
        pattern = f"%{_escape_like(lowered)}%"
        plain: list[ColumnElement[bool]] = [column.like(pattern, escape="\\")]
        dialect = session.get_bind().dialect.name
        if dialect == "sqlite":
            candidates = await sqlite_customer_candidates(session, lowered)
            if candidates is None:
                return plain
            return [
                *plain,
                literal_column("customers.rowid").in_(
                    select(literal_column("rowid"))
                    .select_from(table("customers_fts"))
                    .where(text("customers_fts MATCH :customers").bindparams(customers=candidates))
                ),
            ]
        if dialect != "postgresql":
            return plain
        starts = [i for i in range(len(lowered) - 2) if lowered[i : i + 3].isalnum()]
        frequencies = await self._customer_trigrams(session)
        if frequencies is None or len(starts) <= RARE_TRIGRAMS:
            return plain
        least = sorted(starts, key=lambda i: frequencies.get(lowered[i : i + 3], 0.0))
        pieces: list[list[int]] = []
        for i in sorted(least[:RARE_TRIGRAMS]):
            if pieces and i <= pieces[-1][1]:
                pieces[-1][1] = i + 3
            else:
                pieces.append([i, i + 3])
        narrow = "%" + "%".join(_escape_like(lowered[a:b]) for a, b in pieces) + "%"
        return [
            column.like(narrow, escape="\\"),
            func.lower(column).like(pattern, escape="\\"),
        ]

    async def _customer_trigrams(self, session: AsyncSession) -> dict[str, float] | None:
        """The share of customers holding each of the most common trigrams of the directory
        (migration 0014's statistics; None without them), kept TRIGRAM_STATS_SECONDS."""
        now = time.monotonic()
        if self._customer_frequencies and self._customer_frequencies[0] > now:
            return self._customer_frequencies[1]
        row = (
            await session.execute(
                text(
                    "SELECT most_common_elems::text::text[], most_common_elem_freqs "
                    "FROM pg_stats_ext_exprs WHERE statistics_name = 'customers_search_trgm' "
                    "AND statistics_schemaname = current_schema() LIMIT 1"
                )
            )
        ).first()
        # The frequencies end with three figures more (minimum, maximum, nulls): zip stops.
        frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else None
        self._customer_frequencies = (now + TRIGRAM_STATS_SECONDS, frequencies)
        return frequencies

    async def _common(self, session: AsyncSession) -> frozenset[str] | None:
        """The trigrams ANALYZE found most common in cases' texts (None: no statistics yet).
        Kept for TRIGRAM_STATS_SECONDS: they change with ANALYZE, not per write."""
        now = time.monotonic()
        if self._common_trigrams and self._common_trigrams[0] > now:
            return self._common_trigrams[1]
        elements = await session.scalar(
            text(
                "SELECT most_common_elems::text::text[] FROM pg_stats_ext_exprs "
                "WHERE statistics_name = 'support_cases_text_trgm' "
                "AND statistics_schemaname = current_schema() LIMIT 1"
            )
        )
        common = frozenset(elements) if elements else None
        self._common_trigrams = (now + TRIGRAM_STATS_SECONDS, common)
        return common


@functools.cache
def _sqlite_probe(trigrams: int) -> TextClause:
    """Counts, up to :rare_cap, the rows holding each of :g0 … :g<trigrams-1>; with the size
    of the table; and, only when none is in :rare rows or fewer, the rows holding all of
    them (:every), up to :cap."""
    matching = "SELECT 1 FROM support_cases_fts WHERE support_cases_fts MATCH"
    counts = " UNION ALL ".join(
        f"SELECT {i}, (SELECT count(*) FROM ({matching} :g{i} LIMIT :rare_cap))"
        for i in range(trigrams)
    )
    return text(f"""
        WITH counts(i, n) AS MATERIALIZED ({counts})
        SELECT i, n, (SELECT coalesce(max(rowid), 0) FROM support_cases),
            CASE WHEN (SELECT min(n) FROM counts) <= :rare THEN NULL
            ELSE (SELECT count(*) FROM ({matching} :every LIMIT :cap)) END
        FROM counts
    """)


def _grams(q: str) -> list[str]:
    """``q``'s distinct trigrams, lower-cased, in the order they first appear."""
    return list(dict.fromkeys(q[i : i + 3].lower() for i in range(len(q) - 2)))


def _spread(items: list[T], most: int) -> list[T]:
    """At most ``most`` of ``items``, spread evenly from the first to the last."""
    if len(items) <= most:
        return items
    return [items[round(k * (len(items) - 1) / (most - 1))] for k in range(most)]


def _phrase(grams: list[str]) -> str:
    """An FTS5 query for rows holding every one of ``grams``: the rows holding ``q`` and a
    few more, which the LIKE drops. Cheaper than the phrase, which also matches positions."""
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def sqlite_customer_candidates(session: AsyncSession, q: str) -> str | None:
    """SQLite: the FTS5 query (migration 0014's ``customers_fts``) for the customers whose
    name or address may hold ``q``: the rows holding its RARE_TRIGRAMS least common
    trigrams (of PROBED_TRIGRAMS spread over it, each counted up to
    COMMON_CUSTOMER_TRIGRAM_ROWS). An address is one customer's, yet each of its trigrams
    may be in thousands (``042``, ``mor``) or in all of them (``example.net``'s): the
    phrase, which reads every list to the end, cost 20x the AND of the three least common
    at 200 000 customers. None when every trigram is that common (a surname): a scan then
    finds a match every few rows and stops at the search's limit."""
    probed = _spread(_grams(q), PROBED_TRIGRAMS)
    if not probed:
        return None
    params: dict[str, Any] = {f"g{i}": _phrase([gram]) for i, gram in enumerate(probed)}
    params["cap"] = COMMON_CUSTOMER_TRIGRAM_ROWS
    counts = sorted(
        (n, i) for i, n in (await session.execute(_sqlite_customer_probe(len(probed)), params))
    )
    if counts[0][0] >= COMMON_CUSTOMER_TRIGRAM_ROWS:
        return None
    rarest = sorted(i for _, i in counts[:RARE_TRIGRAMS])
    return _phrase([probed[i] for i in rarest])


@functools.cache
def _sqlite_customer_probe(trigrams: int) -> TextClause:
    """Counts, up to :cap, the customers holding each of :g0 … :g<trigrams-1>."""
    matching = "SELECT 1 FROM customers_fts WHERE customers_fts MATCH"
    return text(
        " UNION ALL ".join(
            f"SELECT {i}, (SELECT count(*) FROM ({matching} :g{i} LIMIT :cap))"
            for i in range(trigrams)
        )
    )
