"""the roll of a building's flats on an incident, and drills (issue 17)

Revision ID: roll_and_drills
Revises: device_commands
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "roll_and_drills"
down_revision = "device_commands"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roll_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.UniqueConstraint("alert_id", "unit", name="uq_roll_mark_unit"),
        if_not_exists=True,
    )
    op.create_index("ix_roll_marks_alert_id", "roll_marks", ["alert_id"], if_not_exists=True)
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("building", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("drills")
    op.drop_index("ix_roll_marks_alert_id", table_name="roll_marks")
    op.drop_table("roll_marks")
