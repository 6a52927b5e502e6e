"""Reading meetings: who is invited, which meeting a code or a number names, a member's
upcoming meetings and the one near where they stand, and the meetings due to close.
Nothing here changes anything (the changes are in models.meetings.actions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from core.geo import distance_m
from models.meetings.tables import (
    AUDIENCE_ALL,
    CHECK_IN_OPENS,
    CODE_DIGITS,
    Meeting,
    MeetingInvite,
    MeetingStatus,
)
from models.members.orgs import subtree_ids
from models.members.tables import Member


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
                                        Member.id.in_(member_ids)),
                                    Member.forgotten_at.is_(None))  # forgotten: not expected
    return sorted(set(session.scalars(query)))


def _officers(meeting: Meeting) -> set[int]:
    return {i for i in (meeting.host_id, meeting.recorder_id, meeting.lecturer_id)
            if i is not None}


def is_invited(session: Session, meeting: Meeting, member: Member) -> bool:
    """Whether `member` is expected at `meeting`."""
    if member.forgotten_at is not None:
        return False
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
