"""refunds.bank_reference: what the customer's bank shows for a refund

Revision ID: 0007
Revises: 0006

The payment gateway gives, for a card refund, the acquirer reference number (ARN) the
customer's bank statement shows; the "refunded" mail quotes it so the customer can find the
money. Nullable: older refunds, and gateways or payment methods that give none, have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.add_column(sa.Column("bank_reference", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.drop_column("bank_reference")
