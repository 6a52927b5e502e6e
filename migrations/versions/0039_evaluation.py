"""evaluation: 民主评议党员 — rounds, who is evaluated, who votes, who has voted, ballots
(issue 28)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluation_round',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by', sa.String(length=100), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by', sa.String(length=100), nullable=True),
        sa.Column('over_cap_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['branch_id'], ['org.id'],
                                name=op.f('fk_evaluation_round_branch_id_org')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_round')),
    )
    with op.batch_alter_table('evaluation_round') as batch:
        batch.create_index(batch.f('ix_evaluation_round_branch_id'), ['branch_id'], unique=False)
        batch.create_index('uq_evaluation_round_open_branch', ['branch_id'], unique=True,
                           sqlite_where=sa.text('closed_at IS NULL'),
                           postgresql_where=sa.text('closed_at IS NULL'))
    op.create_table(
        'evaluation_subject',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('self_text', sa.Text(), nullable=True),
        sa.Column('self_voice', sa.String(length=200), nullable=True),
        sa.Column('self_at', sa.DateTime(), nullable=True),
        sa.Column('voice_until', sa.DateTime(), nullable=True),
        sa.Column('excellent', sa.Integer(), nullable=True),
        sa.Column('qualified', sa.Integer(), nullable=True),
        sa.Column('basic', sa.Integer(), nullable=True),
        sa.Column('unqualified', sa.Integer(), nullable=True),
        sa.Column('determination', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_evaluation_subject_member_id_member')),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_evaluation_subject_round_id_evaluation_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_subject')),
        sa.UniqueConstraint('round_id', 'member_id',
                            name=op.f('uq_evaluation_subject_round_id_member_id')),
    )
    with op.batch_alter_table('evaluation_subject') as batch:
        batch.create_index(batch.f('ix_evaluation_subject_member_id'), ['member_id'],
                           unique=False)
        batch.create_index(batch.f('ix_evaluation_subject_round_id'), ['round_id'], unique=False)
    op.create_table(
        'evaluation_voter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id'],
                                name=op.f('fk_evaluation_voter_member_id_member')),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_evaluation_voter_round_id_evaluation_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_voter')),
        sa.UniqueConstraint('round_id', 'member_id',
                            name=op.f('uq_evaluation_voter_round_id_member_id')),
    )
    with op.batch_alter_table('evaluation_voter') as batch:
        batch.create_index(batch.f('ix_evaluation_voter_round_id'), ['round_id'], unique=False)
    op.create_table(
        'evaluation_voted',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('voter_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=10), nullable=False),
        sa.Column('entered_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_evaluation_voted_round_id_evaluation_round')),
        sa.ForeignKeyConstraint(['subject_id'], ['member.id'],
                                name=op.f('fk_evaluation_voted_subject_id_member')),
        sa.ForeignKeyConstraint(['voter_id'], ['member.id'],
                                name=op.f('fk_evaluation_voted_voter_id_member')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_voted')),
        sa.UniqueConstraint('round_id', 'voter_id', 'subject_id',
                            name=op.f('uq_evaluation_voted_round_id_voter_id_subject_id')),
    )
    with op.batch_alter_table('evaluation_voted') as batch:
        batch.create_index(batch.f('ix_evaluation_voted_round_id'), ['round_id'], unique=False)
    op.create_table(
        'evaluation_ballot',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('ballot_key', sa.String(length=64), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['evaluation_round.id'],
                                name=op.f('fk_evaluation_ballot_round_id_evaluation_round')),
        sa.ForeignKeyConstraint(['subject_id'], ['member.id'],
                                name=op.f('fk_evaluation_ballot_subject_id_member')),
        sa.PrimaryKeyConstraint('round_id', 'ballot_key', 'subject_id',
                                name=op.f('pk_evaluation_ballot')),
    )


def downgrade() -> None:
    op.drop_table('evaluation_ballot')
    op.drop_table('evaluation_voted')
    op.drop_table('evaluation_voter')
    op.drop_table('evaluation_subject')
    op.drop_table('evaluation_round')
