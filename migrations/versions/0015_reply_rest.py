"""the rest of a long reply, kept for 更多

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 14:28:35
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reply_rest',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('saved_at', models.db.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_reply_rest'))
    )


def downgrade() -> None:
    op.drop_table('reply_rest')
