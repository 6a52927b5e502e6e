"""The org tree (county, township, branch, party group) and who administers each org."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:  # models.members.tables imports this module
    from models.members.tables import Member


class OrgKind(StrEnum):
    """党委 / 党总支 / 党支部 / 党小组."""

    COMMITTEE = "committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"


class Org(Base):
    """One node of the tree; members belong to a branch and at most one group."""

    __tablename__ = "org"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # Read-only: the tree is written through parent_id (org_tree, the roster import's
    # bulk statements), so a writable relationship would be a second, stale, truth.
    parent: Mapped[Org | None] = relationship(remote_side=[id], viewonly=True)

    def __repr__(self) -> str:
        return f"<Org {self.id} {self.kind} {self.name}>"


class OrgAdmin(Base):
    """A member who administers an org and everything below it (township/county staff)."""

    __tablename__ = "org_admin"
    __table_args__ = (UniqueConstraint("org_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)

    org: Mapped[Org] = relationship(viewonly=True)
    member: Mapped[Member] = relationship(viewonly=True)
