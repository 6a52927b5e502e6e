"""述职评议's tables: a round per county and year, its reporters (one per secretary),
the 测评 vote kept in two unrelated tables, and the recommendations each secretary
gave and the problems they solved.

Anonymity of 测评: `review_voter` says who has voted on whom (its unique constraint
is the one-vote rule) and holds nothing about the choice; `review_tally` holds only
counts per reporter and grade. No row id, time or order links the two: a vote is an
INSERT into the first and an UPDATE count = count + 1 of a row that exists from the
moment the reporter was added. A vote cannot be changed.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import words
from models.db.base import Base, UTCDateTime
from models.members.org_tables import Org
from models.members.tables import Member


class Grade(StrEnum):
    """The four grades of every party; POINTS turns them into the total's numbers."""

    GOOD = words.REVIEW_GRADE_GOOD
    FAIRLY_GOOD = words.REVIEW_GRADE_FAIRLY_GOOD
    FAIR = words.REVIEW_GRADE_FAIR
    POOR = words.REVIEW_GRADE_POOR


POINTS: dict[str, int] = {Grade.GOOD: 100, Grade.FAIRLY_GOOD: 85, Grade.FAIR: 70,
                          Grade.POOR: 50}


class Party(StrEnum):
    """The four parties who grade a secretary (四评)."""

    SELF = "self"  # 自评: the secretary
    COUNTY = "county"  # 点评: the county secretary (county staff)
    LEADER = "leader"  # 帮评: the leader assigned to them
    MEMBERS = "members"  # 测评: members and residents' representatives, anonymous


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewRound(Base):
    """One county's 述职评议 of one year."""

    __tablename__ = "review_round"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))  # the county committee
    year: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())  # reports until then
    weight_self: Mapped[int] = mapped_column(Integer)
    weight_county: Mapped[int] = mapped_column(Integer)
    weight_leader: Mapped[int] = mapped_column(Integer)
    weight_members: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))

    org: Mapped[Org] = relationship(viewonly=True)

    @property
    def weights(self) -> dict[Party, int]:
        """Each party's weight (they add up to 100)."""
        return {Party.SELF: self.weight_self, Party.COUNTY: self.weight_county,
                Party.LEADER: self.weight_leader, Party.MEMBERS: self.weight_members}


class ReviewReporter(Base):
    """A secretary who reports in a round: the report, the grades, the total at close."""

    __tablename__ = "review_reporter"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)  # whose secretary
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))  # 帮评
    report: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_on: Mapped[date | None] = mapped_column(Date)  # local day of the last reminder
    grade_self: Mapped[str | None] = mapped_column(String(4))
    grade_county: Mapped[str | None] = mapped_column(String(4))
    county_by: Mapped[str | None] = mapped_column(String(100))
    grade_leader: Mapped[str | None] = mapped_column(String(4))
    members_score: Mapped[float | None] = mapped_column(Float)  # frozen at close
    total: Mapped[float | None] = mapped_column(Float)  # frozen at close

    round: Mapped[ReviewRound] = relationship(viewonly=True)
    member: Mapped[Member] = relationship(foreign_keys=[member_id], viewonly=True)
    leader: Mapped[Member | None] = relationship(foreign_keys=[leader_id], viewonly=True)
    org: Mapped[Org] = relationship(viewonly=True)


class ReviewVoter(Base):
    """Who has cast their 测评 vote on a reporter — and nothing of what they chose.
    A member by id, or a residents' representative entered by name."""

    __tablename__ = "review_voter"
    __table_args__ = (UniqueConstraint("reporter_id", "voter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("review_reporter.id"))
    voter_key: Mapped[str] = mapped_column(String(60))  # "member:12" or "rep:<name>"


class ReviewTally(Base):
    """How many 测评 votes a reporter has of one grade: counts only, no voter."""

    __tablename__ = "review_tally"
    __table_args__ = (UniqueConstraint("reporter_id", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("review_reporter.id"))
    grade: Mapped[str] = mapped_column(String(4))
    count: Mapped[int] = mapped_column(Integer, default=0)


class ItemKind(StrEnum):
    SUGGESTION = "suggestion"  # 建议
    PROBLEM = "problem"  # 解决的问题


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class ReviewItem(Base):
    """A recommendation a secretary gave, or a problem they took on, followed up to
    done like a rectification item (with a note and who confirmed it)."""

    __tablename__ = "review_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("review_reporter.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(String(500))
    day: Mapped[date] = mapped_column(Date)  # when given / taken on
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=ItemStatus.OPEN)
    added_by: Mapped[str] = mapped_column(String(100))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_note: Mapped[str | None] = mapped_column(String(500))
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
