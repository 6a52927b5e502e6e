"""audit entries say which surface a change came from (chat, console, CLI, job)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every entry before this revision was written by the console.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('surface', sa.String(length=10), nullable=False,
                                      server_default='console'))
        batch_op.create_index('ix_audit_entry_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_at')
        batch_op.drop_column('surface')
