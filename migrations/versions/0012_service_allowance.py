"""customer-service allowances; held and combined notices; dropped relays

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_allowance',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('until', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('opened_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_service_allowance'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('carried_by', sa.Integer(), nullable=True))
        batch_op.create_index('ix_outbox_held_openid', ['openid'], unique=False, sqlite_where=sa.text("status = 'held'"), postgresql_where=sa.text("status = 'held'"))
    with op.batch_alter_table('relay', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dropped_at', models.db.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('relay', schema=None) as batch_op:
        batch_op.drop_column('dropped_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_held_openid', sqlite_where=sa.text("status = 'held'"), postgresql_where=sa.text("status = 'held'"))
        batch_op.drop_column('carried_by')
        batch_op.drop_column('subject')
    op.drop_table('service_allowance')
