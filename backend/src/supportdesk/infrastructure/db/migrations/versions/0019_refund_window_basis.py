"""refunds.shipped_at and refunds.window_basis: the window of an order that never arrived

Revision ID: 0019
Revises: 0018

A refund of an undelivered order may go through the gateway when the order has not shipped
(a cancellation) or when its parcel counts as lost in transit (docs/refund-window.md). A
refund keeps, beside the delivery time it saw, when the order shipped and which rule decides
its window, so lists show its window without asking the order system per row. Null on
refunds from before this revision: their window is the delivery's alone, as it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("window_basis", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.drop_column("window_basis")
        table.drop_column("shipped_at")
