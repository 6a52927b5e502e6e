"""heartbeat: the health check's write probe

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeat',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('beat_at', models.db.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeat'))
    )


def downgrade() -> None:
    op.drop_table('heartbeat')
