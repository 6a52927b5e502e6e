"""questions forwarded to the branch admin; every piece of study feedback kept

A second 心得 is added, not written over the first.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 14:10:43
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=501), nullable=False),
    sa.Column('asked_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('answered_at', models.db.base.UTCDateTime(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['member.id'], name=op.f('fk_question_answered_by_member')),
    sa.ForeignKeyConstraint(['branch_id'], ['org.id'], name=op.f('fk_question_branch_id_org')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_question_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index('ix_question_branch_open', ['branch_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_member_id'), ['member_id'], unique=False)

    op.create_table('study_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('media_id', sa.String(length=200), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('sent_at', models.db.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['study_record.id'], name=op.f('fk_study_feedback_record_id_study_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_feedback'))
    )
    with op.batch_alter_table('study_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_feedback_record_id'), ['record_id'], unique=False)

    # the one piece a record could hold moves to the new table
    op.execute("INSERT INTO study_feedback (record_id, kind, text, media_id, url, sent_at) "
               "SELECT id, feedback_kind, feedback_text, feedback_media_id, feedback_url, "
               "COALESCE(feedback_at, studied_at) FROM study_record "
               "WHERE feedback_kind IS NOT NULL")
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.drop_column('feedback_url')
        batch_op.drop_column('feedback_kind')
        batch_op.drop_column('feedback_text')
        batch_op.drop_column('feedback_at')
        batch_op.drop_column('feedback_media_id')



def downgrade() -> None:
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_media_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('feedback_at', models.db.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('feedback_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('feedback_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('feedback_url', sa.String(length=500), nullable=True))
    # the latest piece goes back into the record (older pieces are lost on downgrade)
    op.execute("UPDATE study_record SET feedback_kind = f.kind, feedback_text = f.text, "
               "feedback_media_id = f.media_id, feedback_url = f.url, feedback_at = f.sent_at "
               "FROM study_feedback f WHERE f.record_id = study_record.id AND f.id = "
               "(SELECT MAX(g.id) FROM study_feedback g WHERE g.record_id = study_record.id)")

    with op.batch_alter_table('study_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_feedback_record_id'))

    op.drop_table('study_feedback')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_member_id'))
        batch_op.drop_index('ix_question_branch_open')

    op.drop_table('question')
