"""The rules of a meeting's life, below the actions: scheduling (a time not past, no
clash, a free 签到码), moving, replacing the invitees, cancelling and closing (absentees
marked), and the stored check-in QR code.

These take a Session and flush, and know nothing of who acts or who is told: every
surface changes a meeting through models.meetings.actions, which applies these, queues
the notices and writes the audit entry. (Tests build their meetings with them.)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import MeetingError
from models.meetings.queries import invitee_ids
from models.meetings.tables import (
    AUDIENCE_ALL,
    AUDIENCE_INVITED,
    CODE_DIGITS,
    DEFAULT_DURATION,
    KIND_NAMES,
    QR_RENEW_GAIN,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingInvite,
    MeetingKind,
    MeetingStatus,
    Method,
)


def checkin_qr_to_reuse(meeting: Meeting, wanted_until: datetime,
                        new_would_last_until: datetime) -> str | None:
    """The stored check-in code's URL if it is still good enough, else None (make one)."""
    if meeting.qr_url is None or meeting.qr_expires_at is None:
        return None
    if meeting.qr_expires_at >= wanted_until \
            or new_would_last_until - meeting.qr_expires_at < QR_RENEW_GAIN:
        return meeting.qr_url
    return None


def keep_checkin_qr(session: Session, meeting: Meeting, url: str, expires_at: datetime) -> None:
    """Remember the check-in code just made for `meeting` (the caller commits)."""
    meeting.qr_url = url[:200]
    meeting.qr_expires_at = expires_at
    session.flush()


def generate_code(session: Session) -> str:
    """A short numeric 签到码 not used by any open meeting."""
    taken = set(session.scalars(select(Meeting.code).where(
        Meeting.status == MeetingStatus.PLANNED)))
    for digits in (CODE_DIGITS, CODE_DIGITS + 2):
        for _ in range(50):
            code = f"{random.randrange(10 ** (digits - 1), 10 ** digits)}"
            if code not in taken:
                return code
    raise MeetingError("MEETING_CODES_EXHAUSTED")


@dataclass(frozen=True)
class NewMeeting:
    """What an admin asked for."""

    org_id: int
    kind: MeetingKind
    starts_at: datetime
    place: str
    topic: str = ""
    ends_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    host_id: int | None = None
    recorder_id: int | None = None
    lecturer_id: int | None = None
    # invite only these (the committee; a group), not the whole branch
    invite_member_ids: tuple[int, ...] = ()
    invite_org_ids: tuple[int, ...] = ()
    # other branches invited besides (a joint session, 双联双促); the audience above
    # still decides who of the host branch comes
    joint_org_ids: tuple[int, ...] = ()
    # the secretary said yes to a start between 22:00 and 06:00 (is_at_night)
    night_confirmed: bool = False

    @property
    def audience(self) -> str:
        """"all" unless the meeting invites particular members or a group."""
        return AUDIENCE_INVITED if self.invite_member_ids or self.invite_org_ids \
            else AUDIENCE_ALL


# Nobody meets in the small hours: a start from 22:00 to 06:00 local is a typo ("两点"
# meant 14:00) until the secretary says otherwise, and nobody is told of it before then.
NIGHT_STARTS_HOUR = 22
NIGHT_ENDS_HOUR = 6


def is_at_night(starts_at: datetime, tz: ZoneInfo) -> bool:
    """Whether a meeting starting then (local time in `tz`) starts at night, 22:00–06:00:
    creating or moving one there needs the secretary's confirmation first."""
    hour = starts_at.astimezone(tz).hour
    return hour >= NIGHT_STARTS_HOUR or hour < NIGHT_ENDS_HOUR


def create_meeting(session: Session, new: NewMeeting, created_by: int | None,
                   now: datetime) -> Meeting:
    """Schedule a meeting; MeetingError for a past time or a clash (flushes)."""
    if new.starts_at <= now:
        raise MeetingError("MEETING_IN_PAST")
    ends_at = new.ends_at or new.starts_at + DEFAULT_DURATION
    if ends_at <= new.starts_at:
        raise MeetingError("MEETING_END_BEFORE_START")
    clash = session.scalar(select(Meeting.id).where(
        Meeting.org_id == new.org_id, Meeting.kind == new.kind,
        Meeting.starts_at == new.starts_at, Meeting.status != MeetingStatus.CANCELLED))
    if clash is not None:
        raise MeetingError("MEETING_CLASH", kind=KIND_NAMES[new.kind], id=clash)
    meeting = Meeting(
        org_id=new.org_id, kind=str(new.kind), topic=new.topic[:200], starts_at=new.starts_at,
        ends_at=ends_at, place=new.place[:200], latitude=new.latitude,
        longitude=new.longitude, host_id=new.host_id, recorder_id=new.recorder_id,
        lecturer_id=new.lecturer_id, status=MeetingStatus.PLANNED, code=generate_code(session),
        photos=[], created_by=created_by, created_at=now, audience=new.audience,
    )
    session.add(meeting)
    session.flush()
    session.add_all([MeetingInvite(meeting_id=meeting.id, member_id=member_id)
                     for member_id in new.invite_member_ids]
                    + [MeetingInvite(meeting_id=meeting.id, org_id=org_id)
                       for org_id in (*new.invite_org_ids, *new.joint_org_ids)])
    session.flush()
    return meeting


