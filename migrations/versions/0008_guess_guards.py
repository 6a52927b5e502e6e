"""guess guards: wrong binding tries and wrong meeting codes, per openid and purpose

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 11:30:00

The old bind_guard rows are short-lived counters (an hour at most); they are dropped
rather than copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guess_guard',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('locked_until', models.db.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('openid', 'purpose', name=op.f('pk_guess_guard'))
    )
    op.drop_table('bind_guard')


def downgrade() -> None:
    op.create_table('bind_guard',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('locked_until', models.db.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_bind_guard'))
    )
    op.drop_table('guess_guard')
