"""The study tables: items, their photos, who studied, feedback, views, and posts
waiting for their time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, utcnow
from models.members.org_tables import Org
from models.members.tables import Member

TITLE_MAX = 64
# WeChat caps a text message at 2048 bytes; 600 Chinese characters plus the title and
# the footer stay under it.
BODY_MAX = 600
LINK_MAX = 500
FEEDBACK_WINDOW = timedelta(minutes=10)
VIEW_MEMORY = timedelta(days=1)  # 已学 means the item opened within this


class StudyItem(Base):
    """One piece of study content for an org's subtree (the audience)."""

    __tablename__ = "study_item"
    __table_args__ = (Index("ix_study_item_org_id_publish_at", "org_id", "publish_at"),
                      Index("ix_study_item_push", "pushed_at", "push_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    media_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    source: Mapped[str | None] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime())
    push_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when members are told
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # 撤回: members who have not studied it no longer see or get it; records stay.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    images: Mapped[list[StudyItemImage]] = relationship(order_by="StudyItemImage.id")
    # Read-only: posting writes the ids.
    org: Mapped[Org] = relationship(viewonly=True)
    author: Mapped[Member | None] = relationship(viewonly=True)

    @property
    def summary(self) -> str:
        """The first 60 characters of the body (for news replies and notices)."""
        return summarize(self.body)


class StudyItemImage(Base):
    """A photo of an item: WeChat's media id and its picture URL (a chat draft's), and
    the stored file it is served from once kept (models.study.photo_copies): a chat
    photo is copied by a job soon after posting, a console photo is stored already."""

    __tablename__ = "study_item_image"
    __table_args__ = (Index("ix_study_item_image_copy_state_copy_next_at",
                            "copy_state", "copy_next_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("study_item.id"), index=True)
    media_id: Mapped[str | None] = mapped_column(String(200))
    pic_url: Mapped[str | None] = mapped_column(String(LINK_MAX))
    # The kept copy (None: not kept, or let go with a withdrawn item).
    stored_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL"))
    # pending (to copy) / stored / link (kept as WeChat's link: over quota, gave up …)
    copy_state: Mapped[str | None] = mapped_column(String(10))
    copy_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    copy_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    copy_note: Mapped[str | None] = mapped_column(String(40))  # why kept as a link


class StudyRecord(Base):
    """A member studied an item (once per member and item), with optional feedback."""

    __tablename__ = "study_record"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),
                      Index("ix_study_record_member_id_studied_at", "member_id", "studied_at"),
                      # the assessment's study_rate: a branch's members' records, in
                      # member order, without reading the rows (models.study.measures)
                      Index("ix_study_record_member_id_item_id", "member_id", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("study_item.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    studied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    via: Mapped[str] = mapped_column(String(10), default="self")  # self / helper
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    item: Mapped[StudyItem] = relationship()
    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    # The helper who marked it studied for the member (via "helper"), read-only.
    helper: Mapped[Member | None] = relationship(foreign_keys=[helper_id], viewonly=True)
    feedback: Mapped[list[StudyFeedback]] = relationship(
        order_by="StudyFeedback.id", back_populates="record")


class StudyFeedback(Base):
    """One piece of feedback on a study record — a 心得 in words, a photo, a voice
    message, or a helper's proof of a relay. A second piece is added, never replacing
    the first."""

    __tablename__ = "study_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("study_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # text / image / voice
    text: Mapped[str | None] = mapped_column(Text)
    media_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(LINK_MAX))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    record: Mapped[StudyRecord] = relationship(back_populates="feedback")


class StudyView(Base):
    """The item a member last opened, so that a following 已学 means that one."""

    __tablename__ = "study_view"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("study_item.id"))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PendingPost(Base):
    """A post that repeats a recent one, waiting for the author's 确认发布."""

    __tablename__ = "pending_post"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    media_link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    source: Mapped[str | None] = mapped_column(String(100))
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    org: Mapped[Org] = relationship(viewonly=True)
    author: Mapped[Member] = relationship(viewonly=True)


def summarize(body: str) -> str:
    """The first 60 characters of a body, on one line."""
    text = " ".join(body.split())
    return text if len(text) <= 60 else text[:59] + "…"
