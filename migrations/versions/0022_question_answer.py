"""question answer

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27 17:28:59
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('answer')

