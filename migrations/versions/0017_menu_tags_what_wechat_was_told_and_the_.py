"""menu tags: what WeChat was told, and the tag ids

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 15:03:47
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('menu_tag',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('tagged_at', models.db.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_menu_tag'))
    )
    op.create_table('wechat_tag',
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('role', name=op.f('pk_wechat_tag'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_tag_openid', ['openid'], unique=False,
                              sqlite_where=sa.text("channel = 'tag'"),
                              postgresql_where=sa.text("channel = 'tag'"))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_tag_openid')
    op.drop_table('wechat_tag')
    op.drop_table('menu_tag')
