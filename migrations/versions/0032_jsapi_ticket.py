"""the shared JS-SDK ticket (jsapi_ticket), beside the access token (issue 26)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jsapi_ticket',
    sa.Column('app_id', sa.String(length=64), nullable=False),
    sa.Column('ticket', sa.String(length=512), nullable=False),
    sa.Column('expires_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('fetched_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('app_id', name=op.f('pk_jsapi_ticket'))
    )


def downgrade() -> None:
    op.drop_table('jsapi_ticket')
