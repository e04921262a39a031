"""staff accounts kept in the database: who owns an account, and its session version

Revision ID: staff_accounts
Revises: 0004

`origin`: "site" for an account the site file seeds and keeps in step, "db" once
`python -m controlroom users` has added, disabled or reset it (the site file then leaves it
alone). `session_version`: written into every token issued for the account and checked on
every request; disabling the account or resetting its password bumps it, so every token
issued before stops working at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "staff_accounts"
down_revision = "0004"
branch_labels = None
depends_on = None


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("users")}


def upgrade() -> None:
    have = _columns()  # a database made by `create_all` from today's models has them
    with op.batch_alter_table("users") as t:
        if "origin" not in have:
            t.add_column(sa.Column("origin", sa.String(8), nullable=False,
                                   server_default="site"))
        if "session_version" not in have:
            t.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as t:
        t.drop_column("session_version")
        t.drop_column("origin")
