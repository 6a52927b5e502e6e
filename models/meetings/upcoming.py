"""What 会议 shows: a member's upcoming meetings and their own record at each, read in
one statement built once.

`models.meetings.queries.upcoming_for` gives the same meetings for a loaded Member; the
chat's 会议 is busy enough that loading the member (with its branch), building the
statement per message and reading each meeting's record separately cost more than the
query itself (about 1.4 ms of a 2 ms message, measured by benchmarks/webhook_profile.py).
It runs as a `Prepared` statement on the session's cursor and reads only the words the
reply shows: through the ORM the one statement still cost about 0.5 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, Dialect, Integer, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime
from models.db.raw_statements import Prepared, prepared_for, session_cursor
from models.meetings.tables import (
    AUDIENCE_ALL,
    KIND_NAMES,
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


@dataclass(frozen=True)
class UpcomingMeeting:
    """What 会议 lists of a meeting (a core.notices.MeetingLike)."""

    kind: str
    topic: str
    starts_at: datetime
    place: str
    code: str

    @property
    def kind_name(self) -> str:
        """The kind in Chinese (as Meeting.kind_name)."""
        return KIND_NAMES.get(self.kind, self.kind)


_PREPARED: dict[str, Prepared] = {}


def _build(dialect: Dialect) -> Prepared:
    return Prepared(_UPCOMING.with_only_columns(
        Meeting.kind, Meeting.topic, Meeting.starts_at, Meeting.place, Meeting.code,
        Attendance.status), dialect)


def upcoming_with_records(session: Session, member_id: int, now: datetime,
                          limit: int = 5) -> list[tuple[UpcomingMeeting, str | None]]:
    """The member's open meetings that have not ended, soonest first (as upcoming_for),
    each with the status of the member's attendance record (None: no record yet)."""
    rows = prepared_for(session, _PREPARED, _build).rows(
        session_cursor(session), member_id=member_id, now=now, limit=limit)
    return [(UpcomingMeeting(*row[:5]), row[5]) for row in rows]
