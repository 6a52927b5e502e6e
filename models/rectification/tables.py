"""The rectification ledger's rows: a branch marked weak for a year, its problems, and
each problem's milestones counted back from its deadline (倒排)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import words
from models.db.base import Base, UTCDateTime
from models.members.org_tables import Org
from models.members.tables import Member
from models.rectification.follow_up import FollowUpColumns

# The problem categories a county files its weak branches' problems under — a
# configurable list: edit core.words.RECTIFY_CATEGORIES (six by default: 班子不强,
# 组织生活不规范, 党员管理松散, 作用发挥不明显, 阵地建设薄弱, 群众基础差). A category is
# stored as its text, so renaming one leaves older problems as they were.
CATEGORIES: tuple[str, ...] = words.RECTIFY_CATEGORIES

# Milestones counted back from a problem's deadline (倒排): (name, days before the
# deadline); 方案 at −60, 中期 at −30, 验收 at −7 unless a problem is given its own list.
DEFAULT_MILESTONES: tuple[tuple[str, int], ...] = words.RECTIFY_MILESTONES

OPEN = "open"
CLOSED = "closed"


class WeakBranch(Base):
    """A branch on the county's list of 软弱涣散 branches for one year."""

    __tablename__ = "rectify_branch"
    __table_args__ = (UniqueConstraint("branch_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    marked_by: Mapped[str] = mapped_column(String(100))
    # The county's confirmation that every problem is closed: the branch leaves the list.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(100))

    branch: Mapped[Org] = relationship(viewonly=True)
    problems: Mapped[list[Problem]] = relationship(
        back_populates="weak", order_by="Problem.id", viewonly=True)


class Problem(FollowUpColumns, Base):
    """One problem of a weak branch: what, the measures, who answers for it, by when."""

    __tablename__ = "rectify_problem"
    __table_args__ = (Index("ix_rectify_problem_branch_id_deadline", "branch_id", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weak_id: Mapped[int] = mapped_column(ForeignKey("rectify_branch.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    measures: Mapped[str] = mapped_column(Text)  # 整改措施
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # 责任人, a member
    owner_name: Mapped[str] = mapped_column(String(50))  # … or just a name
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # 挂点领导
    lead_unit: Mapped[str] = mapped_column(String(100), default="")  # 牵头单位
    departments: Mapped[str] = mapped_column(String(200), default="")  # 责任部门
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # deadline, closed_at, closed_by, close_note, reopen_reason: FollowUpColumns

    weak: Mapped[WeakBranch] = relationship(back_populates="problems", viewonly=True)
    owner: Mapped[Member | None] = relationship(foreign_keys=[owner_id], viewonly=True)
    leader: Mapped[Member | None] = relationship(foreign_keys=[leader_id], viewonly=True)
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.due",
                                                        viewonly=True)


class Milestone(Base):
    """A step of a problem's rectification due on a day counted back from its deadline."""

    __tablename__ = "rectify_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("rectify_problem.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    due: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
