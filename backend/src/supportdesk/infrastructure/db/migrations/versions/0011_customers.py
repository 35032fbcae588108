"""customers as people: case channel, the customer on refunds, a customer directory

Revision ID: 0011
Revises: 0010

Issue 17, parts 1 and 2 (docs/customers.md):

- ``support_cases.channel``: how the customer reached us (web, email, phone, chat). Cases
  opened before this revision were all opened by customers on the web: ``web``. Added with
  a plain ADD COLUMN, not a batch rebuild: on SQLite a rebuild would renumber the rowids
  the full-text index (0002) points at.
- ``refunds.customer_name`` and ``customer_email``: who the order system said the customer
  was when the refund was asked for (a case keeps the same in its order snapshot, JSON).
  Null on older refunds; staff then see the customer's id only.
- ``customers``: the directory that ``q`` looks names and addresses up in, one row per
  customer a case was opened for, as the order system last named them. Not backfilled:
  older cases are found through the customers' accounts (``users``) instead.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "support_cases",
        sa.Column("channel", sa.String(16), nullable=False, server_default="web"),
    )
    op.add_column("refunds", sa.Column("customer_name", sa.String(200), nullable=True))
    op.add_column("refunds", sa.Column("customer_email", sa.String(320), nullable=True))
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("search_text", sa.String(530), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index("ix_customers_email", "customers", ["email"])


def downgrade() -> None:
    op.drop_index("ix_customers_email", table_name="customers")
    op.drop_table("customers")
    with op.batch_alter_table("refunds") as table:
        table.drop_column("customer_email")
        table.drop_column("customer_name")
    # SQLite drops a column in place (3.35+) without renumbering rows.
    op.drop_column("support_cases", "channel")
