"""The console's first pages: the overview of every branch in scope (township and
county staff), and one branch at a glance. Built on the same compliance picture as the
chat's 统计 (models.compliance), so the two never disagree."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from bot.console.access import (
    bp,
    branch_in_scope,
    current_account,
    login_required,
    org_in_scope,
)
from bot.services import services_of
from models.compliance import State, compliance, lag
from models.member import Member
from models.org import Org, OrgKind, branches_under
from models.questions import waiting_count


@bp.get("/")
@login_required
def overview() -> ResponseReturnValue:
    """Every branch in scope, lagging first; a branch secretary goes to their branch."""
    account = current_account()
    if not account.is_staff:
        return redirect(url_for("console.branch", branch_id=account.org_id))
    services = services_of()
    settings = services.settings
    with services.sessions() as session:
        committees = list(session.scalars(select(Org).where(
            Org.parent_id == account.org_id, Org.kind == OrgKind.COMMITTEE).order_by(Org.name)))
        chosen = request.args.get("org", type=int) or account.org_id
        org_in_scope(session, chosen)
        branches = branches_under(session, chosen)
        names = {org.id: org.name for org in session.scalars(select(Org))}
        parents = {org.id: org.parent_id for org in branches}
        pictures = sorted(compliance(session, branches, services.clock(), settings.tz,
                                     settings.cadence), key=lag)
    # Not every branch needs every kind (党小组会 only with groups): one column per kind
    # any branch needs, in the cadence's order, and "—" where a branch does not.
    needed = {kind.kind: kind.name for picture in pictures for kind in picture.kinds}
    kinds = [(code, needed[code]) for code in settings.cadence if code in needed]
    cells = [{kind.kind: kind for kind in picture.kinds} for picture in pictures]
    return render_template("console/overview.html", rows=list(zip(pictures, cells, strict=True)),
                           kinds=kinds,
                           committees=committees, chosen=chosen, names=names,
                           parents=parents, State=State)


@bp.get("/branch/<int:branch_id>")
@login_required
def branch(branch_id: int) -> ResponseReturnValue:
    """One branch: its 三会一课 picture and its members."""
    services = services_of()
    settings = services.settings
    with services.sessions() as session:
        org = branch_in_scope(session, branch_id)
        picture = compliance(session, [org], services.clock(), settings.tz,
                             settings.cadence)[0]
        members = list(session.scalars(select(Member).where(Member.branch_id == branch_id)
                                       .order_by(Member.name)))
        query = (request.args.get("q") or "").strip()[:50]
        if query:
            members = [m for m in members if query in m.name or query in (m.phone or "")]
        rows = [{"id": m.id, "name": m.name, "admin": m.is_admin, "helper": m.is_helper,
                 "posts": m.committee_posts or "", "bound": m.openid is not None,
                 "needs_help": m.needs_help or ""} for m in members]
        name = org.name
        waiting = waiting_count(session, branch_id)
    return render_template("console/branch.html", name=name, picture=picture, members=rows,
                           query=query, State=State, branch_id=branch_id,
                           open_questions=waiting)
