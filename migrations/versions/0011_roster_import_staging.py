"""roster imports: staged rows applied in short batches

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('started_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', models.db.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['org.id'],
                            name=op.f('fk_roster_import_parent_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import'))
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_status'), ['status'], unique=False)
    op.create_table('roster_import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('branch', sa.String(length=100), nullable=False),
    sa.Column('group', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_helper', sa.Boolean(), nullable=False),
    sa.Column('needs_help', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'],
                            name=op.f('fk_roster_import_row_import_id_roster_import')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import_row'))
    )
    with op.batch_alter_table('roster_import_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_row_import_id'), ['import_id'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('roster_import_row')
    op.drop_table('roster_import')
