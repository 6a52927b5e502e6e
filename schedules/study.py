"""Study sweepers: the push of new items, and the weekly digests.

The push tells every member of an item's audience who has not studied it yet, once per
member and item (the outbox key `study:<item>:member:<member>`), in chunks so that a
county-wide item stays within memory; the item is marked pushed in the transaction of
its last chunk. Items go out at their push time: the daily push time after posting,
or their own scheduled time.

Every Monday the digests go out: to each township / county admin, study and
attendance rates per branch below them and the branches furthest behind; to each
branch admin, who has not studied last week's items and who could not be reached.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core import texts, words
from core.localtime import last_week
from core.notices import names_list
from models.actors import Actor
from models.db.write_gate import write_session
from models.delivery.outbox import Notice, not_reached_for_branch
from models.meetings.compliance import BranchCompliance, compliance
from models.members.org_tables import Org, OrgAdmin, OrgKind
from models.members.orgs import subtree_ids
from models.members.tables import Member
from models.pairing.reports import branch_pair_report
from models.study.actions import push_next_chunk
from models.study.queries import ancestor_ids
from models.study.reports import BranchStudy, study_by_branch
from models.study.tables import StudyItem, StudyRecord
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

PUSH_JOB = "study.push"  # the actor the audit log names for a scheduled push


def push_due_items(runtime: Runtime) -> int:
    """Queue the push of every item whose push time has come; returns notices queued."""
    now = runtime.clock()
    with runtime.sessions() as session:
        due = list(session.scalars(select(StudyItem.id).where(
            StudyItem.pushed_at.is_(None), StudyItem.push_at <= now,
            StudyItem.withdrawn_at.is_(None)).order_by(StudyItem.id)))
    return sum(push_item(runtime, item_id, now) for item_id in due)


def push_item(runtime: Runtime, item_id: int, now: datetime) -> int:
    """Tell the item's audience, chunk by chunk (models.study.actions.push_next_chunk);
    a restart resumes where it stopped."""
    actor = Actor.job(PUSH_JOB)
    queued, last_id = 0, 0
    while True:
        with write_session(runtime.engine) as session:
            if session.get_bind().dialect.name == "postgresql":
                # Each chunk is idempotent and the item is only marked pushed at the end:
                # losing the last chunks to a server crash means they are redone, so the
                # commits need not wait for the WAL flush.
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            step = push_next_chunk(session, actor, item_id, after_member_id=last_id,
                                   told_so_far=queued, outbox=runtime.outbox, now=now)
            session.commit()
            session.expunge_all()
        queued, last_id = queued + step.queued, step.last_member_id
        if step.done:
            break
    if queued:
        log.info("study: item %s pushed to %d members", item_id, queued)
    return queued


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def send_digests(runtime: Runtime) -> int:
    """The weekly digests (org admins and branch admins); returns notices queued."""
    now = runtime.clock()
    settings = runtime.settings
    week = last_week(now, settings.tz)
    start, end = week.start, week.end
    queued = 0
    with write_session(runtime.engine) as session:
        by_branch = study_by_branch(session, start, end)
        branches = {b.id: b for b in session.scalars(select(Org).where(
            Org.kind == OrgKind.BRANCH))}
        pictures = {c.branch_id: c for c in compliance(session, list(branches.values()), now,
                                                       settings.tz, settings.cadence)}
        for admin_of_org in session.scalars(select(OrgAdmin)):
            org_id, member_id = admin_of_org.org_id, admin_of_org.member_id
            member, org = admin_of_org.member, admin_of_org.org
            below = [b for b in subtree_ids(session, org_id) if b in branches]
            text = org_digest(org, below, branches, by_branch, pictures, week.label)
            console = f"{settings.public_url}/admin/?org={org_id}" if settings.public_url \
                else None
            if console:  # the whole picture, a tap away
                text += "\n" + texts.DIGEST_CONSOLE_LINK.format(url=console)
            queued += runtime.outbox.enqueue(
                session, f"digest:org:{org_id}:{week.label}:{member_id}", member,
                Notice("weekly_digest", text, fields={"org": org.name, "period": week.label},
                       url=console), now) is not None
        for admin in session.scalars(select(Member).where(Member.is_admin.is_(True))):
            branch = branches.get(admin.branch_id)
            if branch is None:
                continue
            text = branch_digest(session, branch, start, end, week.label,
                                 settings.relay_escalate_days)
            queued += runtime.outbox.enqueue(
                session, f"digest:branch:{branch.id}:{week.label}:{admin.id}", admin,
                Notice("weekly_digest", text, fields={"org": branch.name, "period": week.label}),
                now) is not None
        session.commit()
    log.info("digests: %d queued for %s", queued, week.label)
    return queued


def org_digest(org: Org, below: list[int], branches: dict[int, Org],
               by_branch: dict[int, BranchStudy], pictures: dict[int, BranchCompliance],
               week: str) -> str:
    """The township / county admin's digest text."""
    expected = sum(by_branch[b].expected for b in below if b in by_branch)
    studied = sum(by_branch[b].studied for b in below if b in by_branch)
    present = sum(pictures[b].attendance.present for b in below if b in pictures)
    attended = sum(pictures[b].attendance.expected for b in below if b in pictures)
    lines = [texts.DIGEST_ORG_HEADER.format(
        org=org.name, week=week, study_rate=_rate(studied / expected if expected else None),
        studied=studied, expected=expected,
        attendance_rate=_rate(present / attended if attended else None))]
    behind = sorted((b for b in below if by_branch.get(b) and by_branch[b].expected),
                    key=lambda b: (by_branch[b].rate or 0.0, b))[:5]
    if behind:
        lines.append(texts.DIGEST_ORG_BEHIND)
        lines += [texts.DIGEST_ORG_LINE.format(
            branch=branches[b].name, study_rate=_rate(by_branch[b].rate),
            attendance_rate=_rate(pictures[b].attendance.rate if b in pictures else None))
            for b in behind]
    return "\n".join(lines)


