"""The members' satisfaction survey (满意度测评) in the console.

`/admin/survey`: the surveys that reach the account's scope; county and township staff
open one for their branches and close it. `/admin/survey/<id>`: the results, only of
the branches below the account's own org (a branch never reads its own; 404 when there
is nothing to show), each branch with how many answered of how many, and the counts
only where the quorum was met. Branches are listed by name: never ranked."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from bot.console.access import console_actor, current_account, form_id, login_required
from bot.console.request_db import db, refusal_goes_to, save
from bot.services import services_of
from core import texts
from models.console.accounts import scope_ids
from models.members.org_levels import levels_of
from models.members.org_tables import Org
from models.survey.actions import (
    ANSWERING,
    OPENERS,
    SurveyError,
    close_survey,
    open_survey,
    questions_of,
)
from models.survey.results import BranchResult, survey_results, total_of, visible_orgs
from models.survey.tables import CHOICES, Survey, SurveyTarget

bp = Blueprint("surveys", __name__)  # registered under the console



def _visible_surveys(scope: set[int]) -> list[Survey]:
    session = db()
    return list(session.scalars(select(Survey).where(
        Survey.org_id.in_(scope) | Survey.id.in_(
            select(SurveyTarget.survey_id).where(SurveyTarget.org_id.in_(scope))))
        .order_by(Survey.closes_on.desc(), Survey.id.desc())))


@bp.get("/survey")
@login_required
def surveys() -> ResponseReturnValue:
    """The surveys reaching the account's orgs, and the form to open one."""
    session = db()
    account = current_account()
    scope = scope_ids(session, account)
    may_open = levels_of(session, [account.org_id]).get(account.org_id) in OPENERS
    today = services_of().clock().astimezone(services_of().settings.tz).date()
    levels = levels_of(session, scope)
    branches = session.scalars(select(Org).where(Org.id.in_(
        [i for i in scope if levels.get(i) in ANSWERING])).order_by(Org.name)).all() \
        if may_open else []
    return render_template("console/surveys.html", surveys=_visible_surveys(scope),
                           may_open=may_open, own=account.org_id, today=today,
                           closes=today + timedelta(days=14), branches=branches,
                           questions="\n".join(texts.SURVEY_DEFAULT_QUESTIONS),
                           orgs={o.id: o.name for o in session.scalars(select(Org).where(
                               Org.id.in_(scope)))})


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise SurveyError("SURVEY_BAD_DATES") from None


@bp.post("/survey")
@login_required
def open_one() -> ResponseReturnValue:
    """Open a survey of the account's branches."""
    session = db()
    refusal_goes_to(url_for("console.surveys.surveys"))
    account = current_account()
    try:
        quorum = float(request.form.get("quorum", "").strip().rstrip("%")) / 100
    except ValueError:
        quorum = 0.0
    opens_on, closes_on = _day("opens_on"), _day("closes_on")
    chosen = [i for i in (form_id(v) for v in request.form.getlist("branch")) if i]
    survey = open_survey(session, console_actor(), session.get_one(Org, account.org_id),
                         closes_on.year, request.form.get("title", ""),
                         request.form.get("questions", "").splitlines(), opens_on, closes_on,
                         quorum, services_of().clock(), target_ids=chosen or None,
                         outbox=services_of().outbox)
    branches = len(session.scalars(select(SurveyTarget.id).where(
        SurveyTarget.survey_id == survey.id)).all())
    save()
    flash(texts.SURVEY_OPENED.format(title=survey.title, branches=branches))
    return redirect(url_for("console.surveys.surveys"))


@bp.post("/survey/<int:survey_id>/close")
@login_required
def close(survey_id: int) -> ResponseReturnValue:
    """Close a survey the account's org opened."""
    session = db()
    survey = session.get(Survey, survey_id)
    if survey is None or survey.org_id not in scope_ids(session, current_account()):
        abort(404)
    refusal_goes_to(url_for("console.surveys.surveys"))
    close_survey(session, console_actor(), survey, services_of().clock())
    save()
    flash(texts.SURVEY_CLOSED.format(title=survey.title))
    return redirect(url_for("console.surveys.surveys"))


@bp.get("/survey/<int:survey_id>")
@login_required
def results(survey_id: int) -> ResponseReturnValue:
    """The results of the branches below the account's org (404 when none)."""
    session = db()
    account = current_account()
    survey = session.get(Survey, survey_id)
    if survey is None:
        abort(404)
    shown = visible_orgs(scope_ids(session, account), account.org_id)
    found = survey_results(session, survey, shown)
    if not found:
        abort(404)
    questions = questions_of(session, survey.id)
    parents = dict(session.execute(select(Org.id, Org.parent_id).where(
        Org.id.in_([r.org_id for r in found]))).all())
    names = dict(session.execute(select(Org.id, Org.name).where(
        Org.id.in_({p for p in parents.values() if p is not None}))).all())
    groups: dict[str, list[BranchResult]] = {}
    for result in found:  # by the org above each branch (its township), by name
        groups.setdefault(names.get(parents.get(result.org_id) or 0, ""), []).append(result)
    return render_template("console/survey.html", survey=survey, results=found,
                           groups=sorted(groups.items()),
                           questions=questions, total=total_of(found, questions),
                           choices=CHOICES, names=texts.SURVEY_CHOICE_NAMES,
                           below=texts.SURVEY_BELOW_QUORUM)
