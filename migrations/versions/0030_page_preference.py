"""a member's font size on their pages (issue 26)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('page_preference',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('font_size', sa.String(length=10), nullable=False),
    sa.Column('changed_at', models.db.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                            name=op.f('fk_page_preference_member_id_member'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_page_preference'))
    )


def downgrade() -> None:
    op.drop_table('page_preference')
