"""Members' questions in the console (the queue the chat fills when nothing answers
them): answer from the page — the answer reaches the member through the outbox, in the
same transaction — or mark one answered in person. 统计 in chat lists the same queue."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.access import audit_change, branch_in_scope, current_account, login_required
from bot.services import services_of
from core import texts, words
from models.console.accounts import member_of_account
from models.errors import DomainError
from models.members.tables import Member
from models.questions.actions import (
    ANSWER_MAX,
    answer_question,
    answered_questions,
    mark_answered,
    open_questions,
)
from models.questions.tables import Question

bp = Blueprint("questions", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

SHOWN = 100


@bp.get("/branch/<int:branch_id>/questions")
@login_required
def questions(branch_id: int) -> ResponseReturnValue:
    """Waiting questions, oldest first, each with an answer box; then recent answers."""
    services = services_of()
    with services.sessions() as session:
        org = branch_in_scope(session, branch_id)
        total, waiting = open_questions(session, branch_id, limit=SHOWN)
        done = answered_questions(session, branch_id)
        return render_template("console/questions.html", org=org, total=total,
                               waiting=waiting, done=done, tz=services.settings.tz,
                               answer_max=ANSWER_MAX, error=None,
                               typed=request.args.get("typed", ""))


@bp.post("/question/<int:question_id>")
@login_required
def answer(question_id: int) -> ResponseReturnValue:
    """Send an answer (action=answer) or take the question off the queue (action=close)."""
    services = services_of()
    now = services.clock()
    account = current_account()
    with services.sessions() as session:
        question = session.get(Question, question_id)
        if question is None:
            abort(404)
        branch_in_scope(session, question.branch_id)
        back = url_for("console.questions.questions", branch_id=question.branch_id)
        me = member_of_account(session, account)
        try:
            if request.form.get("action") == "close":
                if question.answered_at is not None:
                    raise DomainError("QUESTION_ALREADY_ANSWERED")
                mark_answered(session, question, me.id if me else None, now)
                action, message = "question.close", texts.CONSOLE_MARKED_ANSWERED
            else:
                status = answer_question(session, services.outbox, question,
                                         (request.form.get("answer") or "")[:ANSWER_MAX + 1],
                                         account.name, me.id if me else None, now,
                                         services.settings.tz)
                asker = session.get(Member, question.member_id)
                action = "question.answer"
                message = texts.CONSOLE_ANSWER_SENT.format(
                    name=asker.name if asker else "",
                    how=words.REACH_HOW.get(str(status), words.REACH_HOW["pending"]))
            audit_change(session, question.branch_id, action, question.text[:60],
                         after={"answer": question.answer} if question.answer else None)
            session.commit()
        except DomainError as error:
            session.rollback()
            log.info("console: question %s not answered: %s", question_id, error.key)
            flash(error.render())
            return redirect(back)
        flash(message)
        return redirect(back)

