"""the six-monthly satisfaction survey's answers (issue 16)

Revision ID: satisfaction_survey
Revises: concierge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from controlroom.core.db import UTCDateTime

revision = "satisfaction_survey"
down_revision = "concierge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "survey_answers" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("attitude", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("punctuality", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "unit", name="uq_survey_answers_period_unit"),
    )
    op.create_index("ix_survey_answers_period", "survey_answers", ["period"])


def downgrade() -> None:
    op.drop_table("survey_answers")
