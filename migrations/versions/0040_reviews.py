"""述职评议: review_round, review_reporter, review_voter / review_tally (anonymous 测评), review_item (issue 28)

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('weight_self', sa.Integer(), nullable=False),
    sa.Column('weight_county', sa.Integer(), nullable=False),
    sa.Column('weight_leader', sa.Integer(), nullable=False),
    sa.Column('weight_members', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_review_round_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_round')),
    sa.UniqueConstraint('org_id', 'year', name=op.f('uq_review_round_org_id_year'))
    )
    op.create_table('review_reporter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('grade_self', sa.String(length=4), nullable=True),
    sa.Column('grade_county', sa.String(length=4), nullable=True),
    sa.Column('county_by', sa.String(length=100), nullable=True),
    sa.Column('grade_leader', sa.String(length=4), nullable=True),
    sa.Column('members_score', sa.Float(), nullable=True),
    sa.Column('total', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['member.id'], name=op.f('fk_review_reporter_leader_id_member')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_review_reporter_member_id_member')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_review_reporter_org_id_org')),
    sa.ForeignKeyConstraint(['round_id'], ['review_round.id'], name=op.f('fk_review_reporter_round_id_review_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reporter')),
    sa.UniqueConstraint('round_id', 'member_id', name=op.f('uq_review_reporter_round_id_member_id'))
    )
    with op.batch_alter_table('review_reporter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reporter_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reporter_round_id'), ['round_id'], unique=False)

    op.create_table('review_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_note', sa.String(length=500), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['reporter_id'], ['review_reporter.id'], name=op.f('fk_review_item_reporter_id_review_reporter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_item'))
    )
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_item_reporter_id'), ['reporter_id'], unique=False)

    op.create_table('review_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['review_reporter.id'], name=op.f('fk_review_tally_reporter_id_review_reporter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_tally')),
    sa.UniqueConstraint('reporter_id', 'grade', name=op.f('uq_review_tally_reporter_id_grade'))
    )
    op.create_table('review_voter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['review_reporter.id'], name=op.f('fk_review_voter_reporter_id_review_reporter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_voter')),
    sa.UniqueConstraint('reporter_id', 'voter_key', name=op.f('uq_review_voter_reporter_id_voter_key'))
    )


def downgrade() -> None:
    op.drop_table('review_voter')
    op.drop_table('review_tally')
    with op.batch_alter_table('review_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_item_reporter_id'))

    op.drop_table('review_item')
    with op.batch_alter_table('review_reporter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reporter_round_id'))
        batch_op.drop_index(batch_op.f('ix_review_reporter_org_id'))

    op.drop_table('review_reporter')
    op.drop_table('review_round')
