"""lockout counts in the database, shared by the replicas

Wrong staff passwords, kiosk PINs and pickup codes were counted in each process's memory, so
two replicas behind one load balancer gave a guesser twice the tries.

Revision ID: shared_lockouts
Revises: key_declaration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "shared_lockouts"
down_revision = "key_declaration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "lockout_counts" in sa.inspect(op.get_bind()).get_table_names():
        return  # made by `create_all` from today's models
    op.create_table(
        "lockout_counts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_lockout_counts_updated_at", "lockout_counts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_lockout_counts_updated_at", table_name="lockout_counts")
    op.drop_table("lockout_counts")
