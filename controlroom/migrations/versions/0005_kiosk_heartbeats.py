"""kiosk_status: each lobby kiosk's last heartbeat (issue 18, the kiosk fleet)

Revision ID: kiosk_heartbeats
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import controlroom.core.db

revision = "kiosk_heartbeats"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "kiosk_status" in sa.inspect(op.get_bind()).get_table_names():
        return  # made by create_all with today's models
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
