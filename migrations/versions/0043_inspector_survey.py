"""inspector (巡视组) and the members' satisfaction survey with anonymous tallies (issue 28)

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('quorum', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('closed_at', models.db.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_survey_org_id_org')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_year'), ['year'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    sa.UniqueConstraint('survey_id', 'position', name=op.f('uq_survey_question_survey_id_position'))
    )
    op.create_table('survey_respondent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_survey_respondent_member_id_member')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_survey_respondent_org_id_org')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_respondent_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_respondent')),
    sa.UniqueConstraint('survey_id', 'member_id', name=op.f('uq_survey_respondent_survey_id_member_id'))
    )
    with op.batch_alter_table('survey_respondent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_respondent_org_id'), ['org_id'], unique=False)

    op.create_table('survey_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_survey_target_org_id_org')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_target_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_target')),
    sa.UniqueConstraint('survey_id', 'org_id', name=op.f('uq_survey_target_survey_id_org_id'))
    )
    with op.batch_alter_table('survey_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_target_org_id'), ['org_id'], unique=False)

    op.create_table('inspector',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('console_user_id', sa.Integer(), nullable=True),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('added_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['console_user_id'], ['console_user.id'], name=op.f('fk_inspector_console_user_id_console_user')),
    sa.ForeignKeyConstraint(['county_id'], ['org.id'], name=op.f('fk_inspector_county_id_org')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_inspector_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspector')),
    sa.UniqueConstraint('console_user_id', name=op.f('uq_inspector_console_user_id')),
    sa.UniqueConstraint('member_id', name=op.f('uq_inspector_member_id'))
    )
    op.create_table('survey_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_survey_tally_org_id_org')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_tally_question_id_survey_question')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_tally_survey_id_survey')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_tally')),
    sa.UniqueConstraint('survey_id', 'org_id', 'question_id', 'choice', name=op.f('uq_survey_tally_survey_id_org_id_question_id_choice'))
    )
    with op.batch_alter_table('survey_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_tally_org_id'), ['org_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_tally_org_id'))

    op.drop_table('survey_tally')
    op.drop_table('inspector')
    with op.batch_alter_table('survey_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_target_org_id'))

    op.drop_table('survey_target')
    with op.batch_alter_table('survey_respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_respondent_org_id'))

    op.drop_table('survey_respondent')
    op.drop_table('survey_question')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_year'))
        batch_op.drop_index(batch_op.f('ix_survey_org_id'))

    op.drop_table('survey')
