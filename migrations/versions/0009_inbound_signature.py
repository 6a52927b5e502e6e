"""inbound messages remember the plain-mode signature they came with

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 12:00:00

A plain-mode signature covers the timestamp and nonce, not the body: one signed query
was accepted with 20 different bodies. Unique, so a second body is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_inbound_message_signature'),
                                          ['signature'])


def downgrade() -> None:
    with op.batch_alter_table('inbound_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_inbound_message_signature'), type_='unique')
        batch_op.drop_column('signature')
