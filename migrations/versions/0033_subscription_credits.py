"""订阅通知 credits: one message per acceptance, per app, openid and template (issue 26)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'subscription_credit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('app', sa.String(length=20), nullable=False),
        sa.Column('openid', sa.String(length=64), nullable=False),
        sa.Column('template_id', sa.String(length=128), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('credits', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('scene', sa.String(length=20), nullable=True),
        sa.Column('changed_at', models.db.base.UTCDateTime(), nullable=False),
        sa.Column('changed_by', sa.String(length=40), nullable=False),
        sa.Column('surface', sa.String(length=20), nullable=False),
        sa.Column('spent_at', models.db.base.UTCDateTime(), nullable=True),
        sa.Column('spent', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_subscription_credit_member_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_credit')),
        sa.UniqueConstraint('app', 'openid', 'template_id',
                            name=op.f('uq_subscription_credit_app_openid_template_id')),
    )
    op.create_index(op.f('ix_subscription_credit_openid'), 'subscription_credit', ['openid'],
                    unique=False)
    op.create_index(op.f('ix_subscription_credit_member_id'), 'subscription_credit',
                    ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_subscription_credit_member_id'), table_name='subscription_credit')
    op.drop_index(op.f('ix_subscription_credit_openid'), table_name='subscription_credit')
    op.drop_table('subscription_credit')
