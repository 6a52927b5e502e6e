"""/m/survey: the member's satisfaction survey (满意度测评) — the open survey of their
branch, one question a block with three large choices, sent once. The answer goes
through the action the chat's 满意度 calls (models.survey.actions), as the member on
Surface.PAGE; nothing is logged with the member's name."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.request_db import db, save
from bot.pages.access import current_member, member_actor, member_required, refusal_goes_to
from bot.services import services_of
from core import texts
from models.survey.actions import answer_survey, questions_of, surveys_for
from models.survey.tables import CHOICES, Choice, Survey

bp = Blueprint("survey", __name__)


@bp.get("/survey")
@member_required
def survey() -> ResponseReturnValue:
    """The open survey of the member's branch (or that there is none / it is done)."""
    services = services_of()
    today = services.clock().astimezone(services.settings.tz).date()
    session = db()
    found = surveys_for(session, current_member(), today)
    waiting = [s for s, answered in found if not answered]
    current = waiting[0] if waiting else None
    questions = questions_of(session, current.id) if current else []
    return render_template("pages/survey.html", survey=current, questions=questions,
                           done=[s for s, answered in found if answered],
                           choices=CHOICES, names=texts.SURVEY_CHOICE_NAMES)


@bp.post("/survey/<int:survey_id>")
@member_required
def answer(survey_id: int) -> ResponseReturnValue:
    """Send the answers (every question must have one)."""
    services = services_of()
    session = db()
    found = session.get(Survey, survey_id)
    if found is None:
        abort(404)
    refusal_goes_to(url_for("pages.survey.survey"))
    questions = questions_of(session, found.id)
    values = {choice.value for choice in CHOICES}
    sent = [request.form.get(f"q{q.id}", "") for q in questions]
    choices = [Choice(value) for value in sent if value in values]
    answer_survey(session, member_actor(), current_member(), found, choices,
                  services.clock(), services.settings.tz)
    save()
    flash(texts.SURVEY_PAGE_THANKS)
    return redirect(url_for("pages.survey.survey"))
