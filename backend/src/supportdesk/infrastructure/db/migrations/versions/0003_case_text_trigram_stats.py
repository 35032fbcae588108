"""case text search: trigram frequencies for PostgreSQL's planner and the list query

Revision ID: 0003
Revises: 0002

A text search for a rare word should cost what its few matches cost. The trigram index
of 0002 reads the lists of *all* of the word's trigrams, and some are in most cases
(``the`` is in 87 % of them), so the work grew with the table. The list query now builds
its index condition from the word's rare trigrams only (the ``q`` rule itself is still
checked on every row, so the answer does not change); for that it needs to know which
trigrams are common.

- PostgreSQL: extended statistics on the expression ``show_trgm(subject || ' ' ||
  description)``. ``ANALYZE`` (and autovacuum's auto-analyze) then keeps the most common
  trigrams and their frequencies in ``pg_stats_ext_exprs.most_common_elems``, from a
  sample, at no cost to writes. Needs PostgreSQL 14+.
- SQLite: nothing. Its FTS5 table answers "how many rows hold this trigram, up to N"
  cheaply (a bounded probe reads at most N entries), whereas an ``fts5vocab`` table would
  read a common trigram's whole list to count it (~30 ms for ``the`` at 1M).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_UP = [
    "CREATE STATISTICS support_cases_text_trgm "
    "ON (show_trgm(subject || ' ' || description)) FROM support_cases",
    # A sample of rows (not a scan): seconds at 1M cases.
    "ANALYZE support_cases",
]
POSTGRES_DOWN = ["DROP STATISTICS IF EXISTS support_cases_text_trgm"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
