"""stored files: uploaded photos with their org, size and owner (upload quotas)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Photos stored before this table are adopted by the upkeep sweep (it reads their
    # sizes from disk): a migration does not know where the instance folder is.
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('stored_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('stored_by', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_stored_file_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('owner', 'owner_id', 'name', name=op.f('uq_stored_file_owner_owner_id_name'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index('ix_stored_file_org_id_stored_at', ['org_id', 'stored_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_file_org_id_stored_at')

    op.drop_table('stored_file')
