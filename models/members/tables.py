"""Members of a branch: who they are, whether they need help, their WeChat binding."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from core import words
from models.db.base import Base, UTCDateTime, utcnow
from models.members.org_tables import Org


class NeedsHelp(StrEnum):
    """Why a member needs a helper (需帮扶); the roster uses the Chinese values."""

    OLD_PHONE = words.NEEDS_HELP_OLD_PHONE
    LIMITED_MOBILITY = words.NEEDS_HELP_LIMITED_MOBILITY
    NO_WECHAT_SKILLS = words.NEEDS_HELP_NO_WECHAT_SKILLS
    NO_PHONE = words.NEEDS_HELP_NO_PHONE
    OTHER = words.NEEDS_HELP_OTHER


class Member(Base):
    """A member of one branch (and at most one group), with or without WeChat."""

    __tablename__ = "member"
    # a unique index, not a constraint: added to a county's big member table in place
    # (migration 0034: SQLite cannot add a constraint without copying the table)
    __table_args__ = (Index("uq_member_unionid", "unionid", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"))
    # Digits only; None for members without a phone.
    phone: Mapped[str | None] = mapped_column(String(20))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_helper: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_help: Mapped[str | None] = mapped_column(String(20))
    needs_help_note: Mapped[str | None] = mapped_column(String(100))  # the roster's own words
    committee_posts: Mapped[str | None] = mapped_column(String(60))  # "书记、组织委员"
    address: Mapped[str | None] = mapped_column(String(200))
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    # 一帮一: how many members this helper may help (None: the configured default),
    # and where the member lives, when known (nearest-helper matching).
    helper_capacity: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The WeChat unionid (one open platform account over the official account and the
    # mini-program): a mini-program login carrying it finds the member without binding.
    unionid: Mapped[str | None] = mapped_column(String(64))
    # Forgotten on request (models.members.forget): the row stays, under a pseudonym, so
    # past counts add up; meetings and every other audience from then on leave them out
    # (live_member below).
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    branch: Mapped[Org] = relationship(foreign_keys=[branch_id], lazy="joined")
    group: Mapped[Org | None] = relationship(foreign_keys=[group_id])

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.name}>"


def live_member() -> ColumnElement[bool]:
    """Members not forgotten (models.members.forget). Every forward-looking audience and
    list uses it — study pushes and 未学 lists, the console's member list and its choices
    of hosts, recorders and helpers, 一帮一 suggestions, reach, name lookups — while
    historical records (attendance, study records, relays, the 台账) keep the row."""
    return Member.forgotten_at.is_(None)


def in_audience_at(when: datetime) -> ColumnElement[bool]:
    """Members who were in an audience formed at `when`: the live ones, and those
    forgotten later (so the rate of an item published before a forget does not move)."""
    return or_(Member.forgotten_at.is_(None), Member.forgotten_at > when)
