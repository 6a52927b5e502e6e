"""民主评议党员 in the console: a branch's round — open it (deadline, who is evaluated,
who votes), follow its progress (who has voted, never what), enter paper ballots, end
the voting early, record the branch committee's determinations, close it — and a
committee's page of its branches' closed rounds (a township sees its own branches; no
ranking: branches in name order, members in roster order).

Every change is models.evaluation.actions', as the console's actor; a refusal is flashed
on the round's page (bot.console.request_db)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, select

from bot.console.access import (
    branch_in_scope,
    console_actor,
    form_id,
    login_required,
    scoped_org,
)
from bot.console.request_db import db, refusal_goes_to, save
from bot.services import services_of
from core import texts
from models.errors import DomainError
from models.evaluation.actions import (
    REASON_MAX,
    cast_votes,
    close_round,
    end_voting,
    grade_name,
    open_round,
    set_determination,
)
from models.evaluation.queries import (
    closed_results_under,
    leading_grade,
    open_round_of,
    progress_of,
    rounds_of,
    stored_tally,
    subjects_of,
    tallies_of,
    voting_open,
)
from models.evaluation.tables import GRADES, EvaluationRound, Grade, Method
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branch_refs_under
from models.members.tables import Member, live_member

bp = Blueprint("evaluation", __name__)  # registered under the console in bot/console/__init__.py

DEFAULT_DAYS = 14


def _round(round_id: int) -> EvaluationRound:
    """The round, or 404 outside the account's scope."""
    session = db()
    found = session.get(EvaluationRound, round_id)
    if found is None:
        abort(404)
    branch_in_scope(session, found.branch_id)
    refusal_goes_to(url_for("console.evaluation.branch_round", branch_id=found.branch_id))
    return found


def _back(round_: EvaluationRound) -> ResponseReturnValue:
    return redirect(url_for("console.evaluation.branch_round", branch_id=round_.branch_id))


@bp.get("/branch/<int:branch_id>/evaluation")
@login_required
def branch_round(branch_id: int) -> ResponseReturnValue:
    """The branch's round: the form to open one, or the open one's progress, paper
    ballots, determinations and close; then the closed rounds with each member's result."""
    session = db()
    org = branch_in_scope(session, branch_id)
    services = services_of()
    now, tz = services.clock(), services.settings.tz
    current = open_round_of(session, branch_id)
    members = list(session.execute(select_members(branch_id)))
    context: dict[str, object] = {}
    if current is not None:
        subjects = subjects_of(session, current)
        progress = progress_of(session, current)
        voting = voting_open(current, now)
        tallies = {} if voting else tallies_of(session, current)
        context = {
            "subjects": subjects, "progress": progress, "voting": voting,
            "tallies": tallies, "leading": {s.member_id: leading_grade(tallies.get(
                s.member_id)) or Grade.QUALIFIED for s in subjects},
            "paper_voters": [p for p in progress if p.method != Method.ONLINE.value
                             and p.rated < p.due],
            "voted": sum(1 for p in progress if p.rated >= p.due),
            "selves": sum(1 for s in subjects if s.row.self_at),
        }
    closed = [(r, subjects_of(session, r)) for r in rounds_of(session, branch_id)
              if r.closed_at is not None]
    default_day = (now.astimezone(tz).date() + timedelta(days=DEFAULT_DAYS)).isoformat()
    return render_template("console/evaluation.html", org=org, current=current,
                           members=members, closed=closed, tz=tz, now=now, grades=GRADES,
                           grade_name=grade_name, stored_tally=stored_tally,
                           default_day=default_day, reason_max=REASON_MAX, **context)


def select_members(branch_id: int) -> Select[int, str, bool]:
    """The branch's live members (id, name, has WeChat), in roster order."""
    return select(Member.id, Member.name, Member.openid.is_not(None)).where(
        Member.branch_id == branch_id, live_member()).order_by(Member.id)


def _ids(field: str) -> list[int]:
    return [i for i in (form_id(v) for v in request.form.getlist(field)) if i is not None]


