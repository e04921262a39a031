"""the resident register: residents of each flat, kept by the desk (issue 16)

Revision ID: resident_register
Revises: notifications

Seeded once from the site file when the control room starts (register.seed_from_site). A
database made by `create_all` from today's models already has the table and keeps it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import controlroom.core.db

revision = "resident_register"
down_revision = "notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "residents" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("phone2", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("elderly_alone", sa.Boolean(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("card", sa.String(length=32), nullable=True),
        sa.Column("pin_hash", sa.String(length=256), nullable=True),
        sa.Column("pin_reset_hash", sa.String(length=64), nullable=True),
        sa.Column("pin_reset_expires", controlroom.core.db.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column("moved_in", sa.Date(), nullable=False),
        sa.Column("moved_out", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_residents_unit", "residents", ["unit"])
    op.create_index("ix_residents_card", "residents", ["card"])
    op.create_index("ix_residents_moved_out", "residents", ["moved_out"])


def downgrade() -> None:
    op.drop_table("residents")
