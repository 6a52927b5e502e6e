"""签到 <码>'s common case on prepared statements: one read and at most one insert.

During a meeting 签到 is the busiest command, and nearly every one is a member checking
in to their own branch's meeting with its code (or repeating it). Through the ORM that
took a guess-guard read, the meeting, the member, the record and the insert, about
1 ms of ORM overhead around 0.1 ms of SQL (benchmarks/webhook_profile.py). Here one
statement reads the meeting by code together with the member's branch and group, their
record there and their guess lock; models.meetings.actions.check_in_by_code applies the
same rules to it and takes the general way (codes.meeting_for_code, attendance.check_in)
for anything else: a lock, a wrong code, an invitation by list, a leave to replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Dialect, Integer, and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime, table_of
from models.db.guesses import MEETING_CODE, GuessGuard
from models.db.raw_statements import Prepared, prepared_for, session_cursor
from models.meetings.tables import (
    AUDIENCE_ALL,
    KIND_NAMES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from models.members.tables import Member


@dataclass(frozen=True)
class MeetingCard:
    """What 签到 needs of a meeting (the window, the invitation, the reply's words) and
    of the member's standing there; a core.notices.MeetingLike."""

    id: int
    kind: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str
    code: str
    status: str
    invited: bool  # plainly: an officer, or the audience is the member's branch or group
    record_status: str | None  # the member's attendance record (None: none yet)
    locked_until: datetime | None  # the openid's wrong-code pause

    @property
    def kind_name(self) -> str:
        """The kind in Chinese (as Meeting.kind_name)."""
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass(frozen=True)
class _Statements:
    card: Prepared
    insert: Prepared


def _build(dialect: Dialect) -> _Statements:
    member_id: BindParameter[int] = bindparam("member_id", type_=Integer)
    guard = (select(GuessGuard.locked_until)
             .where(GuessGuard.openid == bindparam("openid"),
                    GuessGuard.purpose == MEETING_CODE.purpose)
             .scalar_subquery())
    card = (select(Meeting.id, Meeting.kind, Meeting.topic, Meeting.starts_at, Meeting.ends_at,
                   Meeting.place, Meeting.code, Meeting.status, Meeting.org_id,
                   Meeting.audience, Meeting.host_id, Meeting.recorder_id,
                   Meeting.lecturer_id, Member.branch_id, Member.group_id, Attendance.status,
                   guard.label("locked_until"))
            .select_from(Meeting)
            .join(Member, Member.id == member_id)
            .outerjoin(Attendance, and_(Attendance.meeting_id == Meeting.id,
                                        Attendance.member_id == member_id))
            .where(Meeting.code == bindparam("code"),
                   Meeting.status == MeetingStatus.PLANNED)
            .limit(1))
    dialect_insert: Any = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    insert = (dialect_insert(table_of(Attendance))
              .values(meeting_id=bindparam("meeting_id"), member_id=bindparam("member_id"),
                      status=AttendanceStatus.PRESENT.value, method=bindparam("method"),
                      recorded_by=bindparam("member_id"),
                      recorded_at=bindparam("now", type_=UTCDateTime()), backfilled=False)
              .on_conflict_do_nothing()
              .returning(table_of(Attendance).c.id))
    return _Statements(Prepared(card, dialect), Prepared(insert, dialect))


_PREPARED: dict[str, _Statements] = {}


def card_for_code(session: Session, openid: str, code: str, member_id: int) -> MeetingCard | None:
    """The open meeting with this code, as the member sees it (None: no such meeting)."""
    statements = prepared_for(session, _PREPARED, _build)
    rows = statements.card.rows(session_cursor(session), openid=openid, code=code,
                                member_id=member_id)
    if not rows:
        return None
    (meeting_id, kind, topic, starts_at, ends_at, place, meeting_code, status, org_id,
     audience, host_id, recorder_id, lecturer_id, branch_id, group_id, record_status,
     locked) = rows[0]
    # models.meetings.queries.is_invited's first test; an invitation by list is read there
    invited = member_id in (host_id, recorder_id, lecturer_id) or (
        audience == AUDIENCE_ALL and org_id in (branch_id, group_id))
    return MeetingCard(meeting_id, kind, topic, starts_at, ends_at, place, meeting_code,
                       status, invited, record_status, locked)


def insert_present(session: Session, meeting_id: int, member_id: int, method: str,
                   now: datetime) -> bool:
    """The member's own present record unless one exists (ON CONFLICT DO NOTHING, as
    attendance.check_in's insert); True if this one went in."""
    statements = prepared_for(session, _PREPARED, _build)
    cursor = session_cursor(session, writes=True)
    statements.insert.run(cursor, meeting_id=meeting_id, member_id=member_id, method=method,
                          now=now)
    return cursor.fetchone() is not None
