"""Refunds of an amount

Revision ID: 0018
Revises: 0017

``kind`` is ``units`` for every refund so far (the server default fills the rows there
are); a refund of kind ``amount`` has no lines and no shipping, and its ``total_amount`` is
the amount. A plain ADD COLUMN (no batch rebuild: see 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "refunds", sa.Column("kind", sa.String(10), nullable=False, server_default="units")
    )


def downgrade() -> None:
    op.drop_column("refunds", "kind")
