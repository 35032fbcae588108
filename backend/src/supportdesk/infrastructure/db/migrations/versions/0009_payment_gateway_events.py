"""payment_gateway_events, refunds.pending_reason: the payment gateway's events in

Revision ID: 0009
Revises: 0008

The gateway tells us later what became of a refund (Stripe's ``refund.updated``): still
pending and why, succeeded, or failed even after it had succeeded. Each event is acted on
once, by its id (``payment_gateway_events``); a refund the gateway holds shows why
(``refunds.pending_reason``, nullable: most refunds are never held).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_gateway_events",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("refund_id", sa.String(40), nullable=True),
        sa.Column("outcome", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_gateway_events")),
    )
    with op.batch_alter_table("refunds") as table:
        table.add_column(sa.Column("pending_reason", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.drop_column("pending_reason")
    op.drop_table("payment_gateway_events")
