"""Members' questions, read only: the branch's waiting queue (统计, the console) and
the ones answered lately. A dismissed question is in neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.members.tables import Member
from models.questions.tables import Question


@dataclass(frozen=True)
class OpenQuestion:
    """A question still waiting for the admin, with who asked."""

    id: int
    name: str
    text: str
    asked_at: datetime


def waiting_count(session: Session, branch_id: int) -> int:
    """How many questions wait in the branch's queue."""
    return int(session.scalar(select(func.count()).select_from(Question).where(
        Question.branch_id == branch_id, Question.answered_at.is_(None),
        Question.dismissed_at.is_(None))) or 0)


def open_questions(session: Session, branch_id: int,
                   limit: int = 20) -> tuple[int, list[OpenQuestion]]:
    """How many questions wait in the branch's queue, and the oldest `limit` of them."""
    waiting = (Question.branch_id == branch_id, Question.answered_at.is_(None),
               Question.dismissed_at.is_(None))
    total = waiting_count(session, branch_id)
    rows = session.execute(
        select(Question.id, Member.name, Question.text, Question.asked_at)
        .join(Member, Member.id == Question.member_id).where(*waiting)
        .order_by(Question.asked_at, Question.id).limit(limit)).all()
    return total, [OpenQuestion(*row) for row in rows]


@dataclass(frozen=True)
class AnsweredQuestion:
    """A question taken off the queue, with its answer when one was sent."""

    id: int
    name: str
    text: str
    asked_at: datetime
    answered_at: datetime
    answer: str | None


def answered_questions(session: Session, branch_id: int,
                       limit: int = 20) -> list[AnsweredQuestion]:
    """The branch's most recently answered questions."""
    rows = session.execute(
        select(Question.id, Member.name, Question.text, Question.asked_at,
               Question.answered_at, Question.answer)
        .join(Member, Member.id == Question.member_id)
        .where(Question.branch_id == branch_id, Question.answered_at.is_not(None),
               Question.dismissed_at.is_(None))
        .order_by(Question.answered_at.desc(), Question.id.desc()).limit(limit)).all()
    return [AnsweredQuestion(question_id, name, text, asked_at, answered_at or asked_at, answer)
            for question_id, name, text, asked_at, answered_at, answer in rows]
