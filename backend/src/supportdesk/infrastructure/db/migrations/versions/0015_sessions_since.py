"""When a user's sign-ins last ended all at once

Revision ID: 0015
Revises: 0014

A password reset ends every sign-in of the user: tokens (access and refresh) issued before
``sessions_since`` stop working. Null for a user whose sign-ins never all ended. A plain ADD
COLUMN (no batch rebuild: see 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("sessions_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "sessions_since")
