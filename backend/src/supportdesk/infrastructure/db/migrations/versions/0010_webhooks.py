"""webhooks: the shop's endpoints, one outbox row per endpoint, and a log of every try

Revision ID: 0010
Revises: 0009

An admin registers ``webhook_endpoints``; a change writes, in its own transaction, one
``outbox`` row of channel ``webhooks`` per endpoint that wants the event, the endpoint's id in
the new column ``target`` (empty for the channels that have none), so each endpoint's
delivery has its own tries and schedule. ``webhook_attempts`` keeps every try for the
delivery log (status code, latency, the start of the answer).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNDELIVERED = sa.text("state <> 'delivered'")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", KEY, nullable=False),
        sa.Column("endpoint_id", sa.String(40), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index("ix_webhook_attempts_outbox_id", "webhook_attempts", ["outbox_id"])
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("target", sa.String(40), nullable=False, server_default=""))
        table.drop_constraint("uq_outbox_event_id", type_="unique")
    # At most one undelivered row per event, channel and target; a delivered webhook may be
    # sent again, as a new row beside the delivered one (which stays, final, in the log).
    op.create_index(
        "uq_outbox_undelivered",
        "outbox",
        ["event_id", "channel", "target"],
        unique=True,
        sqlite_where=UNDELIVERED,
        postgresql_where=UNDELIVERED,
    )
    op.create_index("ix_outbox_channel_target", "outbox", ["channel", "target"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_target", table_name="outbox")
    op.drop_index("uq_outbox_undelivered", table_name="outbox")
    op.execute("DELETE FROM outbox WHERE channel = 'webhooks'")
    with op.batch_alter_table("outbox") as table:
        table.create_unique_constraint("uq_outbox_event_id", ["event_id", "channel"])
        table.drop_column("target")
    op.drop_index("ix_webhook_attempts_outbox_id", table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_endpoints")
