"""The survey's tables. Who answered (`survey_respondent`) and what was answered
(`survey_tally`, counts per branch, question and choice) are kept apart: no row, id or
time joins an answer to the member who gave it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime


class Choice(StrEnum):
    """The fixed answers to every question."""

    SATISFIED = "satisfied"  # 满意
    FAIRLY = "fairly"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


CHOICES = (Choice.SATISFIED, Choice.FAIRLY, Choice.DISSATISFIED)


class SurveyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Survey(Base):
    """One survey, opened by the county or a township for a year."""

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)  # who opened it
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(100))
    opens_on: Mapped[date] = mapped_column(Date)  # local days, inclusive
    closes_on: Mapped[date] = mapped_column(Date)
    quorum: Mapped[float] = mapped_column(Float)  # share of a branch's members
    status: Mapped[str] = mapped_column(String(10), default=SurveyStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SurveyQuestion(Base):
    """One question, answered 满意 / 基本满意 / 不满意."""

    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(String(100))


class SurveyTarget(Base):
    """A branch whose members answer, with how many members it had when the survey
    opened (the quorum's base)."""

    __tablename__ = "survey_target"
    __table_args__ = (UniqueConstraint("survey_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    members: Mapped[int] = mapped_column()


class SurveyRespondent(Base):
    """Who has answered (one row per member and survey: the one-answer rule). It holds
    no answer."""

    __tablename__ = "survey_respondent"
    __table_args__ = (UniqueConstraint("survey_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)  # their branch


class SurveyTally(Base):
    """How many members of a branch gave a choice to a question (no voter, no time)."""

    __tablename__ = "survey_tally"
    __table_args__ = (UniqueConstraint("survey_id", "org_id", "question_id", "choice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id"))
    choice: Mapped[str] = mapped_column(String(12))
    count: Mapped[int] = mapped_column(default=0)
