"""a forgotten member (issue 27, personal data on request): when they were forgotten

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not batch mode (see 0034): a nullable column is a plain ALTER TABLE on SQLite too,
    # and `member` is not copied.
    op.add_column('member', sa.Column('forgotten_at', models.db.base.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('forgotten_at')