@bp.post("/branch/<int:branch_id>/evaluation/open")
@login_required
def open_evaluation(branch_id: int) -> ResponseReturnValue:
    """Open a round: deadline, who is evaluated, who votes (default everyone)."""
    session = db()
    branch_in_scope(session, branch_id)
    refusal_goes_to(url_for("console.evaluation.branch_round", branch_id=branch_id))
    services = services_of()
    try:
        closes_on = date.fromisoformat(request.form.get("closes_on", ""))
    except ValueError:
        raise DomainError("EVAL_CONSOLE_BAD_DATE") from None
    open_round(session, console_actor(), branch_id, closes_on,
               subject_ids=_ids("subject") or None, voter_ids=_ids("voter") or None,
               outbox=services.outbox, tz=services.settings.tz, now=services.clock())
    save()
    flash(texts.EVAL_CONSOLE_OPENED)
    return redirect(url_for("console.evaluation.branch_round", branch_id=branch_id))


@bp.post("/evaluation/<int:round_id>/paper")
@login_required
def paper_ballot(round_id: int) -> ResponseReturnValue:
    """Enter one member's paper ballot (纸质): a grade per member rated."""
    round_ = _round(round_id)
    session = db()
    voter = session.get(Member, form_id(request.form.get("voter")) or 0)
    if voter is None or voter.branch_id != round_.branch_id:
        abort(404)
    choices = {}
    for subject in subjects_of(session, round_):
        value = request.form.get(f"grade-{subject.member_id}", "")
        if value in GRADES:
            choices[subject.member_id] = Grade(value)
    cast = cast_votes(session, console_actor(), round_, voter, choices, services_of().clock(),
                      method=Method.PAPER)
    save()
    flash(texts.EVAL_CONSOLE_PAPER_OK.format(voter=voter.name, count=cast.rated))
    return _back(round_)


@bp.post("/evaluation/<int:round_id>/end-voting")
@login_required
def end_evaluation_voting(round_id: int) -> ResponseReturnValue:
    """End the voting before its deadline."""
    round_ = _round(round_id)
    end_voting(db(), console_actor(), round_, services_of().clock())
    save()
    flash(texts.EVAL_CONSOLE_ENDED)
    return _back(round_)


@bp.post("/evaluation/<int:round_id>/determinations")
@login_required
def determinations(round_id: int) -> ResponseReturnValue:
    """Save the committee's determinations (a reason where one differs from the votes)."""
    round_ = _round(round_id)
    session = db()
    now = services_of().clock()
    for subject in subjects_of(session, round_):
        value = request.form.get(f"determination-{subject.member_id}", "")
        reason = request.form.get(f"reason-{subject.member_id}", "")[:REASON_MAX + 1]
        grade = Grade(value) if value in GRADES else None
        if grade != (Grade(subject.row.determination) if subject.row.determination else None) \
                or reason.strip() != (subject.row.reason or ""):
            set_determination(session, console_actor(), round_, subject.member_id, grade,
                              reason, now)
    save()
    flash(texts.EVAL_CONSOLE_SAVED)
    return _back(round_)


@bp.post("/evaluation/<int:round_id>/close")
@login_required
def close_evaluation(round_id: int) -> ResponseReturnValue:
    """Close the round (over the cap on 优秀 only with a reason)."""
    round_ = _round(round_id)
    services = services_of()
    close_round(db(), console_actor(), round_, outbox=services.outbox, tz=services.settings.tz,
                now=services.clock(),
                over_cap_reason=request.form.get("over_cap_reason", "")[:REASON_MAX])
    save()
    flash(texts.EVAL_CONSOLE_CLOSED)
    return _back(round_)


@bp.get("/org/<int:org_id>/evaluation")
@login_required
def committee_results(org_id: int) -> ResponseReturnValue:
    """A committee's branches and their closed rounds (counts per determination), by
    branch name — never ranked."""
    session = db()
    org: Org = scoped_org(session, org_id, (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH))
    branches = sorted(branch_refs_under(session, org_id), key=lambda b: b.name)
    results = closed_results_under(session, [b.id for b in branches])
    by_branch: dict[int, list[object]] = {}
    for result in results:
        by_branch.setdefault(result.round.branch_id, []).append(result)
    return render_template("console/evaluation_org.html", org=org, branches=branches,
                           by_branch=by_branch, grades=GRADES, grade_name=grade_name,
                           tz=services_of().settings.tz)
