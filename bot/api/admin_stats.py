"""统计 in the mini-program: the numbers of the chat's reply (handlers/stats.py) as JSON,
from the same queries — 三会一课 this quarter per kind, attendance, how notices reached
members in the last 30 days, 一帮一 this month, open questions. A branch admin sees their
branch; township / county staff their area in three numbers, or any branch below them
(`?branch_id=`, like `统计 <支部名>`). A branch outside that is 404; a plain member 403."""

from __future__ import annotations

from datetime import timedelta

from bot.api import admin_access
from bot.api.runner import Call, Endpoint
from bot.api.schemas_admin import (
    AttendanceOut,
    BranchStatsOut,
    KindStatsOut,
    OrgStatsOut,
    PairsOut,
    ReachOut,
    StatsOut,
    StatsQuery,
)
from core.localtime import day, period_containing, start_of_month
from models.delivery.reach import branch_reach, unreachable_members
from models.meetings.compliance import AttendanceCounts, compliance, summarize_branches
from models.members.org_tables import Org, OrgKind
from models.members.orgs import branches_under
from models.pairing.reports import branch_pair_report
from models.questions.actions import open_questions

REACH_PERIOD = timedelta(days=30)  # the chat's 统计 counts the same days


def _attendance(counts: AttendanceCounts) -> AttendanceOut:
    return AttendanceOut(expected=counts.expected, present=counts.present, leave=counts.leave,
                         absent=counts.absent, rate=counts.rate)


def branch_stats(call: Call, branch: Org) -> BranchStatsOut:
    """One branch's 统计."""
    session, now = call.session, call.now
    settings = call.services.settings
    tz = settings.tz
    found = compliance(session, [branch], now, tz, settings.cadence)[0]
    kinds = [KindStatsOut(kind=k.kind, name=k.name, period=k.period.label, state=str(k.state),
                          held=k.held, days_left=k.days_left,
                          next_planned=k.next_planned.astimezone(tz) if k.next_planned
                          else None) for k in found.kinds]
    reach = branch_reach(session, branch.id, now - REACH_PERIOD)
    pairs = branch_pair_report(session, branch.id, start_of_month(now, tz), now)
    waiting, _ = open_questions(session, branch.id, limit=1)  # (count, the first)
    return BranchStatsOut(
        id=branch.id, name=branch.name, kinds=kinds, attendance=_attendance(found.attendance),
        reach=ReachOut(days=REACH_PERIOD.days, template=reach.template,
                       customer_service=reach.customer_service, helper=reach.helper,
                       subscription=reach.subscription, in_flight=reach.in_flight,
                       dropped=reach.dropped, unreachable_notices=reach.unreachable_notices,
                       held=list(reach.held), failed=dict(reach.failed),
                       unreachable_members=unreachable_members(session, branch.id)),
        pairs=PairsOut(pairs=pairs.pairs, relays=pairs.relays, confirmed=pairs.confirmed,
                       rate=pairs.rate, not_reached=list(pairs.not_reached),
                       idle_helpers=list(pairs.idle_helpers)),
        open_questions=waiting)


def org_stats(call: Call, org: Org) -> OrgStatsOut:
    """Township / county staff's 统计: their branches in three numbers."""
    settings = call.services.settings
    branches = branches_under(call.session, org.id)
    pictures = compliance(call.session, branches, call.now, settings.tz, settings.cadence)
    summary = summarize_branches(pictures)
    return OrgStatsOut(id=org.id, name=org.name, branches=summary.branches,
                       on_track=summary.on_track, at_risk=summary.at_risk,
                       missed=summary.missed, unarranged=summary.unarranged,
                       empty=list(summary.empty), attendance=_attendance(summary.attendance),
                       lagging=list(summary.lagging), branch_ids=[b.id for b in branches])


def admin_stats(call: Call) -> StatsOut:
    """统计: my branch this quarter (township / county staff: their area, or one branch
    below them with `branch_id`)."""
    query: StatsQuery = call.query
    me, org = admin_access.any_admin(call)
    tz = call.services.settings.tz
    branch: Org | None = None
    if query.branch_id is not None:
        branch = call.session.get(Org, query.branch_id)
        mine = branch is not None and me.is_admin and branch.id == me.branch_id
        if branch is None or branch.kind != OrgKind.BRANCH or not (
                mine or admin_access.in_area(call, org, branch.id)):
            raise admin_access.not_found()
    elif org is None:
        branch = me.branch
    return StatsOut(today=day(call.now, tz),
                    quarter=period_containing(call.now, "quarter", tz).label,
                    branch=branch_stats(call, branch) if branch is not None else None,
                    org=org_stats(call, org) if branch is None and org is not None else None)


ENDPOINTS = (
    Endpoint("GET", "/admin/stats", admin_stats, "This quarter's numbers", StatsOut,
             query=StatsQuery, errors=(404,)),
)
