"""Questions members ask that no help text answers: kept in their branch admin's queue
(统计 shows them; the console lists them) until the admin marks them answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import texts
from core.localtime import when
from models.delivery.outbox import ChannelPolicy, Notice, Status
from models.errors import DomainError
from models.members.tables import Member
from models.questions.tables import QUESTION_MAX, Question


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


def waiting_count(session: Session, branch_id: int) -> int:
    """How many questions wait in the branch's queue."""
    return int(session.scalar(select(func.count()).select_from(Question).where(
        Question.branch_id == branch_id, Question.answered_at.is_(None))) or 0)


def open_questions(session: Session, branch_id: int,
                   limit: int = 20) -> tuple[int, list[OpenQuestion]]:
    """How many questions wait in the branch's queue, and the oldest `limit` of them."""
    waiting = (Question.branch_id == branch_id, Question.answered_at.is_(None))
    total = waiting_count(session, branch_id)
    rows = session.execute(
        select(Question.id, Member.name, Question.text, Question.asked_at)
        .join(Member, Member.id == Question.member_id).where(*waiting)
        .order_by(Question.asked_at, Question.id).limit(limit)).all()
    return total, [OpenQuestion(*row) for row in rows]


ANSWER_MAX = 1000  # a text message holds 2048 bytes: the answer, the question, the frame


def mark_answered(session: Session, question: Question, admin_id: int | None,
                  now: datetime) -> None:
    """The admin answered (in person, by phone, or in the console)."""
    question.answered_at = now
    question.answered_by = admin_id
    session.flush()


def answer_question(session: Session, outbox: ChannelPolicy, question: Question, answer: str,
                    admin_name: str, admin_id: int | None, now: datetime,
                    tz: ZoneInfo) -> Status | None:
    """Send the answer to the member who asked, through the outbox (in this transaction),
    and take the question off the queue. Returns how it will reach them (flushes)."""
    answer = answer.strip()
    if not answer:
        raise QuestionError("QUESTION_ANSWER_EMPTY")
    if len(answer) > ANSWER_MAX:
        raise QuestionError("QUESTION_ANSWER_TOO_LONG", limit=ANSWER_MAX, length=len(answer))
    if question.answered_at is not None:
        raise QuestionError("QUESTION_ALREADY_ANSWERED")
    member = session.get(Member, question.member_id)
    if member is None:
        raise QuestionError("QUESTION_ALREADY_ANSWERED")
    asked = question.text if len(question.text) <= 60 else question.text[:59] + "…"
    text = texts.QUESTION_ANSWER.format(when=when(question.asked_at, tz), question=asked,
                                        admin=admin_name, answer=answer)
    status = outbox.enqueue(session, f"answer:{question.id}", member,
                            Notice("question_answer", text), now)
    question.answer = answer
    mark_answered(session, question, admin_id, now)
    return status


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
        .where(Question.branch_id == branch_id, Question.answered_at.is_not(None))
        .order_by(Question.answered_at.desc(), Question.id.desc()).limit(limit)).all()
    return [AnsweredQuestion(question_id, name, text, asked_at, answered_at or asked_at, answer)
            for question_id, name, text, asked_at, answered_at, answer in rows]


class QuestionError(DomainError):
    """An answer that cannot be sent."""
