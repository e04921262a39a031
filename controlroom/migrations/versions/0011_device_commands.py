"""device commands from the console, relayed by the gateway, confirmed by the device (issue 17)

Revision ID: device_commands
Revises: quarantine
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "device_commands"
down_revision = "quarantine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_commands",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("cmd", sa.String(32), nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id"), nullable=True),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        if_not_exists=True,
    )
    op.create_index("ix_device_commands_device", "device_commands", ["device"],
                    if_not_exists=True)
    op.create_index("ix_device_commands_state", "device_commands", ["state", "requested_at"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_device_commands_state", table_name="device_commands")
    op.drop_index("ix_device_commands_device", table_name="device_commands")
    op.drop_table("device_commands")
