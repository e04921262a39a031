"""lost and found, wake-up calls, bookings, visitors (issue 16)

Revision ID: concierge
Revises: resident_register

A database made by `create_all` from today's models already has these tables and keeps them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "concierge"
down_revision = "resident_register"
branch_labels = None
depends_on = None

TABLES = ("found_items", "wakeup_calls", "bookings", "visitors")


def upgrade() -> None:
    if set(TABLES) <= set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "found_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=128), nullable=False),
        sa.Column("found_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("found_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("storage", sa.String(length=32), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimant", sa.String(length=128), nullable=True),
        sa.Column("claimant_unit", sa.String(length=32), nullable=True),
        sa.Column("claimant_id_number", sa.String(length=32), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_found_items_state", "found_items", ["state"])
    op.create_table(
        "wakeup_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("told_due", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wakeup_calls_unit", "wakeup_calls", ["unit"])
    op.create_index("ix_wakeup_calls_at", "wakeup_calls", ["at"])
    op.create_index("ix_wakeup_calls_state", "wakeup_calls", ["state"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", UTCDateTime(timezone=True), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("slot_key", sa.String(length=96), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot_key"),
    )
    op.create_index("ix_bookings_start", "bookings", ["start"])
    op.create_index("ix_bookings_unit", "bookings", ["unit"])
    op.create_table(
        "visitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("expected_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("arrived_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("id_last4", sa.String(length=4), nullable=True),
        sa.Column("left_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visitors_unit", "visitors", ["unit"])
    op.create_index("ix_visitors_expected_at", "visitors", ["expected_at"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
