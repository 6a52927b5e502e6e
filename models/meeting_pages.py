"""What the console's meeting pages show and offer, built on models.meetings and
models.attendance (the same rules the chat uses): the branch's meetings in a period,
who a new meeting can invite, and the attendance list of one meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import words
from models.errors import MeetingError
from models.meetings import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    committee_member_ids,
    invitee_ids,
)
from models.member import Member
from models.org import groups_of

EVERYONE = "all"
COMMITTEE = "committee"
GROUP_PREFIX = "group:"


def meetings_between(session: Session, branch_id: int, start: datetime,
                     end: datetime) -> list[Meeting]:
    """The branch's meetings starting in [start, end), earliest first."""
    return list(session.scalars(select(Meeting).where(
        Meeting.org_id == branch_id, Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)))


def audience_choices(session: Session, branch_id: int) -> list[tuple[str, str]]:
    """Who a new meeting of the branch can invite: everyone, the committee, a group."""
    choices = [(EVERYONE, words.AUDIENCE_EVERYONE)]
    if committee_member_ids(session, branch_id):
        choices.append((COMMITTEE, words.AUDIENCE_COMMITTEE))
    choices += [(f"{GROUP_PREFIX}{org_id}", name)
                for name, org_id in groups_of(session, branch_id).items()]
    return choices


def default_audience(kind: MeetingKind) -> str:
    """支委会 invites the committee; everything else the whole branch by default."""
    return COMMITTEE if kind == MeetingKind.COMMITTEE_MEETING else EVERYONE


def invites_for(session: Session, branch_id: int,
                choice: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(member ids, org ids) to invite for an audience choice; MeetingError for a choice
    the branch does not have."""
    if choice == EVERYONE:
        return (), ()
    if choice == COMMITTEE:
        committee = committee_member_ids(session, branch_id)
        if not committee:
            raise MeetingError("MEETING_NO_COMMITTEE")
        return tuple(committee), ()
    if choice.startswith(GROUP_PREFIX):
        wanted = choice[len(GROUP_PREFIX):]
        for org_id in groups_of(session, branch_id).values():
            if str(org_id) == wanted:
                return (), (org_id,)
    raise MeetingError("MEETING_BAD_AUDIENCE")


@dataclass(frozen=True)
class AttendanceLine:
    """One invitee on the attendance list (status None: nothing recorded yet)."""

    member_id: int
    name: str
    status: str | None
    method: str | None
    recorded_at: datetime | None
    reason: str | None
    backfilled: bool
    recorded_by: str | None


STATUS_ORDER: dict[str | None, int] = {AttendanceStatus.PRESENT: 0, AttendanceStatus.LEAVE: 1,
                                       None: 2, AttendanceStatus.ABSENT: 3}


def attendance_list(session: Session, meeting: Meeting) -> list[AttendanceLine]:
    """Every invitee and anyone recorded: checked in first (in order of arrival), then
    leave, not yet, absent."""
    records = {record.member_id: record for record in session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    ids = set(invitee_ids(session, meeting)) | set(records)
    members = {member.id: member for member in session.scalars(
        select(Member).where(Member.id.in_(ids)))} if ids else {}
    recorders = {r.recorded_by for r in records.values() if r.recorded_by}
    names = {member_id: name for member_id, name in session.execute(
        select(Member.id, Member.name).where(Member.id.in_(recorders)))} if recorders else {}
    lines = []
    for member_id, member in members.items():
        record = records.get(member_id)
        lines.append(AttendanceLine(
            member_id, member.name, record.status if record else None,
            record.method if record else None, record.recorded_at if record else None,
            record.reason if record else None, bool(record and record.backfilled),
            names.get(record.recorded_by) if record and record.recorded_by else None))
    far = datetime.max.replace(tzinfo=meeting.starts_at.tzinfo)
    return sorted(lines, key=lambda line: (STATUS_ORDER.get(line.status, 2),
                                           line.recorded_at or far, line.name))
