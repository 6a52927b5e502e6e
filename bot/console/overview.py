"""The console's first pages: the overview of every branch in scope (township and
county staff) with the quarterly trend, and one branch at a glance. Built on the same
compliance picture as the chat's 统计 (models.meetings.compliance) and the same study numbers as
the weekly digest (models.study.reports), so they never disagree."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.access import branch_in_scope, current_account, login_required, org_in_scope
from bot.console.members import county_account
from bot.console.request_db import db
from bot.services import services_of
from core.localtime import last_week
from models.delivery.reach import unreachable_counts
from models.meetings.compliance import State, compliance, lag
from models.meetings.trends import last_quarters, quarter_trends
from models.members.listing import member_page
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branch_refs_under
from models.pairing.queries import helper_role_ids
from models.questions.actions import waiting_count
from models.study.reports import BranchStudy, study_by_branch

bp = Blueprint("overview", __name__)  # registered under the console in bot/console/__init__.py

TREND_QUARTERS = 4
STUDY_RATES_FOR = 600.0  # seconds an app reuses last week's study rates


@dataclass
class StudyRatesCache:
    """Last week's study rates, kept per app (in app.extensions) for a few minutes."""

    week: str = ""
    computed_at: float = float("-inf")
    rates: dict[int, BranchStudy] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def last_weeks_study(session: Session, now: datetime,
                     tz: ZoneInfo) -> tuple[str, dict[int, BranchStudy]]:
    """Last week's study per branch — the weekly digest's numbers — computed once every
    10 minutes: a finished week hardly changes, and counting a county's study records on
    every page view would not fit the page's time."""
    cache = current_app.extensions.setdefault("partybot.study_rates", StudyRatesCache())
    week = last_week(now, tz)
    with cache.lock:
        if cache.week != week.label or time.monotonic() - cache.computed_at > STUDY_RATES_FOR:
            cache.rates = study_by_branch(session, week.start, week.end)
            cache.week, cache.computed_at = week.label, time.monotonic()
        return week.label, cache.rates


@bp.get("/")
@login_required
def overview() -> ResponseReturnValue:
    """Every branch in scope, lagging first; a branch secretary goes to their branch."""
    account = current_account()
    if not account.is_staff:
        return redirect(url_for("console.overview.branch", branch_id=account.org_id))
    services = services_of()
    settings = services.settings
    session = db()
    committees = list(session.scalars(select(Org).where(
        Org.parent_id == account.org_id, Org.kind == OrgKind.COMMITTEE).order_by(Org.name)))
    chosen = request.args.get("org", type=int) or account.org_id
    org_in_scope(session, chosen)
    branches = branch_refs_under(session, chosen)
    parents = {org.id: org.parent_id for org in branches}
    named = {chosen} | {parent for parent in parents.values() if parent is not None}
    names = {org: name for org, name in session.execute(
        select(Org.id, Org.name).where(Org.id.in_(named)))}
    now = services.clock()
    pictures = sorted(compliance(session, branches, now, settings.tz,
                                 settings.cadence), key=lag)
    ids = [org.id for org in branches]
    unreachable = unreachable_counts(session, ids)
    week, study = last_weeks_study(session, now, settings.tz)
    # A branch with nobody on its roster yet (just set up) holds no meetings: counting
    # it would drag the history down for nothing.
    staffed = [picture.branch_id for picture in pictures if picture.members]
    trends = quarter_trends(session, staffed, last_quarters(now, settings.tz, TREND_QUARTERS),
                            settings.cadence)
    # Not every branch needs every kind (党小组会 only with groups): one column per kind
    # any branch needs, in the cadence's order, and "—" where a branch does not.
    needed = {kind.kind: kind.name for picture in pictures for kind in picture.kinds}
    kinds = [(code, needed[code]) for code in settings.cadence if code in needed]
    cells = [{kind.kind: kind for kind in picture.kinds} for picture in pictures]
    return render_template("console/overview.html", rows=list(zip(pictures, cells, strict=True)),
                           kinds=kinds, committees=committees, chosen=chosen, names=names,
                           parents=parents, State=State, unreachable=unreachable,
                           study=study, week=week, trends=trends, tz=settings.tz,
                           trend_left_out=len(pictures) - len(staffed))


@bp.get("/branch/<int:branch_id>")
@login_required
def branch(branch_id: int) -> ResponseReturnValue:
    """One branch: its 三会一课 picture and its members."""
    services = services_of()
    settings = services.settings
    session = db()
    org = branch_in_scope(session, branch_id)
    picture = compliance(session, [org], services.clock(), settings.tz,
                         settings.cadence)[0]
    query = (request.args.get("q") or "").strip()[:50]
    shown = member_page(session, branch_id, query, request.args.get("page", 1, type=int))
    helpers = helper_role_ids(session, [m.id for m in shown.members])  # follows the pairs
    rows = [{"id": m.id, "name": m.name, "admin": m.is_admin, "helper": m.id in helpers,
             "posts": m.committee_posts or "", "bound": m.openid is not None,
             "needs_help": m.needs_help or ""} for m in shown.members]
    name = org.name
    waiting = waiting_count(session, branch_id)
    return render_template("console/branch.html", name=name, picture=picture, members=rows,
                           shown=shown, query=query, State=State, branch_id=branch_id,
                           open_questions=waiting, tz=settings.tz,
                           can_forget=county_account())
