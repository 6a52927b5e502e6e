"""console password accounts

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 15:16:19
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', models.db.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_console_user_member_id_member')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_console_user_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_user')),
    sa.UniqueConstraint('login', name=op.f('uq_console_user_login'))
    )


def downgrade() -> None:
    op.drop_table('console_user')
