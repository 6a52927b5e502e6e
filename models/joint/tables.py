"""双联双促 tables: a pair (county office ⇄ village branch) and what the pair agreed to
do (联促 items). A joint meeting is a `meeting` row with `joint_org_id` set (see
models.meetings.tables.Meeting and models.joint.kinds)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime
from models.members.org_tables import Org


class JointPair(Base):
    """A county office's Party organization paired with a village branch. Ending a pair
    keeps the row (its joint meetings and items stay on record); one live pair per
    office and branch."""

    __tablename__ = "joint_pair"
    __table_args__ = (
        Index("uq_joint_pair_live", "office_id", "branch_id", unique=True,
              sqlite_where=text("ended_at IS NULL"),
              postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))  # the actor's name, as audited

    office: Mapped[Org] = relationship(foreign_keys=[office_id], viewonly=True)
    branch: Mapped[Org] = relationship(foreign_keys=[branch_id], viewonly=True)


class JointItem(Base):
    """One thing the pair agreed to do (联促): closed with a note, like a rectification
    item (销号)."""

    __tablename__ = "joint_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("joint_pair.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))  # 责任人, as written
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_note: Mapped[str | None] = mapped_column(Text)
