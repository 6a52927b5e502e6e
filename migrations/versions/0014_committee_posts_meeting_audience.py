"""committee posts and the roster's own 需帮扶 words on members; who a meeting invites

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 14:22:31
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=10), server_default='all', nullable=False))

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_help_note', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('committee_posts', sa.String(length=60), nullable=True))

    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_help_note', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('committee_posts', sa.String(length=60), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.drop_column('committee_posts')
        batch_op.drop_column('needs_help_note')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('committee_posts')
        batch_op.drop_column('needs_help_note')

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('audience')

