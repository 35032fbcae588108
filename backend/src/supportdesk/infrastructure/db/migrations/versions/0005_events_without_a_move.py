"""history: events that move no status name no status

Revision ID: 0005
Revises: 0004

A message, a note, an assignment or a priority change used to be recorded with the case's
current status as both ``from_status`` and ``to_status``, which reads as a move that did
not happen. They now carry null in both; this clears the rows written before.

The downgrade puts the old values back exactly: the status a case had at such an event
is the ``to_status`` of the case's last opening or status change before it (by ``seq``).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WITHOUT_A_MOVE = "'message_added', 'internal_note_added', 'note', 'assigned', 'priority_changed'"


def upgrade() -> None:
    op.execute(
        "UPDATE events SET from_status = NULL, to_status = NULL "
        f"WHERE entity = 'support_case' AND type IN ({WITHOUT_A_MOVE})"
    )


def downgrade() -> None:
    status_then = (
        "(SELECT moved.to_status FROM events AS moved "
        "WHERE moved.entity = 'support_case' AND moved.entity_id = events.entity_id "
        "AND moved.seq < events.seq AND moved.type IN ('case_opened', 'status_changed') "
        "ORDER BY moved.seq DESC LIMIT 1)"
    )
    op.execute(
        f"UPDATE events SET from_status = {status_then}, to_status = {status_then} "
        f"WHERE entity = 'support_case' AND type IN ({WITHOUT_A_MOVE})"
    )
