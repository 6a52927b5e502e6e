"""Questions members ask that no help text answers: kept in their branch admin's queue
(统计 shows them; the console lists them) until the admin answers them or marks them
answered in person, or dismiss them as no question. One function per change — ask,
answer, close, dismiss — each taking the
acting `Actor` and the time and writing the audit entry; nothing here commits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core import texts
from core.localtime import when
from models.actors import Actor
from models.console.audit import record_change
from models.delivery.outbox import ChannelPolicy, Notice, Status
from models.errors import DomainError
from models.questions.queries import open_questions, waiting_count
from models.questions.tables import QUESTION_MAX, Question

# 统计 (handlers.stats) and the console's overview still import these from here.
__all__ = ["open_questions", "waiting_count"]

ANSWER_MAX = 1000  # a text message holds 2048 bytes: the answer, the question, the frame
TARGET_CHARS = 60  # of the question, in the audit log's "what"


class QuestionError(DomainError):
    """A question that cannot be asked, answered or closed."""


def ask_question(session: Session, actor: Actor, member_id: int, branch_id: int, text: str,
                 now: datetime) -> Question:
    """Put a member's question in their branch admin's queue (flushes)."""
    kept = text.strip()
    if len(kept) > QUESTION_MAX:
        kept = kept[:QUESTION_MAX - 1] + "…"
    question = Question(branch_id=branch_id, member_id=member_id, text=kept, asked_at=now)
    session.add(question)
    session.flush()
    if actor.acts_for(member_id):
        record_change(session, actor, org_id=branch_id, action="question.ask",
                      target=kept[:TARGET_CHARS], now=now)
    return question


def _still_waiting(question: Question) -> None:
    """QuestionError unless the question is still in the queue."""
    if question.dismissed_at is not None:
        raise QuestionError("QUESTION_ALREADY_DISMISSED")
    if question.answered_at is not None:
        raise QuestionError("QUESTION_ALREADY_ANSWERED")


def _take_off_queue(session: Session, question: Question, answered_by: int | None,
                    now: datetime) -> None:
    _still_waiting(question)
    question.answered_at = now
    question.answered_by = answered_by
    session.flush()


def answer_question(session: Session, actor: Actor, outbox: ChannelPolicy, question: Question,
                    answer: str, now: datetime, tz: ZoneInfo,
                    answered_by: int | None = None) -> Status | None:
    """Send the answer (signed with the actor's name) to the member who asked, through
    the outbox in this transaction, and take the question off the queue. Returns how it
    will reach them (flushes). `answered_by`: the answering member, when the actor's
    account has one."""
    answer = answer.strip()
    if not answer:
        raise QuestionError("QUESTION_ANSWER_EMPTY")
    if len(answer) > ANSWER_MAX:
        raise QuestionError("QUESTION_ANSWER_TOO_LONG", limit=ANSWER_MAX, length=len(answer))
    _still_waiting(question)
    member = question.member
    if member is None:
        raise QuestionError("QUESTION_ALREADY_ANSWERED")
    asked = question.text if len(question.text) <= 60 else question.text[:59] + "…"
    text = texts.QUESTION_ANSWER.format(when=when(question.asked_at, tz), question=asked,
                                        admin=actor.name, answer=answer)
    status = outbox.enqueue(session, f"answer:{question.id}", member,
                            Notice("question_answer", text), now)
    question.answer = answer
    _take_off_queue(session, question, answered_by or actor.member_id, now)
    record_change(session, actor, org_id=question.branch_id, action="question.answer",
                  target=question.text[:TARGET_CHARS], now=now, after={"answer": answer})
    return status


def close_question(session: Session, actor: Actor, question: Question, now: datetime,
                   answered_by: int | None = None) -> None:
    """当面答复: the admin answered in person or by phone; off the queue, nothing sent."""
    _take_off_queue(session, question, answered_by or actor.member_id, now)
    record_change(session, actor, org_id=question.branch_id, action="question.close",
                  target=question.text[:TARGET_CHARS], now=now)


def dismiss_question(session: Session, actor: Actor, question: Question, now: datetime) -> None:
    """不是问题: small talk or a slip that reached the queue. Off the queue, nothing sent,
    and counted nowhere — neither answered nor waiting (flushes)."""
    _still_waiting(question)
    question.dismissed_at = now
    session.flush()
    record_change(session, actor, org_id=question.branch_id, action="question.dismiss",
                  target=question.text[:TARGET_CHARS], now=now)
