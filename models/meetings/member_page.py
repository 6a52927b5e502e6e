"""What a member's own 会议 page (/m/meetings) shows of their upcoming meetings: each
meeting 会议 lists (models.meetings.queries.upcoming_for, the chat's scope), who hosts
it, the member's record there (who made it, how, why) and what they can do now (签到
open, 请假 still possible). Read only; the changes are models.meetings.actions'.

Three statements whatever the number of meetings: the meetings, the member's records
with who made them, the hosts' names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models.meetings.queries import is_invited, upcoming_for
from models.meetings.tables import (
    CHECK_IN_OPENS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from models.members.tables import Member

ID_MAX = 2**31 - 1  # an id past this is no meeting (PostgreSQL's integer would refuse it)


@dataclass(frozen=True)
class UpcomingCard:
    """One upcoming meeting as the member sees it."""

    meeting: Meeting
    host_name: str | None
    status: str | None  # present / leave; None: nothing recorded yet
    method: str | None  # code / qr / location / helper … of the record
    reason: str | None  # a leave's reason
    by_name: str | None  # who recorded it, when not the member (a helper's 代签)
    recorded_at: datetime | None
    check_in_opens_at: datetime
    check_in_open: bool  # 签到 is possible now
    can_leave: bool  # 请假 is possible now (not checked in, not over)


def upcoming_cards(session: Session, member: Member, now: datetime,
                   limit: int = 20) -> list[UpcomingCard]:
    """The member's upcoming meetings, soonest first (at most `limit`), each with the
    member's record and what is open to them now."""
    meetings = upcoming_for(session, member, now, limit=limit)
    if not meetings:
        return []
    ids = [meeting.id for meeting in meetings]
    recorder = aliased(Member)
    records = {row[0]: row[1:] for row in session.execute(
        select(Attendance.meeting_id, Attendance.status, Attendance.method, Attendance.reason,
               Attendance.recorded_by, recorder.name, Attendance.recorded_at)
        .outerjoin(recorder, recorder.id == Attendance.recorded_by)
        .where(Attendance.member_id == member.id, Attendance.meeting_id.in_(ids)))}
    host_ids = {meeting.host_id for meeting in meetings if meeting.host_id is not None}
    hosts: dict[int, str] = {}
    if host_ids:
        hosts = {row.id: row.name for row in session.execute(
            select(Member.id, Member.name).where(Member.id.in_(host_ids)))}
    cards = []
    for meeting in meetings:
        status, method, reason, recorded_by, by_name, recorded_at = \
            records.get(meeting.id, (None,) * 6)
        opens = meeting.starts_at - CHECK_IN_OPENS
        planned = meeting.status == MeetingStatus.PLANNED and now <= meeting.ends_at
        cards.append(UpcomingCard(
            meeting, hosts.get(meeting.host_id) if meeting.host_id is not None else None,
            str(status) if status is not None else None,
            str(method) if method is not None else None, reason,
            by_name if recorded_by not in (None, member.id) else None, recorded_at, opens,
            planned and opens <= now, planned and status != AttendanceStatus.PRESENT))
    return cards


def members_meeting(session: Session, member: Member, meeting_id: int) -> Meeting | None:
    """The meeting with this id if the member is invited to it (None: no such meeting,
    or not theirs to see — the same answer for both)."""
    if not 0 < meeting_id <= ID_MAX:
        return None
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not is_invited(session, meeting, member):
        return None
    return meeting
