"""login tickets remember their client address; a meeting keeps its check-in QR code

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client', sa.String(length=45), nullable=True))
        batch_op.create_index('ix_console_login_ticket_client_created_at',
                              ['client', 'created_at'], unique=False)

    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qr_url', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('qr_expires_at', models.db.base.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('qr_expires_at')
        batch_op.drop_column('qr_url')

    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_console_login_ticket_client_created_at')
        batch_op.drop_column('client')
