"""Members' questions in the console (the queue the chat fills when nothing answers
them): answer from the page — the answer reaches the member through the outbox, in the
same transaction — mark one answered in person, or dismiss one that is no question
(small talk, a slip: counted nowhere). 统计 in chat lists the same queue.

The changes are models.questions.actions', as the console's actor; a refusal is
flashed on the queue's page (bot.console.request_db)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.access import branch_in_scope, console_actor, current_account, login_required
from bot.console.request_db import db, refusal_goes_to, save
from bot.services import services_of
from core import texts, words
from models.console.accounts import member_of_account
from models.questions.actions import (
    ANSWER_MAX,
    answer_question,
    close_question,
    dismiss_question,
)
from models.questions.queries import answered_questions, open_questions
from models.questions.tables import Question

bp = Blueprint("questions", __name__)  # registered under the console in bot/console/__init__.py

SHOWN = 100


@bp.get("/branch/<int:branch_id>/questions")
@login_required
def questions(branch_id: int) -> ResponseReturnValue:
    """Waiting questions, oldest first, each with an answer box; then recent answers."""
    session = db()
    org = branch_in_scope(session, branch_id)
    total, waiting = open_questions(session, branch_id, limit=SHOWN)
    done = answered_questions(session, branch_id)
    return render_template("console/questions.html", org=org, total=total, waiting=waiting,
                           done=done, tz=services_of().settings.tz, answer_max=ANSWER_MAX,
                           error=None, typed=request.args.get("typed", ""))


@bp.post("/question/<int:question_id>")
@login_required
def answer(question_id: int) -> ResponseReturnValue:
    """Send an answer (action=answer), mark it answered in person (action=close), or
    dismiss it as no question (action=dismiss)."""
    services = services_of()
    session = db()
    question = session.get(Question, question_id)
    if question is None:
        abort(404)
    branch_in_scope(session, question.branch_id)
    back = url_for("console.questions.questions", branch_id=question.branch_id)
    refusal_goes_to(back)
    me = member_of_account(session, current_account())
    answered_by = me.id if me else None
    action = request.form.get("action")
    if action == "dismiss":
        dismiss_question(session, console_actor(), question, services.clock())
        message = texts.CONSOLE_QUESTION_DISMISSED
    elif action == "close":
        close_question(session, console_actor(), question, services.clock(), answered_by)
        message = texts.CONSOLE_MARKED_ANSWERED
    else:
        status = answer_question(session, console_actor(), services.outbox, question,
                                 (request.form.get("answer") or "")[:ANSWER_MAX + 1],
                                 services.clock(), services.settings.tz, answered_by)
        message = texts.CONSOLE_ANSWER_SENT.format(
            name=question.member.name,
            how=words.REACH_HOW.get(str(status), words.REACH_HOW["pending"]))
    save()
    flash(message)
    return redirect(back)
