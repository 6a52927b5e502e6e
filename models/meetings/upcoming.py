"""What 会议 shows: a member's upcoming meetings and their own record at each, read in
one statement built once.

`models.meetings.queries.upcoming_for` gives the same meetings for a loaded Member; the
chat's 会议 is busy enough that loading the member (with its branch), building the
statement per message and reading each meeting's record separately cost more than the
query itself (about 1.4 ms of a 2 ms message, measured by benchmarks/webhook_profile.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, Integer, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime
from models.meetings.tables import (
    AUDIENCE_ALL,
    Attendance,
    Meeting,
    MeetingInvite,
    MeetingStatus,
)
from models.members.tables import Member

_MEMBER: BindParameter[int] = bindparam("member_id", type_=Integer)
_BRANCH = select(Member.branch_id).where(Member.id == _MEMBER).scalar_subquery()
# NULL for a member outside any group: `org_id IN (branch, NULL)` then matches the
# branch only, as upcoming_for's list without the group does.
_GROUP = select(Member.group_id).where(Member.id == _MEMBER).scalar_subquery()
_INVITED = select(MeetingInvite.meeting_id).where(or_(
    MeetingInvite.member_id == _MEMBER, MeetingInvite.org_id.in_([_BRANCH, _GROUP])))
_UPCOMING = (
    select(Meeting, Attendance.status)
    .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id,
                                Attendance.member_id == _MEMBER))
    .where(Meeting.status == MeetingStatus.PLANNED,
           Meeting.ends_at >= bindparam("now", type_=UTCDateTime()),
           or_(and_(Meeting.org_id == _BRANCH, Meeting.audience == AUDIENCE_ALL),
               Meeting.id.in_(_INVITED), Meeting.host_id == _MEMBER,
               Meeting.recorder_id == _MEMBER, Meeting.lecturer_id == _MEMBER))
    .order_by(Meeting.starts_at)
    .limit(bindparam("limit"))
)


def upcoming_with_records(session: Session, member_id: int, now: datetime,
                          limit: int = 5) -> list[tuple[Meeting, str | None]]:
    """The member's open meetings that have not ended, soonest first (as upcoming_for),
    each with the status of the member's attendance record (None: no record yet)."""
    rows = session.execute(_UPCOMING, {"member_id": member_id, "now": now, "limit": limit})
    return [(meeting, status) for meeting, status in rows]
