"""the notification outbox (ARCHITECTURE §10)

Revision ID: notifications
Revises: staff_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "notifications"
down_revision = "staff_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("about", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(32), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered", sa.JSON(), nullable=False),
        if_not_exists=True,
    )
    op.create_index("ix_notifications_due", "notifications", ["next_attempt_at"],
                    if_not_exists=True)
    op.create_index("ix_notifications_state", "notifications", ["state", "created_at"],
                    if_not_exists=True)
    op.create_index("ix_notifications_unit", "notifications", ["unit", "created_at"],
                    if_not_exists=True)


def downgrade() -> None:
    op.drop_table("notifications")
