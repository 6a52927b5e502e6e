"""三会一课: meetings, invitations, attendance (签到 / 请假 / 缺席), closing and 补录.

A meeting belongs to one branch; its invitees are that branch's members plus any
orgs or members invited besides (joint sessions, 双联双促). Attendance has one row per
invitee and meeting: `present` or `leave` while the meeting is open; on closing,
every invitee without a row gets `absent`. Each row says how it was recorded
(code, qr, location, admin, helper), by whom and when; an admin's later entry is
flagged `backfilled`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from core.geo import distance_m
from models.errors import MeetingError
from models.meetings.tables import (
    AUDIENCE_ALL,
    AUDIENCE_INVITED,
    CHECK_IN_OPENS,
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
from models.members.orgs import subtree_ids
from models.members.tables import Member


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

    @property
    def audience(self) -> str:
        """"all" unless the meeting invites particular members or a group."""
        return AUDIENCE_INVITED if self.invite_member_ids or self.invite_org_ids \
            else AUDIENCE_ALL


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


def committee_member_ids(session: Session, branch_id: int) -> list[int]:
    """The branch committee (支委): members whose roster 角色 names a committee post."""
    return list(session.scalars(select(Member.id).where(
        Member.branch_id == branch_id, Member.committee_posts.is_not(None))
        .order_by(Member.id)))


def invitee_ids(session: Session, meeting: Meeting) -> list[int]:
    """Member ids expected at the meeting (its branch, invited orgs and members)."""
    invites = list(session.scalars(select(MeetingInvite).where(
        MeetingInvite.meeting_id == meeting.id)))
    org_ids = {meeting.org_id} if meeting.audience == AUDIENCE_ALL else set()
    for item in invites:
        if item.org_id is not None:
            org_ids.update(subtree_ids(session, item.org_id))
    member_ids = {i.member_id for i in invites if i.member_id is not None}
    member_ids.update(_officers(meeting))  # the host, recorder and lecturer come too
    query = select(Member.id).where(or_(Member.branch_id.in_(org_ids),
                                        Member.group_id.in_(org_ids),
                                        Member.id.in_(member_ids)))
    return sorted(set(session.scalars(query)))


def _officers(meeting: Meeting) -> set[int]:
    return {i for i in (meeting.host_id, meeting.recorder_id, meeting.lecturer_id)
            if i is not None}


def is_invited(session: Session, meeting: Meeting, member: Member) -> bool:
    """Whether `member` is expected at `meeting`."""
    if member.id in _officers(meeting) or (meeting.audience == AUDIENCE_ALL and (
            member.branch_id == meeting.org_id or member.group_id == meeting.org_id)):
        return True
    return member.id in invitee_ids(session, meeting)


# Built once: 签到 is the busiest command during a meeting.
_OPEN_BY_CODE = select(Meeting).where(Meeting.code == bindparam("code"),
                                      Meeting.status == MeetingStatus.PLANNED)


def open_meeting_by_code(session: Session, code: str) -> Meeting | None:
    """The open (planned) meeting with this 签到码."""
    meeting: Meeting | None = session.scalar(_OPEN_BY_CODE, {"code": code})
    return meeting


def branch_meeting(session: Session, branch_id: int, number: str) -> Meeting | None:
    """The branch's meeting named by a 签到码 (its open meeting first, then the latest
    with that code) or by its 会议编号: admins use whichever they have at hand."""
    if not number.isdigit():
        return None
    if len(number) >= CODE_DIGITS:
        by_code = session.scalar(
            select(Meeting).where(Meeting.org_id == branch_id, Meeting.code == number)
            .order_by((Meeting.status == MeetingStatus.PLANNED).desc(),
                      Meeting.starts_at.desc()).limit(1))
        if by_code is not None:
            return by_code
    if len(number) > 9:
        return None
    meeting = session.get(Meeting, int(number))
    return meeting if meeting is not None and meeting.org_id == branch_id else None


def open_for_check_in(session: Session, member: Member, now: datetime) -> list[Meeting]:
    """The member's meetings whose check-in is open now (from an hour before the start
    to the end), soonest first."""
    return [m for m in upcoming_for(session, member, now, limit=20)
            if m.starts_at - CHECK_IN_OPENS <= now]


def change_meeting(session: Session, meeting: Meeting, starts_at: datetime,
                   ends_at: datetime | None, place: str, topic: str, now: datetime) -> bool:
    """Move a meeting that has not started, or change its place or topic (its kind, code
    and invitees stay); True if anything changed. MeetingError as create_meeting's, and
    for a meeting already under way or over (flushes)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("CHANGE_ONLY_PLANNED")
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
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError("CHANGE_ONLY_PLANNED")
    if meeting.starts_at <= now:
        raise MeetingError("CHANGE_INVITEES_STARTED")
    before = set(invitee_ids(session, meeting))
    for invite in session.scalars(select(MeetingInvite).where(
            MeetingInvite.meeting_id == meeting.id)):
        session.delete(invite)
    session.flush()
    session.add_all([MeetingInvite(meeting_id=meeting.id, member_id=member_id)
                     for member_id in member_ids]
                    + [MeetingInvite(meeting_id=meeting.id, org_id=org_id)
                       for org_id in (*org_ids, *joint_org_ids)])
    meeting.audience = AUDIENCE_INVITED if member_ids or org_ids else AUDIENCE_ALL
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


def meetings_due_to_close(session: Session, now: datetime, grace: timedelta) -> list[Meeting]:
    """Planned meetings whose end (plus grace) has passed."""
    return list(session.scalars(select(Meeting).where(
        Meeting.status == MeetingStatus.PLANNED, Meeting.ends_at < now - grace)))


def upcoming_for(session: Session, member: Member, now: datetime,
                 limit: int = 5) -> list[Meeting]:
    """The member's open meetings that have not ended, soonest first."""
    invited_meeting_ids = select(MeetingInvite.meeting_id).where(or_(
        MeetingInvite.member_id == member.id,
        MeetingInvite.org_id.in_([member.branch_id] + ([member.group_id] if member.group_id
                                                         else []))))
    query = (select(Meeting).where(
        Meeting.status == MeetingStatus.PLANNED, Meeting.ends_at >= now,
        or_(and_(Meeting.org_id == member.branch_id, Meeting.audience == AUDIENCE_ALL),
            Meeting.id.in_(invited_meeting_ids), Meeting.host_id == member.id,
            Meeting.recorder_id == member.id, Meeting.lecturer_id == member.id))
        .order_by(Meeting.starts_at).limit(limit))
    return list(session.scalars(query))


@dataclass(frozen=True)
class Nearby:
    """What a location tells about the member's meetings in their check-in window."""

    meeting: Meeting | None  # the nearest one within the radius
    open_meetings: int  # meetings whose check-in is open now
    located: int  # of those, meetings that have coordinates


def meeting_near(session: Session, member: Member, latitude: float, longitude: float,
                 now: datetime, radius_m: float) -> Nearby:
    """The member's open meeting within `radius_m` of the location, if any."""
    candidates = [m for m in upcoming_for(session, member, now, limit=20)
                  if m.starts_at - now <= CHECK_IN_OPENS]
    located = [m for m in candidates if m.latitude is not None and m.longitude is not None]
    if not located:
        return Nearby(None, len(candidates), 0)
    distances = [(distance_m(latitude, longitude, m.latitude or 0.0, m.longitude or 0.0), m.id, m)
                 for m in located]
    metres, _, nearest = min(distances, key=lambda d: (d[0], d[1]))
    return Nearby(nearest if metres <= radius_m else None, len(candidates), len(located))
