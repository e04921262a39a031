"""a partial index for the alarm board: unresolved alerts by priority and age

Revision ID: 0004
Revises: 0003

`GET /api/alerts?state=open` asks for `state <> 'resolved'`, which no b-tree on `state` can
serve: with 100,000 alerts stored it scanned them all (see docs/benchmarks.md). Indexing only
the unresolved rows keeps the index as small as the board, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WHERE = sa.text("state <> 'resolved'")


def upgrade() -> None:
    # IF NOT EXISTS: a database made by `create_all` from today's models (stamped 0001 by
    # `migrate`) already has it.
    op.create_index("ix_alerts_unresolved", "alerts", ["priority", "raised_at", "id"],
                    postgresql_where=WHERE, sqlite_where=WHERE, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_alerts_unresolved", table_name="alerts")
