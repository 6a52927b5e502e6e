"""roster import placements

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27 17:22:56
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placements', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_column('placements')

