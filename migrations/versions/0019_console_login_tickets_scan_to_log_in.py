"""console login tickets (scan to log in)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 16:13:36
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_login_ticket',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('scanned_at', models.db.base.UTCDateTime(), nullable=True),
    sa.Column('used_at', models.db.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_console_login_ticket_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_console_login_ticket'))
    )
    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_login_ticket_expires_at'), ['expires_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('console_login_ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_login_ticket_expires_at'))

    op.drop_table('console_login_ticket')
