"""the latest-due-first sort's index, and the customer directory's text index

Revision ID: 0014
Revises: 0013

Two list queries that the 1M-case benchmark (bench/README.md) found reading far more than a
page:

- ``sort=-due_at``: ``ORDER BY due_at DESC NULLS LAST, id DESC`` (cases without a due time
  last in both directions, docs/sla.md). On PostgreSQL the ``(due_at, id)`` index of 0013,
  read backwards, yields ``DESC NULLS FIRST``: the planner sorted every case instead
  (250-550 ms at 1M). An index in exactly that order serves it (0.2 ms), and one after
  ``sla_status`` for the SLA filter with that sort (12 ms walking the other one). SQLite
  orders NULL below every value, so its ``(due_at, id)`` index read backwards already is
  that order.
- ``q`` looks a customer's name or address up in the ``customers`` directory (one row per
  customer: ~N/5 at N cases) by "holds the text". A scan of it grows with the shop: a
  trigram index narrows it, as 0002 does for the cases' text. PostgreSQL: a pg_trgm GIN
  index, which the LIKE the query sends uses as it is. SQLite: an FTS5 trigram table over
  ``search_text`` (external content, kept by triggers); the query asks it for candidates
  and still checks them with LIKE. Both are asked about ``q``'s least common trigrams only
  (an address's domain is in most rows): PostgreSQL learns which from extended statistics
  on ``show_trgm(search_text)``, as 0003 does for the cases.

Dialect-specific, hence not declared in ``models.py``. The FTS table is keyed by the
implicit rowid of ``customers``: a later rebuild of that table or a VACUUM must be followed
by ``INSERT INTO customers_fts(customers_fts) VALUES('rebuild')``.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE customers_fts USING fts5(
        search_text, content='customers', content_rowid='rowid', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customers_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END
    """,
    """
    CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customers_fts(customers_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
    END
    """,
    """
    CREATE TRIGGER customers_fts_update AFTER UPDATE OF search_text ON customers BEGIN
        INSERT INTO customers_fts(customers_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO customers_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
    END
    """,
    "INSERT INTO customers_fts(customers_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS customers_fts_update",
    "DROP TRIGGER IF EXISTS customers_fts_delete",
    "DROP TRIGGER IF EXISTS customers_fts_insert",
    "DROP TABLE IF EXISTS customers_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_support_cases_due_desc ON support_cases (due_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_support_cases_sla_status_due_desc "
    "ON support_cases (sla_status, due_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_customers_search_trgm ON customers USING gin (search_text gin_trgm_ops)",
    # As 0003 for the cases: ANALYZE keeps the most common trigrams and their shares, and
    # a search drives the index by its least common ones only.
    "CREATE STATISTICS customers_search_trgm ON (show_trgm(search_text)) FROM customers",
    "ANALYZE customers",
]
POSTGRES_DOWN = [
    "DROP STATISTICS IF EXISTS customers_search_trgm",
    "DROP INDEX IF EXISTS ix_customers_search_trgm",
    "DROP INDEX IF EXISTS ix_support_cases_sla_status_due_desc",
    "DROP INDEX IF EXISTS ix_support_cases_due_desc",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _run(POSTGRES_UP if dialect == "postgresql" else SQLITE_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _run(POSTGRES_DOWN if dialect == "postgresql" else SQLITE_DOWN)
