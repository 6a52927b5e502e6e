"""leave said in a sentence waits for the member's 「是」 (issue 25)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('leave_proposal',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('asked_at', models.db.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                            name=op.f('fk_leave_proposal_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                            name=op.f('fk_leave_proposal_member_id_member')),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_leave_proposal'))
    )


def downgrade() -> None:
    op.drop_table('leave_proposal')
