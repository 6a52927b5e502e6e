"""The overdue sweep of the rectification ledger: a milestone due (or a problem past its
deadline) warns the problem's owner and its 挂点领导; at 7 days overdue the township's
admins too. Each warning once: its outbox key names the problem (or milestone), the step
and the recipient, so running the sweep again, or after a restart, queues nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import texts
from models.delivery.outbox import ChannelPolicy, Notice
from models.members.orgs import admins_of
from models.members.tables import Member
from models.rectification.follow_up import days_overdue
from models.rectification.queries import township_of
from models.rectification.tables import OPEN, Problem, WeakBranch

UP_DAYS = 7  # days overdue at which the township's admins are told
KIND = "rectify_warning"
SHORT = 30  # characters of a problem's description in a warning


def _short(text: str) -> str:
    return text if len(text) <= SHORT else text[:SHORT - 1] + "…"


def queue_rectification_warnings(session: Session, outbox: ChannelPolicy, now: datetime,
                                 tz: ZoneInfo) -> int:
    """Queue every warning due on `now`'s local day; returns how many rows were written."""
    today = now.astimezone(tz).date()
    problems = session.scalars(
        select(Problem).join(WeakBranch, Problem.weak_id == WeakBranch.id)
        .where(Problem.status == OPEN, WeakBranch.confirmed_at.is_(None))
        .options(selectinload(Problem.milestones), selectinload(Problem.weak)
                 .selectinload(WeakBranch.branch)).order_by(Problem.id))
    queued = 0
    for problem in problems:
        people = [m for m in (problem.owner, problem.leader) if m is not None]
        people = list({m.id: m for m in people}.values())
        words = {"branch": problem.weak.branch.name, "problem": _short(problem.description),
                 "deadline": problem.deadline.isoformat(), "owner": problem.owner_name,
                 "leader": problem.leader.name if problem.leader else "—"}
        late = days_overdue(problem.deadline, today)
        if late > 0:
            notice = Notice(KIND, texts.NOTICE_RECTIFY_OVERDUE.format(**words),
                            subject=f"rectify:{problem.id}")
            for member in people:
                queued += outbox.enqueue(session, f"rectify:{problem.id}:overdue:{member.id}",
                                         member, notice, now) is not None
            if late >= UP_DAYS:
                queued += _warn_township(session, outbox, problem, words, late, now)
            continue
        for milestone in problem.milestones:
            if milestone.done_at is not None or milestone.due > today:
                continue
            notice = Notice(KIND, texts.NOTICE_RECTIFY_MILESTONE.format(
                milestone=milestone.name, **words), subject=f"rectify:{problem.id}")
            for member in people:
                queued += outbox.enqueue(
                    session, f"rectify:{problem.id}:ms{milestone.id}:{member.id}", member,
                    notice, now) is not None
    session.flush()
    return queued


def _warn_township(session: Session, outbox: ChannelPolicy, problem: Problem,
                   words: dict[str, str], late: int, now: datetime) -> int:
    township = township_of(session, problem.branch_id)
    if township is None:
        return 0
    notice = Notice(KIND, texts.NOTICE_RECTIFY_OVERDUE_UP.format(days=late, **words),
                    subject=f"rectify:{problem.id}")
    queued = 0
    for member_id in admins_of(session, township.id):
        member = session.get(Member, member_id)
        if member is not None:
            queued += outbox.enqueue(session, f"rectify:{problem.id}:up{UP_DAYS}:{member_id}",
                                     member, notice, now) is not None
    return queued
