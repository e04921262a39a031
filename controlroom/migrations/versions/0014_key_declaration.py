"""key custody declaration: signer, ID checked, scan or drawn signature

Issue 16: the ID is kept as its type and last 4 characters only; the file in declaration_file.

Revision ID: key_declaration
Revises: run_for_years
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "key_declaration"
down_revision = "run_for_years"
branch_labels = None
depends_on = None

COLUMNS = [
    ("signer_name", sa.String(length=128)),
    ("signer_id_type", sa.String(length=16)),
    ("signer_id_last4", sa.String(length=4)),
    ("declaration_kind", sa.String(length=8)),
    ("declaration_media_type", sa.String(length=32)),
]


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("key_custody")}
    with op.batch_alter_table("key_custody") as t:
        for name, type_ in COLUMNS:
            if name not in have:
                t.add_column(sa.Column(name, type_, nullable=False, server_default=""))
        if "declaration_file" not in have:
            t.add_column(sa.Column("declaration_file", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("key_custody") as t:
        t.drop_column("declaration_file")
        for name, _ in reversed(COLUMNS):
            t.drop_column(name)
