"""/m/evaluation (民主评议): the member's side of the branch's round — write the
self-assessment, rate each member with four big buttons (优秀 / 合格 / 基本合格 /
不合格; anonymous, changeable until the voting ends) — and after the close their own
result, to them alone. The same actions as the chat's 自评 and 评议."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.request_db import db, save
from bot.pages.access import current_member, member_actor, member_required
from bot.services import services_of
from core import texts
from core.localtime import day
from models.errors import DomainError
from models.evaluation.actions import SELF_MAX, cast_votes, grade_name, self_assess
from models.evaluation.queries import (
    is_voter,
    latest_round_of,
    my_choices,
    open_round_of,
    stored_tally,
    subject_row,
    subjects_of,
    voting_open,
)
from models.evaluation.tables import GRADES, EvaluationRound, Grade

bp = Blueprint("evaluation", __name__)

_SECOND = timedelta(seconds=1)  # the deadline is midnight: show the day before it


@bp.get("/evaluation")
@member_required
def evaluation() -> ResponseReturnValue:
    """The round: my self-assessment, the members to rate with my choices; or my result."""
    member = current_member()
    session = db()
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    round_ = latest_round_of(session, member.branch_id)
    context: dict[str, object] = {}
    if round_ is not None:
        mine_row = subject_row(session, round_, member.id)
        voter = is_voter(session, round_, member.id)
        subjects = [s for s in subjects_of(session, round_) if s.member_id != member.id] \
            if voter and round_.closed_at is None else []
        chosen = my_choices(session, round_, member.id) if voter else {}
        context = {
            "mine": mine_row, "voter": voter, "subjects": subjects, "chosen": chosen,
            "open": voting_open(round_, now),
            "until": day(round_.closes_at.astimezone(tz) - _SECOND, tz),
            "left": sum(1 for s in subjects if s.member_id not in chosen),
            "tally": stored_tally(mine_row) if mine_row is not None and round_.closed_at
            else None,
        }
    return render_template("pages/evaluation.html", round=round_, grades=GRADES,
                           grade_name=grade_name, self_max=SELF_MAX, **context)


def _open_round() -> EvaluationRound:
    found = open_round_of(db(), current_member().branch_id)
    if found is None:
        raise DomainError("EVAL_NONE_OPEN")
    return found


@bp.post("/evaluation/vote")
@member_required
def vote() -> ResponseReturnValue:
    """One member rated (the button pressed): my choice, changing an earlier one."""
    round_ = _open_round()
    member = current_member()
    subject = request.form.get("subject", "")
    grade = request.form.get("grade", "")
    if not (subject.isascii() and subject.isdigit()) or grade not in GRADES:  # not "²"
        raise DomainError("EVAL_NOTHING_CHOSEN")
    cast_votes(db(), member_actor(), round_, member, {int(subject): Grade(grade)},
               services_of().clock())
    save()
    flash(texts.EVAL_PAGE_SAVED)
    return redirect(url_for("pages.evaluation.evaluation") + f"#m{subject}")


@bp.post("/evaluation/self")
@member_required
def self_assessment() -> ResponseReturnValue:
    """My self-assessment, in words."""
    round_ = _open_round()
    member = current_member()
    self_assess(db(), member_actor(), round_, member.id, services_of().clock(),
                text=request.form.get("text", "")[:SELF_MAX + 1])
    save()
    flash(texts.EVAL_PAGE_SELF_SAVED)
    return redirect(url_for("pages.evaluation.evaluation"))
