"""the quarantine, inspectable: the last rejected messages per reason (issue 17)

Revision ID: quarantine
Revises: satisfaction_survey
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "quarantine"
down_revision = "satisfaction_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("gateway", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("device", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        if_not_exists=True,
    )
    op.create_index("ix_quarantine_reason_at", "quarantine_entries", ["reason", "at"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_quarantine_reason_at", table_name="quarantine_entries")
    op.drop_table("quarantine_entries")
