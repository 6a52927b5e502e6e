"""post drafts, item photos, withdrawn items

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 14:57:05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('post_draft',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('media_link', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('publish_at', models.db.base.UTCDateTime(), nullable=True),
    sa.Column('duplicate_of', sa.Integer(), nullable=True),
    sa.Column('started_at', models.db.base.UTCDateTime(), nullable=False),
    sa.Column('touched_at', models.db.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_post_draft_member_id_member')),
    sa.ForeignKeyConstraint(['org_id'], ['org.id'], name=op.f('fk_post_draft_org_id_org')),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_post_draft'))
    )
    with op.batch_alter_table('post_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_draft_touched_at'), ['touched_at'], unique=False)

    op.create_table('post_draft_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.String(length=200), nullable=True),
    sa.Column('pic_url', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['post_draft.member_id'], name=op.f('fk_post_draft_image_member_id_post_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_draft_image'))
    )
    with op.batch_alter_table('post_draft_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_draft_image_member_id'), ['member_id'], unique=False)

    op.create_table('study_item_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.String(length=200), nullable=True),
    sa.Column('pic_url', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['study_item.id'], name=op.f('fk_study_item_image_item_id_study_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_study_item_image'))
    )
    with op.batch_alter_table('study_item_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_item_image_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('study_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', models.db.base.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('study_item', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('study_item_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_item_image_item_id'))

    op.drop_table('study_item_image')
    with op.batch_alter_table('post_draft_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_draft_image_member_id'))

    op.drop_table('post_draft_image')
    with op.batch_alter_table('post_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_draft_touched_at'))

    op.drop_table('post_draft')
