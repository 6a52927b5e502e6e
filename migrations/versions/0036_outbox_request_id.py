"""outbox.request_id: the request or job run that queued each notice (issue 27, logs)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column is a plain ALTER TABLE on both databases: batch mode would copy
    # the outbox, the largest table, on SQLite. No index: the id is followed in the logs,
    # and a fan-out of tens of thousands of rows would pay for one on every insert.
    op.add_column('outbox', sa.Column('request_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('request_id')
