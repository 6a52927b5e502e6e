"""Meeting sweepers: reminders before each meeting, closing finished meetings, and
warnings when a required meeting is at risk.

Every sweep is idempotent: a meeting's reminder flags are set in the same transaction
as its notices, and every notice has a dedupe key, so running a sweep twice, or after
a restart, queues nothing twice. A reminder whose time passed while the scheduler was
down still goes out, unless the meeting has started; if both reminders are due, only
the nearer (1 hour) one is sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from core import texts
from models.actors import Actor
from models.db.write_gate import write_session
from models.delivery.outbox import Notice
from models.meetings.actions import DAY_BEFORE, close_meeting, send_due_reminder
from models.meetings.compliance import State, compliance
from models.meetings.queries import meetings_due_to_close
from models.meetings.tables import KIND_NAMES, Meeting, MeetingStatus
from models.members.org_tables import Org, OrgKind
from models.members.orgs import admins_of
from models.members.tables import Member
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

CLOSE_JOB = "meetings.close_finished"  # its id, and the actor the audit log names

# Days before a period ends at which the branch admin is warned; the org above at 7.
WARN_DAYS = {"month": (14, 7), "quarter": (30, 14, 7), "year": (30, 14, 7)}
WARN_UP_DAYS = 7


def send_reminders(runtime: Runtime) -> int:
    """Queue due reminders; returns how many notices were queued."""
    now = runtime.clock()
    queued = 0
    with runtime.sessions() as session:
        due = list(session.scalars(select(Meeting.id).where(
            Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > now,
            Meeting.starts_at <= now + DAY_BEFORE,
            (Meeting.reminded_24h_at.is_(None)) | (Meeting.reminded_1h_at.is_(None)))))
    for meeting_id in due:  # one short transaction per meeting
        with write_session(runtime.engine) as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None:
                queued += send_due_reminder(session, meeting, outbox=runtime.outbox,
                                            tz=runtime.settings.tz, now=now)
            session.commit()
    if queued:
        log.info("meetings: queued %d reminders", queued)
    return queued


def close_finished(runtime: Runtime) -> int:
    """Close meetings past their end plus the grace; absentees are marked."""
    now = runtime.clock()
    grace = timedelta(minutes=runtime.settings.meeting_close_grace_minutes)
    closed = 0
    with runtime.sessions() as session:
        ids = [m.id for m in meetings_due_to_close(session, now, grace)]
    for meeting_id in ids:
        with write_session(runtime.engine) as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is not None and meeting.status == MeetingStatus.PLANNED:
                close_meeting(session, Actor.job(CLOSE_JOB), meeting, now)
                closed += 1
            session.commit()
    if closed:
        log.info("meetings: closed %d finished meetings", closed)
    return closed


def warn_at_risk(runtime: Runtime) -> int:
    """Warn branch admins (and at 7 days the org above) about required meetings not held."""
    now = runtime.clock()
    settings = runtime.settings
    queued = 0
    with write_session(runtime.engine) as session:
        branches = list(session.scalars(select(Org).where(Org.kind == OrgKind.BRANCH)))
        admins: dict[int, list[Member]] = {}
        for member in session.scalars(select(Member).where(Member.is_admin.is_(True))):
            admins.setdefault(member.branch_id, []).append(member)
        by_id = {b.id: b for b in branches}
        for branch in compliance(session, branches, now, settings.tz, settings.cadence):
            for item in branch.kinds:
                if item.state is not State.AT_RISK or item.planned:
                    continue
                due = [d for d in WARN_DAYS[item.period.kind] if item.days_left <= d]
                if not due:
                    continue
                threshold = min(due)
                words = {"branch": branch.name, "period": item.period.label,
                         "kind": KIND_NAMES.get(item.kind, item.kind), "days": item.days_left}
                fields = {key: str(value) for key, value in words.items()}
                notice = Notice("compliance_warning", texts.NOTICE_RISK.format(**words),
                                fields=fields)
                key = f"compliance:{branch.branch_id}:{item.kind}:{item.period.label}"
                for admin in admins.get(branch.branch_id, []):
                    queued += runtime.outbox.enqueue(
                        session, f"{key}:warn-{threshold}:{admin.id}", admin, notice,
                        now) is not None
                parent = by_id[branch.branch_id].parent_id
                if threshold <= WARN_UP_DAYS and parent is not None:
                    up = Notice("compliance_warning", texts.NOTICE_RISK_UP.format(**words),
                                fields=fields)
                    for member_id in admins_of(session, parent):
                        org_admin = session.get(Member, member_id)
                        if org_admin is not None:
                            queued += runtime.outbox.enqueue(
                                session, f"{key}:up-{WARN_UP_DAYS}:{member_id}", org_admin, up,
                                now) is not None
        session.commit()
    if queued:
        log.info("meetings: queued %d compliance warnings", queued)
    return queued


JOBS = [
    JobSpec("meetings.remind", send_reminders, "interval", {"minutes": 1}),
    JobSpec(CLOSE_JOB, close_finished, "interval", {"minutes": 5}),
    JobSpec("meetings.warn_at_risk", warn_at_risk, "cron", {"hour": 9, "minute": 0}),
]
