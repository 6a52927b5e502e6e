"""Questions members ask that no help text answers: kept in their branch admin's queue
(统计 shows them; the console lists them) until the admin marks them answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.member import Member

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


def forward_question(session: Session, member_id: int, branch_id: int, text: str,
                     now: datetime) -> Question:
    """Put a member's question in their branch admin's queue (flushes)."""
    kept = text.strip()
    if len(kept) > QUESTION_MAX:
        kept = kept[:QUESTION_MAX - 1] + "…"
    question = Question(branch_id=branch_id, member_id=member_id, text=kept, asked_at=now)
    session.add(question)
    session.flush()
    return question


@dataclass(frozen=True)
class OpenQuestion:
    """A question still waiting for the admin, with who asked."""

    id: int
    name: str
    text: str
    asked_at: datetime


def open_questions(session: Session, branch_id: int,
                   limit: int = 20) -> tuple[int, list[OpenQuestion]]:
    """How many questions wait in the branch's queue, and the oldest `limit` of them."""
    waiting = (Question.branch_id == branch_id, Question.answered_at.is_(None))
    total = int(session.scalar(select(func.count()).select_from(Question).where(*waiting)) or 0)
    rows = session.execute(
        select(Question.id, Member.name, Question.text, Question.asked_at)
        .join(Member, Member.id == Question.member_id).where(*waiting)
        .order_by(Question.asked_at, Question.id).limit(limit)).all()
    return total, [OpenQuestion(*row) for row in rows]


def mark_answered(session: Session, question: Question, admin_id: int, now: datetime) -> None:
    """The admin answered (in person, by phone, or in the console)."""
    question.answered_at = now
    question.answered_by = admin_id
    session.flush()
