"""SLA clocks on support cases

Revision ID: 0013
Revises: 0012

Issue 17, part 5 (docs/sla.md): the SLA clocks as last worked out from each case's
history, kept on the case so that lists filter by ``sla_status`` and sort by ``due_at``
(the earliest pending due time) through an index, and ``sla_check_at``, the moment time
alone next changes a case's SLA status, which the sweep looks cases up by.

Backfill at first touch: a case not resolved or closed gets ``sla_check_at`` = its
opening, so the first sweep (``SLA_CHECK_INTERVAL_SECONDS``) works out its clocks from its
history, and records the breaches that already happened; any change of the case before
that does the same. Resolved and closed cases wait for nothing: their columns stay null
until they are reopened. Plain ADD COLUMNs (no batch rebuild: see 0011).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "first_response_due_at",
    "resolution_due_at",
    "due_at",
    "sla_check_at",
    "first_responded_at",
)


def upgrade() -> None:
    for name in _COLUMNS:
        op.add_column("support_cases", sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    op.add_column("support_cases", sa.Column("sla_status", sa.String(16), nullable=True))
    op.create_index("ix_support_cases_due", "support_cases", ["due_at", "id"])
    op.create_index(
        "ix_support_cases_sla_status_due", "support_cases", ["sla_status", "due_at", "id"]
    )
    op.create_index("ix_support_cases_sla_check", "support_cases", ["sla_check_at"])
    op.execute(
        "UPDATE support_cases SET sla_check_at = created_at "
        "WHERE status NOT IN ('resolved', 'closed')"
    )


def downgrade() -> None:
    op.drop_index("ix_support_cases_sla_check", table_name="support_cases")
    op.drop_index("ix_support_cases_sla_status_due", table_name="support_cases")
    op.drop_index("ix_support_cases_due", table_name="support_cases")
    # SQLite drops a column in place (3.35+) without renumbering rows.
    for name in ("sla_status", *_COLUMNS):
        op.drop_column("support_cases", name)
