"""the agent's desk: canned replies, and cases sortable by priority

Revision ID: 0012
Revises: 0011

Issue 17, parts 3 and 4 (docs/desk.md):

- ``support_cases.priority_rank``: the priority as a number (0 low … 3 urgent), so that
  ``sort=priority`` / ``-priority`` walk the index ``(priority_rank, created_at, id)``
  instead of sorting every case by a CASE expression over the word. Added with a plain
  ADD COLUMN (a batch rebuild would renumber the rowids SQLite's full-text index points
  at, see 0011), then filled from ``priority``.
- ``canned_replies``: the staff's texts to answer with, personal or shared.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "support_cases",
        sa.Column("priority_rank", sa.Integer(), nullable=False, server_default="1"),
    )
    op.execute(
        "UPDATE support_cases SET priority_rank = CASE priority"
        " WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3"
        " ELSE 1 END"
    )
    op.create_index(
        "ix_support_cases_priority_created",
        "support_cases",
        ["priority_rank", "created_at", "id"],
    )
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("set_status", sa.String(32), nullable=True),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index("ix_canned_replies_created", "canned_replies", ["created_at", "id"])
    op.create_index("ix_canned_replies_owner", "canned_replies", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_canned_replies_owner", table_name="canned_replies")
    op.drop_index("ix_canned_replies_created", table_name="canned_replies")
    op.drop_table("canned_replies")
    op.drop_index("ix_support_cases_priority_created", table_name="support_cases")
    # SQLite drops a column in place (3.35+) without renumbering rows.
    op.drop_column("support_cases", "priority_rank")
