"""study photos kept in partybot's storage: each item image links its stored file, and a
chat photo waits for the copy job (issue 26)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.db.base

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('study_item_image', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_file_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('copy_state', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('copy_tries', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('copy_next_at', models.db.base.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('copy_note', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_study_item_image_stored_file_id_stored_file'), 'stored_file',
            ['stored_file_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_study_item_image_copy_state_copy_next_at',
                              ['copy_state', 'copy_next_at'], unique=False)
    # The console's photos are stored files already (named at the end of their URL):
    # linked. A chat photo waits for the copy job, which tries WeChat once more (its
    # picture URL outlives the media id); a console URL with no file left stays a link.
    op.execute(
        "UPDATE study_item_image SET stored_file_id = (SELECT stored_file.id FROM stored_file "
        "WHERE stored_file.owner = 'study' AND stored_file.owner_id = study_item_image.item_id "
        "AND study_item_image.pic_url LIKE '%/' || stored_file.name) "
        "WHERE pic_url IS NOT NULL")
    op.execute("UPDATE study_item_image SET copy_state = 'stored' "
               "WHERE stored_file_id IS NOT NULL")
    op.execute("UPDATE study_item_image SET copy_state = 'link', copy_note = 'gone' "
               "WHERE stored_file_id IS NULL AND pic_url LIKE '%/study-image/%'")
    op.execute("UPDATE study_item_image SET copy_state = 'pending', "
               "copy_next_at = (SELECT created_at FROM study_item "
               "WHERE study_item.id = study_item_image.item_id) "
               "WHERE copy_state IS NULL AND (media_id IS NOT NULL OR pic_url IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('study_item_image', schema=None) as batch_op:
        batch_op.drop_index('ix_study_item_image_copy_state_copy_next_at')
        batch_op.drop_constraint(batch_op.f('fk_study_item_image_stored_file_id_stored_file'),
                                 type_='foreignkey')
        batch_op.drop_column('copy_note')
        batch_op.drop_column('copy_next_at')
        batch_op.drop_column('copy_tries')
        batch_op.drop_column('copy_state')
        batch_op.drop_column('stored_file_id')
