"""drop deferred tasks (slow handlers had no user)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deferred_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deferred_task_status'))
    op.drop_table('deferred_task')


def downgrade() -> None:
    op.create_table('deferred_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inbound_key', sa.String(length=160), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('done_at', models.db.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deferred_task')),
    sa.UniqueConstraint('inbound_key', name=op.f('uq_deferred_task_inbound_key'))
    )
    with op.batch_alter_table('deferred_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deferred_task_status'), ['status'], unique=False)
