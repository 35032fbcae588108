"""Refunds of an amount, and the reason code of every refund

Revision ID: 0018
Revises: 0016

``kind`` is ``units`` for every refund so far (the server default fills the rows there
are); a refund of kind ``amount`` has no lines and no shipping, and its ``total_amount`` is
the amount. ``reason_code`` names why the money goes back (docs/refund-reasons.md); null on
refunds from before. Plain ADD COLUMNs (no batch rebuild: see 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "refunds", sa.Column("kind", sa.String(10), nullable=False, server_default="units")
    )
    op.add_column("refunds", sa.Column("reason_code", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("refunds", "reason_code")
    op.drop_column("refunds", "kind")
