"""rectify_branch, rectify_problem, rectify_milestone: the 整顿台账 of weak branches (issue 28)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 02:55:08.961383
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rectify_branch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('marked_by', sa.String(length=100), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['org.id'], name=op.f('fk_rectify_branch_branch_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectify_branch')),
    sa.UniqueConstraint('branch_id', 'year', name=op.f('uq_rectify_branch_branch_id_year'))
    )
    with op.batch_alter_table('rectify_branch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectify_branch_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectify_branch_year'), ['year'], unique=False)

    op.create_table('rectify_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weak_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('owner_name', sa.String(length=50), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('lead_unit', sa.String(length=100), nullable=False),
    sa.Column('departments', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('reopen_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['org.id'], name=op.f('fk_rectify_problem_branch_id_org')),
    sa.ForeignKeyConstraint(['leader_id'], ['member.id'], name=op.f('fk_rectify_problem_leader_id_member')),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], name=op.f('fk_rectify_problem_owner_id_member')),
    sa.ForeignKeyConstraint(['weak_id'], ['rectify_branch.id'], name=op.f('fk_rectify_problem_weak_id_rectify_branch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectify_problem'))
    )
    with op.batch_alter_table('rectify_problem', schema=None) as batch_op:
        batch_op.create_index('ix_rectify_problem_branch_id_deadline', ['branch_id', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectify_problem_weak_id'), ['weak_id'], unique=False)

    op.create_table('rectify_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['problem_id'], ['rectify_problem.id'], name=op.f('fk_rectify_milestone_problem_id_rectify_problem')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectify_milestone'))
    )
    with op.batch_alter_table('rectify_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectify_milestone_problem_id'), ['problem_id'], unique=False)


def downgrade() -> None:
    op.drop_table('rectify_milestone')
    op.drop_table('rectify_problem')
    op.drop_table('rectify_branch')
