"""Reasons that can be counted

Revision ID: 0017
Revises: 0016

Refund and settlement reasons come from a list admins keep (docs/refund-reasons.md):

- ``reason_codes``: code (never renamed nor deleted: refunds, stats and exports count by
  it), label, active, position in the choices, version for ``If-Match``. Seeded with the
  default list, the same as ``domain/reasons.py::DEFAULT_REASONS`` (written out here: a
  migration must not change when the code does).
- ``refunds.reason_code``: the reason chosen for the refund, null on refunds from before.
  A line's own reason, when it differs, is stored with the line in ``refunds.items``, a
  settlement's in ``refunds.settlement``. Added with a plain ADD COLUMN, nullable, so the
  table is not rebuilt.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTS = (
    ("damaged", "Damaged"),
    ("wrong_item", "Wrong item"),
    ("missing_item", "Missing item"),
    ("not_delivered", "Not delivered"),
    ("late_delivery", "Late delivery"),
    ("changed_mind", "Changed mind"),
    ("goodwill", "Goodwill"),
    ("price_adjustment", "Price adjustment"),
    ("duplicate_charge", "Duplicate charge"),
    ("other", "Other"),
)


def upgrade() -> None:
    reason_codes = op.create_table(
        "reason_codes",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_reason_codes")),
    )
    # SQLite stores times as naive UTC text (models.UTCDateTime), PostgreSQL with a zone.
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(
        reason_codes,
        [
            {
                "code": code,
                "label": label,
                "active": True,
                "position": position,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for position, (code, label) in enumerate(DEFAULTS, start=1)
        ],
    )
    op.add_column("refunds", sa.Column("reason_code", sa.String(40), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35+).
    op.drop_column("refunds", "reason_code")
    op.drop_table("reason_codes")
