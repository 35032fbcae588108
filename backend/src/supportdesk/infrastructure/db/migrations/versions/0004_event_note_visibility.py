"""event note visibility: staff notes are internal unless marked public

Revision ID: 0004
Revises: 0003

``events.note_public`` says whether a customer may read an event's ``note``. New rows get
it from the domain (approval notes and a ``PATCH``'s note are internal unless staff mark
them public; reject reasons, settlement notes, what customers write and what the system
writes are public).

Rows written before this revision showed every note to the customer. They are made to
follow the new rule: a note staff wrote with a status change, an approval, or on its own
becomes internal. The customer loses sight of notes they could read before, which is the
point: those notes were written for colleagues.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("note_public", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(
        "UPDATE events SET note_public = false "
        "WHERE note IS NOT NULL AND actor_role <> 'customer' "
        "AND type IN ('note', 'status_changed', 'refund_approved')"
    )


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("note_public")
