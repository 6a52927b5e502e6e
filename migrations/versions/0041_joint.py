"""joint: 双联双促 pairs, 联促 items and meeting.joint_org_id (issue 28, section 5)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'joint_pair',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['office_id'], ['org.id'],
                                name=op.f('fk_joint_pair_office_id_org')),
        sa.ForeignKeyConstraint(['branch_id'], ['org.id'],
                                name=op.f('fk_joint_pair_branch_id_org')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_pair')),
    )
    with op.batch_alter_table('joint_pair') as batch:
        batch.create_index(batch.f('ix_joint_pair_office_id'), ['office_id'], unique=False)
        batch.create_index(batch.f('ix_joint_pair_branch_id'), ['branch_id'], unique=False)
        batch.create_index('uq_joint_pair_live', ['office_id', 'branch_id'], unique=True,
                           sqlite_where=sa.text('ended_at IS NULL'),
                           postgresql_where=sa.text('ended_at IS NULL'))
    op.create_table(
        'joint_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pair_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('owner', sa.String(length=100), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by', sa.String(length=100), nullable=True),
        sa.Column('close_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['pair_id'], ['joint_pair.id'],
                                name=op.f('fk_joint_item_pair_id_joint_pair')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_item')),
    )
    with op.batch_alter_table('joint_item') as batch:
        batch.create_index(batch.f('ix_joint_item_pair_id'), ['pair_id'], unique=False)
    # Not batch mode on `meeting` (see 0034): a copied table on SQLite checks every
    # foreign key into it. A nullable column is a plain ALTER TABLE; SQLite takes its
    # foreign key inline (REFERENCES), PostgreSQL as a named constraint.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE meeting ADD COLUMN joint_org_id INTEGER '
                   'CONSTRAINT fk_meeting_joint_org_id_org REFERENCES org (id)')
    else:
        op.add_column('meeting', sa.Column('joint_org_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_meeting_joint_org_id_org'), 'meeting', 'org',
                              ['joint_org_id'], ['id'])
    op.create_index('ix_meeting_joint_org_id_starts_at', 'meeting',
                    ['joint_org_id', 'starts_at'], unique=False)

def downgrade() -> None:
    op.drop_index('ix_meeting_joint_org_id_starts_at', table_name='meeting')
    with op.batch_alter_table('meeting') as batch:  # the column's foreign key goes with it
        batch.drop_column('joint_org_id')
    op.drop_table('joint_item')
    op.drop_table('joint_pair')
