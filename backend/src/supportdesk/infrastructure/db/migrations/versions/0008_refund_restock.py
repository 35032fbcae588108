"""refunds.restock: whether the refunded units go back in stock

Revision ID: 0008
Revises: 0007

The write-back to the shop's order system (docs/order-system.md) tells it whether to put
the units back in stock. A new refund takes its case category's default (a return is
restocked, a damaged item is not); the approver or whoever records a settlement may decide
otherwise. Refunds made before this revision were never restocked by us: false.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.add_column(
            sa.Column("restock", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.drop_column("restock")
