"""fee charges for paid orders; how a kiosk session was opened (pin, otp, card)

Issue 16: a fixed-price order is charged to the flat (pending, billed when completed, void if
cancelled); a card session may collect a held item without its pickup code. A database made
by `create_all` from today's models already has both and keeps them.

Revision ID: order_charges
Revises: shared_lockouts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "order_charges"
down_revision = "shared_lockouts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "fee_charges" not in inspector.get_table_names():
        op.create_table(
            "fee_charges",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(length=32), nullable=False),
            sa.Column("request_id", sa.Integer(), nullable=False),
            sa.Column("request_number", sa.String(length=32), nullable=False),
            sa.Column("label_zh", sa.String(length=100), nullable=False),
            sa.Column("label_en", sa.String(length=100), nullable=False),
            sa.Column("amount_fen", sa.Integer(), nullable=False),
            sa.Column("state", sa.String(length=8), nullable=False),
            sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
            sa.Column("billed_at", UTCDateTime(timezone=True), nullable=True),
            sa.Column("due", sa.Date(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("request_id"),
        )
        op.create_index("ix_fee_charges_unit", "fee_charges", ["unit"])
    have = {c["name"] for c in inspector.get_columns("resident_sessions")}
    if "method" not in have:
        with op.batch_alter_table("resident_sessions") as t:
            # Sessions open when the schema changes were opened by PIN as far as anyone knows.
            t.add_column(sa.Column("method", sa.String(length=8), nullable=False,
                                   server_default="pin"))


def downgrade() -> None:
    with op.batch_alter_table("resident_sessions") as t:
        t.drop_column("method")
    op.drop_index("ix_fee_charges_unit", table_name="fee_charges")
    op.drop_table("fee_charges")
