"""kiosk heartbeats and an index for retention (issue 18)

kiosk_status holds each lobby kiosk's last heartbeat; the index on ingested_signals.at lets
the retention job delete old idempotency keys by age.

Revision ID: run_for_years
Revises: roll_and_drills
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import controlroom.core.db

revision = "run_for_years"
down_revision = "roll_and_drills"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # IF NOT EXISTS: a database made by `create_all` from today's models already has both.
    op.create_index("ix_ingested_signals_at", "ingested_signals", ["at"], if_not_exists=True)
    if "kiosk_status" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "kiosk_status",
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("last_seen", controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("uptime_s", sa.Float(), nullable=False),
        sa.Column("readers", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kiosk"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_status")
    op.drop_index("ix_ingested_signals_at", table_name="ingested_signals")
