"""the mini-program API: its users, Bearer tokens, and the member's unionid (issue 26)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not batch mode: on SQLite that copies `member` and drops the old table, and every
    # foreign key into it (attendance, study records …) is checked — a county's install
    # stood still for a quarter of an hour. A nullable column is a plain ALTER TABLE,
    # its uniqueness a unique index (on both databases).
    op.add_column('member', sa.Column('unionid', sa.String(length=64), nullable=True))
    op.create_index('uq_member_unionid', 'member', ['unionid'], unique=True)
    op.create_table('miniprogram_user',
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('unionid', sa.String(length=64), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('first_seen', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('bound_at', models.db.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                            name=op.f('fk_miniprogram_user_member_id_member')),
    sa.PrimaryKeyConstraint('openid', name=op.f('pk_miniprogram_user')),
    sa.UniqueConstraint('member_id', name=op.f('uq_miniprogram_user_member_id'))
    )
    op.create_index(op.f('ix_miniprogram_user_unionid'), 'miniprogram_user', ['unionid'],
                    unique=False)
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', models.db.base.UTCDateTime(), nullable=True),
    sa.Column('window_start', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                            name=op.f('fk_api_token_member_id_member')),
    sa.ForeignKeyConstraint(['openid'], ['miniprogram_user.openid'],
                            name=op.f('fk_api_token_openid_miniprogram_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    op.create_index(op.f('ix_api_token_member_id'), 'api_token', ['member_id'], unique=False)
    op.create_index(op.f('ix_api_token_openid'), 'api_token', ['openid'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_api_token_openid'), table_name='api_token')
    op.drop_index(op.f('ix_api_token_member_id'), table_name='api_token')
    op.drop_table('api_token')
    op.drop_index(op.f('ix_miniprogram_user_unionid'), table_name='miniprogram_user')
    op.drop_table('miniprogram_user')
    op.drop_index('uq_member_unionid', table_name='member')
    with op.batch_alter_table('member') as batch:
        batch.drop_column('unionid')
