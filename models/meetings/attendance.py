"""Attendance at 三会一课: check-in (by code, QR, location, a helper), leave, 补录.

One row per invitee and meeting: `present` or `leave` while the meeting is open; closing
marks the rest `absent` (models.meetings.rules). Each row says how it was recorded, by whom
and when; an admin's later entry is flagged `backfilled`.

These are the rules; the surfaces reach them through models.meetings.actions (which
writes the audit entry). `recorded_by` is None for a console account with no member.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from models.db.base import insert_ignoring_conflict
from models.errors import MeetingError
from models.meetings.code_check_in import MeetingCard
from models.meetings.queries import is_invited
from models.meetings.rules import refresh_counts
from models.meetings.tables import (
    CHECK_IN_OPENS,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Method,
)
from models.members.tables import Member


class Outcome(Enum):
    """What a check-in or a leave request did."""

    RECORDED = "recorded"
    ALREADY = "already"  # nothing changed
    REPLACED_LEAVE = "replaced_leave"  # a check-in after asking leave


_RECORD = select(Attendance).where(Attendance.meeting_id == bindparam("meeting_id"),
                                   Attendance.member_id == bindparam("member_id"))


def _record(session: Session, meeting: Meeting, member: Member) -> Attendance | None:
    record: Attendance | None = session.scalar(
        _RECORD, {"meeting_id": meeting.id, "member_id": member.id})
    return record


def _insert_record(session: Session, meeting: Meeting, member: Member,
                   **values: object) -> bool:
    """Make the member's record unless one exists; False if one does.

    One INSERT … ON CONFLICT DO NOTHING: when a member's 签到 arrives twice at once
    (two taps, WeChat's retry racing a new message), the second waits for the first
    and then finds its row, instead of failing on the unique constraint.
    """
    return insert_ignoring_conflict(session, Attendance, {
        "meeting_id": meeting.id, "member_id": member.id, "backfilled": False, **values})


def _id_of(member: Member | None) -> int | None:
    return member.id if member is not None else None


def check_window(meeting: Meeting | MeetingCard, now: datetime) -> None:
    """MeetingError unless check-in is open (1 h before the start until the end)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("MEETING_NOT_OPEN")
    if now < meeting.starts_at - CHECK_IN_OPENS:
        raise MeetingError("CHECKIN_NOT_YET")
    if now > meeting.ends_at:
        raise MeetingError("CHECKIN_OVER")


def check_in(session: Session, meeting: Meeting, member: Member, method: Method,
             recorded_by: Member | None, now: datetime) -> Outcome:
    """Record `member` as present (flushes). MeetingError if not allowed."""
    if not is_invited(session, meeting, member):
        raise MeetingError("NOT_INVITED")
    check_window(meeting, now)
    record = _record(session, meeting, member)
    if record is None:
        if _insert_record(session, meeting, member, status=AttendanceStatus.PRESENT,
                          method=str(method), recorded_by=_id_of(recorded_by), recorded_at=now):
            return Outcome.RECORDED
        record = _record(session, meeting, member)  # made a moment ago by a twin request
        assert record is not None
    if record.status == AttendanceStatus.PRESENT:
        return Outcome.ALREADY
    outcome = Outcome.REPLACED_LEAVE
    record.status = AttendanceStatus.PRESENT
    record.method = method
    record.reason = None
    record.recorded_by = _id_of(recorded_by)
    record.recorded_at = now
    record.backfilled = False
    session.flush()
    return outcome


def ask_leave(session: Session, meeting: Meeting, member: Member, reason: str,
              method: Method, recorded_by: Member | None, now: datetime) -> Outcome:
    """Record a leave request before the meeting ends (flushes)."""
    reason = reason.strip()
    if not reason:
        raise MeetingError("LEAVE_NEEDS_REASON")
    if not is_invited(session, meeting, member):
        raise MeetingError("NOT_INVITED")
    if meeting.status != MeetingStatus.PLANNED or now > meeting.ends_at:
        raise MeetingError("LEAVE_OVER")
    record = _record(session, meeting, member)
    if record is None:
        if _insert_record(session, meeting, member, status=AttendanceStatus.LEAVE,
                          method=str(method), reason=reason[:200],
                          recorded_by=_id_of(recorded_by), recorded_at=now):
            return Outcome.RECORDED
        record = _record(session, meeting, member)  # made a moment ago by a twin request
        assert record is not None
    if record.status == AttendanceStatus.PRESENT:
        raise MeetingError("LEAVE_AFTER_CHECKIN")
    if record.reason == reason[:200]:
        return Outcome.ALREADY
    record.status = AttendanceStatus.LEAVE
    record.method = method
    record.reason = reason[:200]
    record.recorded_by = _id_of(recorded_by)
    record.recorded_at = now
    session.flush()
    return Outcome.RECORDED


def backfill(session: Session, meeting: Meeting, member: Member, status: AttendanceStatus,
             admin: Member | None, now: datetime, reason: str | None = None) -> Attendance:
    """An admin's later entry (补录) for a held meeting; flagged as backfilled. `admin`
    is None for a console password account with no member (the audit log names it)."""
    if meeting.status != MeetingStatus.HELD:
        raise MeetingError("BACKFILL_ONLY_HELD")
    if not is_invited(session, meeting, member):
        raise MeetingError("MEMBER_NOT_INVITED", name=member.name)
    if status == AttendanceStatus.LEAVE and not (reason or "").strip():
        raise MeetingError("BACKFILL_LEAVE_NEEDS_REASON")
    record = _record(session, meeting, member)
    if record is None:
        record = Attendance(meeting_id=meeting.id, member_id=member.id)
        session.add(record)
    record.status = status
    record.method = Method.ADMIN
    record.reason = (reason or "").strip()[:200] or None
    record.recorded_by = admin.id if admin is not None else None
    record.recorded_at = now
    record.backfilled = True
    session.flush()
    refresh_counts(session, meeting)
    return record


def attendance_of(session: Session, meeting: Meeting, member: Member) -> Attendance | None:
    """The member's record for the meeting, if any."""
    return _record(session, meeting, member)


def attended_count(session: Session, member: Member, since: datetime) -> int:
    """Meetings starting since `since` at which the member was present."""
    return session.scalar(
        select(func.count()).select_from(Attendance)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .where(Attendance.member_id == member.id,
               Attendance.status == AttendanceStatus.PRESENT,
               Meeting.starts_at >= since)) or 0
