"""refund_policies, and each refund's last decision (refunds.decision, refunds.decided_at)

Revision ID: 0020
Revises: 0019

The rules that decide a refund become data admins change, one version per change
(docs/refund-policy.md). Version 1 is the service's settings and is stored when the first
other version is published. A refund keeps its last decision's policy version, rule, words
and the facts it was judged on; ``decided_at`` lets the dry run read the last days'
decisions. Null on refunds decided before this revision: the dry run does not judge them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refund_policies",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_refund_policies")),
    )
    with op.batch_alter_table("refunds") as table:
        table.add_column(sa.Column("decision", sa.JSON(), nullable=True))
        table.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        table.create_index("ix_refunds_decided", ["decided_at"])


def downgrade() -> None:
    with op.batch_alter_table("refunds") as table:
        table.drop_index("ix_refunds_decided")
        table.drop_column("decided_at")
        table.drop_column("decision")
    op.drop_table("refund_policies")
