"""assessment_mark: self-check and inspection scores per clause and org (issue 28)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assessment_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('clause_key', sa.String(length=40), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('given_by', sa.String(length=100), nullable=False),
        sa.Column('given_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_assessment_mark_org_id_org')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_mark')),
        sa.UniqueConstraint('year', 'clause_key', 'org_id', 'source',
                            name=op.f('uq_assessment_mark_year_clause_key_org_id_source')),
    )
    with op.batch_alter_table('assessment_mark') as batch:
        batch.create_index(batch.f('ix_assessment_mark_org_id'), ['org_id'], unique=False)
        batch.create_index(batch.f('ix_assessment_mark_year'), ['year'], unique=False)


def downgrade() -> None:
    op.drop_table('assessment_mark')
