"""a 新建会议 waiting for the secretary's answer (the hour, or yes to a night start)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pending_meeting',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('waiting', sa.String(length=10), nullable=False),
        sa.Column('date_text', sa.String(length=40), nullable=False),
        sa.Column('time_text', sa.String(length=40), nullable=False),
        sa.Column('starts_at', models.db.base.UTCDateTime(), nullable=True),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_pending_meeting_member_id_member')),
        sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_pending_meeting_org_id_org')),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_pending_meeting')),
    )


def downgrade() -> None:
    op.drop_table('pending_meeting')
