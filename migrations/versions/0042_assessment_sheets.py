"""assessment_scheme, assessment_sheet_line: a year's scheme and its frozen sheets; an index
of study records by member and item for the study_rate measure (issue 28)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assessment_scheme',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.Column('loaded_by', sa.String(length=100), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_assessment_scheme')),
    )
    op.create_table(
        'assessment_sheet_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('item_title', sa.String(length=100), nullable=False),
        sa.Column('clause_key', sa.String(length=40), nullable=False),
        sa.Column('clause_title', sa.String(length=200), nullable=False),
        sa.Column('points', sa.Float(), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('detail', sa.String(length=300), nullable=False),
        sa.Column('counted', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['org_id'], ['org.id'],
                                name=op.f('fk_assessment_sheet_line_org_id_org')),
        sa.ForeignKeyConstraint(['year'], ['assessment_scheme.year'],
                                name=op.f('fk_assessment_sheet_line_year_assessment_scheme')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_sheet_line')),
    )
    with op.batch_alter_table('assessment_sheet_line') as batch:
        batch.create_index('ix_assessment_sheet_line_year_org_id', ['year', 'org_id'],
                           unique=False)
    with op.batch_alter_table('study_record') as batch:
        batch.create_index('ix_study_record_member_id_item_id', ['member_id', 'item_id'],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table('study_record') as batch:
        batch.drop_index('ix_study_record_member_id_item_id')
    op.drop_table('assessment_sheet_line')
    op.drop_table('assessment_scheme')
