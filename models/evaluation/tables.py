"""民主评议党员 tables.

Anonymity is in the shape of the tables: `EvaluationVoted` says who has voted on whom
(one row per voter and member: the one-vote rule is its unique key) and never what;
`EvaluationBallot` says what was chosen, keyed by an HMAC of the voter's id under the
round's secret, never by the voter. The secret lives in the round row while votes may
change and is destroyed at close: from then on nobody — not the secretary, not a
database reader — can join a ballot to a voter. Ballots have no sequence id and no
timestamp (an id or a time could be lined up with the audit log or `EvaluationVoted`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


class Grade(StrEnum):
    """The four grades (优秀 / 合格 / 基本合格 / 不合格), best first."""

    EXCELLENT = "excellent"
    QUALIFIED = "qualified"
    BASIC = "basic"
    UNQUALIFIED = "unqualified"


GRADES = tuple(Grade)


class Method(StrEnum):
    """How a vote came in."""

    ONLINE = "online"  # the member's own chat or page
    PAPER = "paper"  # 纸质: a paper ballot the secretary entered


class EvaluationRound(Base):
    """One branch's round: open (votes come in until `closes_at`) or closed."""

    __tablename__ = "evaluation_round"
    __table_args__ = (
        # one open round per branch
        Index("uq_evaluation_round_open_branch", "branch_id", unique=True,
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by: Mapped[str] = mapped_column(String(100))
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())  # voting ends
    # HMAC key of the ballots (hex); None once closed (destroyed)
    secret: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_on: Mapped[date | None] = mapped_column(Date)  # local day (the measure's)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    over_cap_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_open(self) -> bool:
        """Not closed yet (votes may still be refused after `closes_at`)."""
        return self.closed_at is None


class EvaluationSubject(Base):
    """A member evaluated in a round: their self-assessment, and at close their tally
    and the branch committee's determination."""

    __tablename__ = "evaluation_subject"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # the number 评议 lists them under
    self_text: Mapped[str | None] = mapped_column(Text)
    self_voice: Mapped[str | None] = mapped_column(String(200))  # the voice's media id
    self_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voice_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 自评 then a voice
    excellent: Mapped[int | None] = mapped_column(Integer)  # the tally, at close
    qualified: Mapped[int | None] = mapped_column(Integer)
    basic: Mapped[int | None] = mapped_column(Integer)
    unqualified: Mapped[int | None] = mapped_column(Integer)
    determination: Mapped[str | None] = mapped_column(String(20))  # a Grade
    reason: Mapped[str | None] = mapped_column(Text)  # when it differs from the tally


class EvaluationVoter(Base):
    """A member who votes in a round."""

    __tablename__ = "evaluation_voter"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))


class EvaluationVoted(Base):
    """Who has voted on whom (never what): one row per voter and evaluated member."""

    __tablename__ = "evaluation_voted"
    __table_args__ = (UniqueConstraint("round_id", "voter_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("member.id"))  # the member rated
    method: Mapped[str] = mapped_column(String(10))  # a Method
    entered_by: Mapped[str | None] = mapped_column(String(100))  # a paper ballot's


class EvaluationBallot(Base):
    """One choice on one member, keyed by the ballot key (HMAC of the voter), not the
    voter. No id, no time: see the module's docstring."""

    __tablename__ = "evaluation_ballot"

    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id"), primary_key=True)
    ballot_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(20))  # a Grade
