"""case text search: trigram indexes for the ``q`` filter of the case list

Revision ID: 0002
Revises: 0001

``q`` means "this text appears in the subject or the description, ignoring case", the
same on both databases. At a million cases a scan for it takes seconds, so:

- PostgreSQL: pg_trgm GIN indexes on ``subject`` and ``description``; the ILIKE the list
  query sends uses them as they are (a BitmapOr of the two).
- SQLite: an FTS5 table with the trigram tokenizer over the same two columns, kept in step
  with ``support_cases`` by triggers (external content: the text is not stored twice). The
  list query asks it for candidate rows and still checks them with LIKE, so the answer is
  exactly the one the plain scan gives.

These indexes are dialect-specific and therefore not declared in ``models.py``.
The FTS table is keyed by the implicit rowid of ``support_cases``: a later migration that
rebuilds that table (a SQLite batch operation) or a VACUUM renumbers the rows and must be
followed by ``INSERT INTO support_cases_fts(support_cases_fts) VALUES('rebuild')``, and a
batch rebuild must recreate the triggers below.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE support_cases_fts USING fts5(
        subject, description,
        content='support_cases', content_rowid='rowid', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER support_cases_fts_insert AFTER INSERT ON support_cases BEGIN
        INSERT INTO support_cases_fts(rowid, subject, description)
        VALUES (new.rowid, new.subject, new.description);
    END
    """,
    """
    CREATE TRIGGER support_cases_fts_delete AFTER DELETE ON support_cases BEGIN
        INSERT INTO support_cases_fts(support_cases_fts, rowid, subject, description)
        VALUES ('delete', old.rowid, old.subject, old.description);
    END
    """,
    """
    CREATE TRIGGER support_cases_fts_update AFTER UPDATE OF subject, description
    ON support_cases BEGIN
        INSERT INTO support_cases_fts(support_cases_fts, rowid, subject, description)
        VALUES ('delete', old.rowid, old.subject, old.description);
        INSERT INTO support_cases_fts(rowid, subject, description)
        VALUES (new.rowid, new.subject, new.description);
    END
    """,
    "INSERT INTO support_cases_fts(support_cases_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS support_cases_fts_update",
    "DROP TRIGGER IF EXISTS support_cases_fts_delete",
    "DROP TRIGGER IF EXISTS support_cases_fts_insert",
    "DROP TABLE IF EXISTS support_cases_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_support_cases_subject_trgm ON support_cases USING gin (subject gin_trgm_ops)",
    "CREATE INDEX ix_support_cases_description_trgm ON support_cases "
    "USING gin (description gin_trgm_ops)",
]
# The extension stays: other schemas of the same database may use it.
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_support_cases_description_trgm",
    "DROP INDEX IF EXISTS ix_support_cases_subject_trgm",
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
