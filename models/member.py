"""Party members (党员): the roster, roles and the WeChat openid they bound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core import words
from models.base import Base, UTCDateTime, utcnow
from models.errors import MemberLookupError
from models.org import Org, OrgAdmin
from models.prepared import Prepared


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

    branch: Mapped[Org] = relationship(foreign_keys=[branch_id], lazy="joined")
    group: Mapped[Org | None] = relationship(foreign_keys=[group_id])

    def __repr__(self) -> str:
        return f"<Member {self.id} {self.name}>"


def branch_admin_names(session: Session, branch_id: int, limit: int = 3) -> list[str]:
    """The names of the branch's admins (who answers members' questions)."""
    return list(session.scalars(select(Member.name).where(
        Member.branch_id == branch_id, Member.is_admin.is_(True))
        .order_by(Member.id).limit(limit)))


def find_member(session: Session, branch_id: int, name: str) -> Member:
    """The one member of the branch called `name`; MemberLookupError if none or several.

    Every command that names a member (补录, 结对, 解除结对, 解绑) uses this, so that two
    members with the same name are never confused: the admin is told instead.
    """
    found = list(session.scalars(select(Member).where(Member.name == name,
                                                      Member.branch_id == branch_id)
                                 .order_by(Member.id).limit(2)))
    if not found:
        raise MemberLookupError("MEMBER_NOT_FOUND", name=name)
    if len(found) > 1:
        count = session.scalar(select(func.count()).select_from(Member).where(
            Member.name == name, Member.branch_id == branch_id))
        raise MemberLookupError("MEMBER_AMBIGUOUS", name=name, count=count)
    return found[0]


def member_by_openid(session: Session, openid: str) -> Member | None:
    """The member bound to this openid, if any."""
    return session.scalar(select(Member).where(Member.openid == openid))


@dataclass(frozen=True)
class Caller:
    """Who sent a message, as the router needs it: enough for role checks and help."""

    member_id: int
    name: str
    branch_id: int
    is_admin: bool
    is_helper: bool
    is_org_admin: bool = False  # administers an org (township / county)


class CallerQuery:
    """Looks up the Caller for an openid (prepared once per dialect; see models.prepared)."""

    def __init__(self, dialect: Dialect) -> None:
        table = Member.__table__
        org_admin = OrgAdmin.__table__
        is_org_admin = exists(select(org_admin.c.id).where(org_admin.c.member_id == table.c.id))
        self._query = Prepared(
            select(table.c.id, table.c.name, table.c.branch_id, table.c.is_admin,
                   table.c.is_helper, is_org_admin.label("is_org_admin"))
            .where(table.c.openid == bindparam("openid")),
            dialect,
        )

    def __call__(self, cursor: Any, openid: str) -> Caller | None:
        row = self._query.run(cursor, openid=openid).fetchone()
        if row is None:
            return None
        return Caller(row[0], row[1], row[2], bool(row[3]), bool(row[4]), bool(row[5]))
