"""统计: a branch admin's picture of their branch — 三会一课 this quarter, attendance,
how notices reached members (template, customer service, helper, held, failed) and
一帮一. Township and county staff get their subtree in three lines, one branch by name
(统计 红光村), and the branches behind when they ask ("哪些支部落后了")."""

from __future__ import annotations

from datetime import timedelta

from core import texts, words
from core.branch_questions import branch_asked, lagging_question, matching_branches
from core.localtime import day, period_containing, start_of_month, when
from core.notices import names_list
from handlers.router import Context, Reply, Role, Router, Takes
from models.delivery.reach import Reach, branch_reach, failure_text, unreachable_members
from models.meetings.compliance import (
    BranchCompliance,
    KindStatus,
    State,
    compliance,
    lag,
    summarize_branches,
)
from models.meetings.tables import KIND_NAMES
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
            planned = texts.STATS_PLANNED_ON.format(when=when(item.next_planned, tz)) \
                if item.next_planned is not None else texts.STATS_NOT_PLANNED
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
    more = (texts.STATS_REACH_SUBSCRIPTION.format(count=reach.subscription)
            if reach.subscription else "") + (
        texts.STATS_REACH_IN_FLIGHT.format(count=reach.in_flight) if reach.in_flight
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


@router.command("统计", Role.ANY_ADMIN, usage="统计", takes=Takes.ANYTHING)
def stats(ctx: Context) -> Reply:
    """本季度三会一课落实情况和出勤率"""
    org = admin_org_of(ctx.session, ctx.me.member.id)
    asked = branch_asked("".join(ctx.args))
    own_branch = asked in words.STATS_OWN_BRANCH
    if org is not None and not own_branch:
        if asked and asked not in words.STATS_WHOLE_ORG:
            return branch_by_name(ctx, org, asked)
        return "\n".join(org_stats_lines(ctx, org))
    if not ctx.me.is_admin:  # township staff asking for a branch of their own
        return Role.ADMIN.refusal()
    return "\n".join(stats_lines(ctx, ctx.me.member.branch))


def branch_by_name(ctx: Context, org: Org, asked: str) -> str:
    """统计 <支部名> for township/county staff: that branch, if it is below them."""
    branches = branches_under(ctx.session, org.id)
    found = matching_branches(asked, branches)
    if len(found) == 1:
        return "\n".join(stats_lines(ctx, found[0]))
    if found:
        return texts.STATS_BRANCH_SEVERAL.format(
            org=org.name, name=asked, names=names_list([b.name for b in found], 10),
            example=found[0].name)
    return texts.STATS_BRANCH_NOT_FOUND.format(
        org=org.name, name=asked, names=names_list([b.name for b in branches], 10))


def _asks_lagging(ctx: Context) -> bool:
    # the words first: the caller's lookup costs a statement
    if lagging_question(ctx.text) is None:
        return False
    caller = ctx.caller
    return caller is not None and caller.is_org_admin


@router.message("text", Role.ANY_ADMIN, when=_asks_lagging)
def lagging_branches(ctx: Context) -> Reply:
    """哪些支部落后了: the branches behind on 三会一课, furthest first."""
    org = admin_org_of(ctx.session, ctx.me.member.id)
    if org is None:  # not staff after all (removed in this transaction)
        return None
    kinds = lagging_question(ctx.text) or frozenset()
    pictures = compliance(ctx.session, branches_under(ctx.session, org.id), ctx.now, ctx.tz,
                          ctx.settings.cadence)
    return "\n".join(lagging_lines(ctx, org, pictures, kinds))


def lagging_lines(ctx: Context, org: Org, pictures: list[BranchCompliance],
                  kinds: frozenset[str]) -> list[str]:
    """The branches with a meeting missed or not even arranged (of `kinds`; empty: all),
    each with what it lacks; then those whose meetings are all arranged, and those with
    no members yet (left out)."""
    today = day(ctx.now, ctx.tz)

    def considered(picture: BranchCompliance) -> list[KindStatus]:
        return [k for k in picture.kinds if not kinds or k.kind in kinds]

    behind: list[tuple[BranchCompliance, list[KindStatus]]] = []
    arranged: list[str] = []
    for picture in sorted(pictures, key=lag):
        if not picture.members:
            continue
        lacking = [k for k in considered(picture) if k.state is State.MISSED
                   or (k.state is State.AT_RISK and not k.arranged)]
        if lacking:
            behind.append((picture, lacking))
        elif any(k.arranged for k in considered(picture)):
            arranged.append(picture.name)
    kind_name = words.LIST_SEP.join(KIND_NAMES.get(kind, kind) for kind in sorted(kinds))
    if behind:
        header = texts.LAGGING_HEADER_KIND if kinds else texts.LAGGING_HEADER
        lines = [header.format(org=org.name, today=today, count=len(behind), kind=kind_name)]
        lines += [texts.LAGGING_LINE.format(number=number, branch=picture.name,
                                            missing=texts.LAGGING_SEP.join(
                                                _lacking(k) for k in lacking))
                  for number, (picture, lacking) in enumerate(behind, start=1)]
    else:
        none = texts.LAGGING_NONE_KIND if kinds else texts.LAGGING_NONE
        lines = [none.format(org=org.name, today=today, kind=kind_name)]
    if arranged:
        lines.append(texts.LAGGING_ARRANGED.format(names=names_list(arranged, 20)))
    empty = [p.name for p in pictures if not p.members]
    if empty:
        lines.append(texts.LAGGING_EMPTY.format(names=names_list(empty, 20)))
    if behind:
        lines.append(texts.LAGGING_FOOTER.format(example=behind[0][0].name))
    return lines


def _lacking(kind: KindStatus) -> str:
    if kind.state is State.MISSED:
        return texts.LAGGING_MISSED.format(kind=kind.name, period=kind.period.label)
    return texts.LAGGING_UNARRANGED.format(kind=kind.name, days=kind.days_left)


def org_stats_lines(ctx: Context, org: Org) -> list[str]:
    """统计 for township/county staff: their subtree in three lines, and where the
    console shows every branch."""
    pictures = compliance(ctx.session, branches_under(ctx.session, org.id), ctx.now, ctx.tz,
                          ctx.settings.cadence)
    summary = summarize_branches(pictures)
    rate = summary.attendance.rate
    header = texts.STATS_ORG_HEADER.format(
        org=org.name, today=day(ctx.now, ctx.tz), branches=summary.branches,
        on_track=summary.on_track, at_risk=summary.at_risk, missed=summary.missed)
    if summary.unarranged:
        header += texts.STATS_ORG_UNARRANGED.format(count=summary.unarranged)
    if summary.empty:
        header += texts.STATS_ORG_EMPTY.format(count=len(summary.empty),
                                              names=names_list(summary.empty, 5))
    lines = [header]
    lines.append(texts.STATS_ORG_ATTENDANCE.format(
        period=period_containing(ctx.now, "quarter", ctx.tz).label,
        rate="—" if rate is None else f"{rate:.0%}",
        lagging=texts.STATS_ORG_LAGGING.format(names=words.LIST_SEP.join(summary.lagging))
        if summary.lagging else ""))
    public = ctx.settings.public_url
    # a space after the link: a full stop glued to it may be read as part of the address
    lines.append((texts.STATS_ORG_CONSOLE.format(url=f"{public}/admin/") + " " if public
                  else texts.STATS_ORG_CONSOLE_LOCAL) + texts.STATS_ORG_ASK_MORE)
    if ctx.me.member.is_admin:
        lines.append(texts.STATS_ORG_OWN_BRANCH)
    return lines