def branch_digest(session: Session, branch: Org, start: datetime, end: datetime,
                  week: str, escalate_days: int = 6) -> str:
    """The branch admin's digest: who did not study, who could not be reached. A
    forgotten member is never named, and counts as expected only for the items
    published before they were forgotten (models.study.reports' rule)."""
    members = list(session.scalars(select(Member).where(Member.branch_id == branch.id)))
    published = dict(session.execute(select(StudyItem.id, StudyItem.publish_at).where(
        StudyItem.org_id.in_(ancestor_ids(session, branch.id)),
        StudyItem.publish_at >= start, StudyItem.publish_at < end,
        StudyItem.withdrawn_at.is_(None))).all())
    items = list(published)
    member_ids = [m.id for m in members]
    done: set[tuple[int, int]] = {
        (member_id, item_id) for member_id, item_id in session.execute(
            select(StudyRecord.member_id, StudyRecord.item_id).where(
                StudyRecord.item_id.in_(items), StudyRecord.member_id.in_(member_ids)))
    } if items else set()
    lagging = sorted({m.name for m in members for item in items
                      if (m.id, item) not in done and m.forgotten_at is None})
    expected = sum(1 for m in members for when in published.values()
                   if m.forgotten_at is None or m.forgotten_at > when)
    lines = [texts.DIGEST_BRANCH_HEADER.format(branch=branch.name, week=week)]
    if items:
        names = texts.UNSTUDIED_NAMES.format(names=names_list(lagging, 20)) if lagging else ""
        lines.append(texts.DIGEST_BRANCH_STUDY.format(done=len(done),
                                                      total=expected,
                                                      names=names))
    member_names = {m.id: m.name for m in members}
    unreached = sorted({member_names[row.member_id] for row in not_reached_for_branch(
        session, branch.id, start, end) if row.member_id in member_names})
    lines.append(texts.DIGEST_BRANCH_UNREACHED.format(names=names_list(unreached, 30))
                 if unreached else texts.DIGEST_BRANCH_ALL_REACHED)
    pairs = branch_pair_report(session, branch.id, start, end)
    if pairs.overdue:
        lines.append(texts.DIGEST_BRANCH_OVERDUE.format(
            days=escalate_days, items=words.ITEM_SEP.join(
                texts.OVERDUE_ITEM.format(helper=helper, member=member, what=what)
                for helper, member, what in pairs.overdue[:10])))
    if pairs.idle_helpers:
        lines.append(texts.STATS_IDLE_HELPERS.format(names=names_list(pairs.idle_helpers, 50)))
    return "\n".join(lines)


JOBS = [
    JobSpec(PUSH_JOB, push_due_items, "interval", {"minutes": 1}),
    JobSpec("digests.weekly", send_digests, "cron",
            {"day_of_week": "mon", "hour": 9, "minute": 0}),
]
