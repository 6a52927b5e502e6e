"""统计: a branch admin's picture of their branch — 三会一课 this quarter, attendance,
how notices reached members (template, customer service, helper, held, failed) and
一帮一."""

from __future__ import annotations

from datetime import timedelta

from core import texts, words
from core.localtime import day, period_containing, start_of_month, when
from core.notices import names_list
from handlers.router import Context, Reply, Role, Router, Takes
from models.delivery.reach import Reach, branch_reach, failure_text, unreachable_members
from models.meetings.compliance import State, compliance, summarize_branches
from models.members.org_tables import Org
from models.members.orgs import admin_org_of, branches_under
from models.pairing.reports import branch_pair_report
from models.questions.actions import open_questions

router = Router("stats")


def stats_lines(ctx: Context, branch: Org) -> list[str]:
    """This quarter's picture of one branch (统计), as reply lines."""
    tz = ctx.tz
    found = compliance(ctx.session, [branch], ctx.now, tz, ctx.settings.cadence)[0]
    lines = [texts.STATS_HEADER.format(branch=branch.name, today=day(ctx.now, tz))]
    for item in found.kinds:
        if item.state is State.ON_TRACK:
            lines.append(texts.STATS_KIND_DONE.format(kind=item.name, period=item.period.label,
                                                      held=item.held))
        elif item.state is State.AT_RISK:
            planned = texts.PLANNED_SUFFIX if item.planned else ""
            lines.append(texts.STATS_KIND_RISK.format(kind=item.name, period=item.period.label,
                                                      days=item.days_left, planned=planned))
        else:
            lines.append(texts.STATS_KIND_MISSED.format(kind=item.name,
                                                        period=item.period.label))
    counts = found.attendance
    quarter = period_containing(ctx.now, "quarter", tz).label
    if counts.expected:
        lines.append(texts.STATS_ATTENDANCE.format(
            period=quarter, expected=counts.expected, present=counts.present,
            leave=counts.leave, absent=counts.absent, rate=f"{counts.rate:.0%}"))
    else:
        lines.append(texts.STATS_NO_MEETINGS.format(period=quarter))
    lines += reach_lines(branch_reach(ctx.session, branch.id, ctx.now - REACH_PERIOD),
                         unreachable_members(ctx.session, branch.id))
    pairs = branch_pair_report(ctx.session, branch.id, start_of_month(ctx.now, tz), ctx.now)
    if pairs.pairs or pairs.relays:
        rate = "—" if pairs.rate is None else f"{pairs.rate:.0%}"
        lines.append(texts.STATS_PAIRS.format(pairs=pairs.pairs, done=pairs.confirmed,
                                              total=pairs.relays, rate=rate))
    if pairs.not_reached:
        lines.append(texts.STATS_NOT_REACHED.format(names=names_list(pairs.not_reached, 20)))
    if pairs.idle_helpers:
        lines.append(texts.STATS_IDLE_HELPERS.format(names=names_list(pairs.idle_helpers, 50)))
    lines += question_lines(ctx, branch)
    return lines


QUESTIONS_SHOWN = 3


def question_lines(ctx: Context, branch: Org) -> list[str]:
    """Members' questions waiting for the admin, oldest first (统计)."""
    total, waiting = open_questions(ctx.session, branch.id, limit=QUESTIONS_SHOWN)
    if not total:
        return []
    lines = [texts.STATS_QUESTIONS.format(count=total)]
    lines += [texts.STATS_QUESTION_LINE.format(name=q.name, when=when(q.asked_at, ctx.tz),
                                               text=q.text if len(q.text) <= 40
                                               else q.text[:39] + "…") for q in waiting]
    if total > len(waiting):
        lines.append(texts.STATS_QUESTIONS_MORE.format(count=total - len(waiting)))
    return lines


REACH_PERIOD = timedelta(days=30)


def reach_lines(reach: Reach, unreachable: list[str]) -> list[str]:
    """How the branch's notices reached its members, and who cannot be reached now
    (统计: the same names as the console's delivery page)."""
    now_line = [texts.STATS_REACH_UNREACHABLE.format(
        count=len(unreachable), names=names_list(unreachable, 20))] if unreachable else []
    if not reach.total:
        return now_line
    more = (texts.STATS_REACH_IN_FLIGHT.format(count=reach.in_flight) if reach.in_flight
            else "") + (texts.STATS_REACH_DROPPED.format(count=reach.dropped)
                        if reach.dropped else "") + (
        texts.STATS_REACH_UNDELIVERABLE.format(count=reach.unreachable_notices)
        if reach.unreachable_notices else "")
    lines = [texts.STATS_REACH.format(days=REACH_PERIOD.days, template=reach.template,
                                      custom=reach.customer_service, helper=reach.helper,
                                      more=more)]
    if reach.held:
        lines.append(texts.STATS_REACH_HELD.format(count=len(reach.held),
                                                   names=names_list(reach.held, 20)))
    lines += now_line
    if reach.failed:
        reasons = words.LIST_SEP.join(
            texts.STATS_REACH_REASON.format(reason=failure_text(key), count=count)
            for key, count in reach.failed.most_common())
        lines.append(texts.STATS_REACH_FAILED.format(count=sum(reach.failed.values()),
                                                     reasons=reasons))
    return lines


@router.command("统计", Role.ANY_ADMIN, usage="统计", takes=Takes.TOPIC)
def stats(ctx: Context) -> Reply:
    """本季度三会一课落实情况和出勤率"""
    org = admin_org_of(ctx.session, ctx.me.member.id)
    own_branch = bool(ctx.args and ctx.args[0] in words.STATS_OWN_BRANCH)
    if org is not None and not own_branch:
        return "\n".join(org_stats_lines(ctx, org))
    if not ctx.me.is_admin:  # township staff asking for a branch of their own
        return Role.ADMIN.refusal()
    return "\n".join(stats_lines(ctx, ctx.me.member.branch))


def org_stats_lines(ctx: Context, org: Org) -> list[str]:
    """统计 for township/county staff: their subtree in three lines, and where the
    console shows every branch."""
    pictures = compliance(ctx.session, branches_under(ctx.session, org.id), ctx.now, ctx.tz,
                          ctx.settings.cadence)
    summary = summarize_branches(pictures)
    rate = summary.attendance.rate
    lines = [texts.STATS_ORG_HEADER.format(
        org=org.name, today=day(ctx.now, ctx.tz), branches=summary.branches,
        on_track=summary.on_track, at_risk=summary.at_risk, missed=summary.missed)]
    lines.append(texts.STATS_ORG_ATTENDANCE.format(
        period=period_containing(ctx.now, "quarter", ctx.tz).label,
        rate="—" if rate is None else f"{rate:.0%}",
        lagging=texts.STATS_ORG_LAGGING.format(names=words.LIST_SEP.join(summary.lagging))
        if summary.lagging else ""))
    public = ctx.settings.public_url
    lines.append(texts.STATS_ORG_CONSOLE.format(url=f"{public}/admin/") if public
                 else texts.STATS_ORG_CONSOLE_LOCAL)
    if ctx.me.member.is_admin:
        lines.append(texts.STATS_ORG_OWN_BRANCH)
    return lines
