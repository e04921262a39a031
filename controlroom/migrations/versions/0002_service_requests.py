"""service requests and their history; the kiosk's resident sessions and one-time codes

Revision ID: 0002
Revises: 0001

A database made by the walking skeleton's `create_all` after these models existed already has
the tables (it is stamped 0001, then upgraded): a table that is there is left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import controlroom.core.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "resident_codes" not in existing:
        _resident_codes()
    if "resident_sessions" not in existing:
        _resident_sessions()
    if "service_requests" not in existing:
        _service_requests()
    if "service_request_history" not in existing:
        _service_request_history()


def _resident_codes() -> None:
    op.create_table('resident_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('kiosk', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resident_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_codes_unit'), ['unit'], unique=False)


def _resident_sessions() -> None:
    op.create_table('resident_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('kiosk', sa.String(length=64), nullable=False),
    sa.Column('name_masked', sa.String(length=64), nullable=False),
    sa.Column('created_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('resident_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_sessions_ends_at'), ['ends_at'],
                              unique=False)


def _service_requests() -> None:
    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('site', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('building', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=True),
    sa.Column('item', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('title_zh', sa.String(length=128), nullable=False),
    sa.Column('title_en', sa.String(length=128), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('department', sa.String(length=64), nullable=True),
    sa.Column('assignee', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('promises', sa.JSON(), nullable=False),
    sa.Column('next_promise', sa.String(length=16), nullable=True),
    sa.Column('next_due', controlroom.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('watch_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('escalated', sa.JSON(), nullable=False),
    sa.Column('rating_attitude', sa.Integer(), nullable=True),
    sa.Column('rating_quality', sa.Integer(), nullable=True),
    sa.Column('rating_punctuality', sa.Integer(), nullable=True),
    sa.Column('resident_confirmed', sa.Boolean(), nullable=False),
    sa.Column('closed_at', controlroom.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_owner'), ['owner'], unique=False)
        batch_op.create_index('ix_service_requests_queue', ['state', 'overdue', 'next_due'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_unit'), ['unit'], unique=False)
        batch_op.create_index('ix_service_requests_watch', ['watch_at'], unique=False)


def _service_request_history() -> None:
    op.create_table('service_request_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', controlroom.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['service_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_request_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_request_history_request_id'),
                              ['request_id'], unique=False)


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('service_request_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_request_history_request_id'))

    op.drop_table('service_request_history')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_service_requests_watch')
        batch_op.drop_index(batch_op.f('ix_service_requests_unit'))
        batch_op.drop_index('ix_service_requests_queue')
        batch_op.drop_index(batch_op.f('ix_service_requests_owner'))

    op.drop_table('service_requests')
    with op.batch_alter_table('resident_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_sessions_ends_at'))

    op.drop_table('resident_sessions')
    with op.batch_alter_table('resident_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_codes_unit'))

    op.drop_table('resident_codes')
    # ### end Alembic commands ###