def refuse_unless_planned(meeting: Meeting) -> None:
    """A cancelled or held meeting is not changed: MeetingError saying which it is."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError("MEETING_CHANGE_CANCELLED")
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("MEETING_CHANGE_HELD")


def change_meeting(session: Session, meeting: Meeting, starts_at: datetime,
                   ends_at: datetime | None, place: str, topic: str, now: datetime) -> bool:
    """Move a meeting that has not started, or change its place or topic (its kind, code
    and invitees stay); True if anything changed. MeetingError as create_meeting's, and
    for a meeting already under way or over (flushes)."""
    refuse_unless_planned(meeting)
    if meeting.starts_at <= now:
        raise MeetingError("CHANGE_STARTED")
    if starts_at <= now:
        raise MeetingError("MEETING_IN_PAST")
    ends_at = ends_at or starts_at + (meeting.ends_at - meeting.starts_at)
    if ends_at <= starts_at:
        raise MeetingError("MEETING_END_BEFORE_START")
    clash = session.scalar(select(Meeting.id).where(
        Meeting.org_id == meeting.org_id, Meeting.kind == meeting.kind, Meeting.id != meeting.id,
        Meeting.starts_at == starts_at, Meeting.status != MeetingStatus.CANCELLED))
    if clash is not None:
        raise MeetingError("MEETING_CLASH", kind=meeting.kind_name, id=clash)
    wanted = (starts_at, ends_at, place[:200], topic[:200])
    if wanted == (meeting.starts_at, meeting.ends_at, meeting.place, meeting.topic):
        return False
    meeting.starts_at, meeting.ends_at, meeting.place, meeting.topic = wanted
    session.flush()
    return True


@dataclass(frozen=True)
class InviteeChange:
    """Who a change of invitees adds and who it drops (member ids)."""

    added: tuple[int, ...]
    removed: tuple[int, ...]


def change_invitees(session: Session, meeting: Meeting, member_ids: tuple[int, ...],
                    org_ids: tuple[int, ...], joint_org_ids: tuple[int, ...],
                    now: datetime) -> InviteeChange:
    """Invite others to a meeting that has not started: the host branch's audience (its
    members or a group, none for everyone) and joint orgs, replacing the invites it had.
    Attendance already recorded stays. MeetingError as change_meeting's (flushes)."""
    refuse_unless_planned(meeting)
    if meeting.starts_at <= now:
        raise MeetingError("CHANGE_INVITEES_STARTED")
    invites = list(session.scalars(select(MeetingInvite).where(
        MeetingInvite.meeting_id == meeting.id)))
    audience = AUDIENCE_INVITED if member_ids or org_ids else AUDIENCE_ALL
    wanted = ({("member", i) for i in member_ids}
              | {("org", i) for i in (*org_ids, *joint_org_ids)})
    had = {("member", i.member_id) if i.member_id is not None else ("org", i.org_id)
           for i in invites}
    if wanted == had and audience == meeting.audience:
        return InviteeChange((), ())  # the same invites: nothing to replace
    before = set(invitee_ids(session, meeting))
    for invite in invites:
        session.delete(invite)
    session.flush()
    session.add_all([MeetingInvite(meeting_id=meeting.id, member_id=member_id)
                     for member_id in member_ids]
                    + [MeetingInvite(meeting_id=meeting.id, org_id=org_id)
                       for org_id in (*org_ids, *joint_org_ids)])
    meeting.audience = audience
    session.flush()
    after = set(invitee_ids(session, meeting))
    return InviteeChange(tuple(sorted(after - before)), tuple(sorted(before - after)))


def cancel_meeting(session: Session, meeting: Meeting, now: datetime) -> None:
    """Cancel a planned meeting (frees its code; flushes)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("CANCEL_ONLY_PLANNED")
    meeting.status = MeetingStatus.CANCELLED
    meeting.closed_at = now
    session.flush()


def close_meeting(session: Session, meeting: Meeting, now: datetime) -> int:
    """Mark the meeting held; every invitee without a record becomes absent, except
    the host, who held it and is present.

    Returns how many were marked absent (flushes). MeetingError before the start: a
    meeting that has not begun is cancelled, not closed.
    """
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("MEETING_NOT_OPEN")
    if now < meeting.starts_at:
        raise MeetingError("MEETING_CLOSE_BEFORE_START", code=meeting.code)
    recorded = set(session.scalars(select(Attendance.member_id).where(
        Attendance.meeting_id == meeting.id)))
    missing = [m for m in invitee_ids(session, meeting) if m not in recorded]
    session.add_all([
        Attendance(meeting_id=meeting.id, member_id=member_id,
                   status=AttendanceStatus.PRESENT if member_id == meeting.host_id
                   else AttendanceStatus.ABSENT,
                   method=Method.ADMIN, recorded_by=None, recorded_at=now, backfilled=False)
        for member_id in missing
    ])
    meeting.status = MeetingStatus.HELD
    meeting.closed_at = now
    session.flush()
    refresh_counts(session, meeting)
    return len(missing) - (meeting.host_id in missing)


def refresh_counts(session: Session, meeting: Meeting) -> None:
    """Recount the meeting's attendance into its count columns (flushes)."""
    counts = dict(session.execute(
        select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting.id)
        .group_by(Attendance.status)).all())
    meeting.present_count = counts.get(AttendanceStatus.PRESENT, 0)
    meeting.leave_count = counts.get(AttendanceStatus.LEAVE, 0)
    meeting.absent_count = counts.get(AttendanceStatus.ABSENT, 0)
    meeting.expected_count = meeting.present_count + meeting.leave_count + meeting.absent_count
    session.flush()
