"""console sessions on the server; scan logins confirmed on the phone

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_key', sa.String(length=40), nullable=False),
    sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('ended_at', models.db.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_session'))
    )
    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_session_account_key'), ['account_key'], unique=False)

    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', models.db.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('console_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_session_account_key'))

    op.drop_table('console_session')
