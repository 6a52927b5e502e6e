"""Questions members ask that no help text answers, kept for their branch admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime
from models.members.org_tables import Org
from models.members.tables import Member

QUESTION_MAX = 500  # characters kept; a longer message is cut, with "…"


class Question(Base):
    """One forwarded question, as the member wrote it (or as WeChat heard it)."""

    __tablename__ = "question"
    __table_args__ = (Index("ix_question_branch_open", "branch_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    text: Mapped[str] = mapped_column(String(QUESTION_MAX + 1))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    answer: Mapped[str | None] = mapped_column(Text)  # what was sent back, if anything
    # Dismissed by the admin as no question (small talk, a slip): off the queue, and
    # counted neither as answered nor as waiting.
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    branch: Mapped[Org] = relationship(viewonly=True)
    member: Mapped[Member] = relationship(foreign_keys=[member_id], viewonly=True)
    answerer: Mapped[Member | None] = relationship(foreign_keys=[answered_by], viewonly=True)
