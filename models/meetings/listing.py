"""What the console's meeting pages show and offer, built on models.meetings and
models.meetings.attendance (the same rules the chat uses): the branch's meetings in a period,
who a new meeting can invite (its own audience, and other branches for a joint session),
and the attendance list of one meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import texts, words
from models.db.base import id_list
from models.errors import MeetingError
from models.meetings.queries import committee_member_ids, invitee_ids
from models.meetings.tables import (
    AUDIENCE_ALL,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingInvite,
    MeetingKind,
)
from models.members.org_tables import Org, OrgKind
from models.members.orgs import groups_of
from models.members.tables import Member

EVERYONE = "all"
COMMITTEE = "committee"
GROUP_PREFIX = "group:"


def meetings_between(session: Session, branch_id: int, start: datetime,
                     end: datetime) -> list[Meeting]:
    """The branch's meetings starting in [start, end), earliest first: its own and the
    joint meetings (双联双促) its paired org held with it."""
    return list(session.scalars(select(Meeting).where(
        or_(Meeting.org_id == branch_id, Meeting.joint_org_id == branch_id),
        Meeting.starts_at >= start, Meeting.starts_at < end)
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


def joint_choices(session: Session, branch_id: int, visible: set[int]) -> list[Org]:
    """Branches a meeting of this branch can invite for a joint session: its neighbours
    under the same committee, and any branch the account sees (county staff: 双联双促),
    by committee then name."""
    branch = session.get(Org, branch_id)
    if branch is None:
        return []
    query = select(Org).where(Org.kind == OrgKind.BRANCH, Org.id != branch_id)
    if branch.parent_id is not None:
        query = query.where((Org.parent_id == branch.parent_id) | Org.id.in_(id_list(visible)))
    else:
        query = query.where(Org.id.in_(id_list(visible)))
    return sorted(session.scalars(query), key=lambda org: (org.parent_id or 0, org.name))


def joint_ids_for(chosen: list[str], offered: list[Org]) -> tuple[int, ...]:
    """The joint branches chosen in a form, each one of those offered; MeetingError for
    any other (a stale page, or a forged id)."""
    offered_ids = {org.id for org in offered}
    ids = []
    for value in chosen:
        # ASCII only: `isdigit` also passes superscripts, which `int` refuses
        if not (value.isascii() and value.isdigit()) or int(value) not in offered_ids:
            raise MeetingError("MEETING_BAD_JOINT")
        ids.append(int(value))
    return tuple(sorted(set(ids)))


@dataclass(frozen=True)
class Invitees:
    """A meeting's invitees as the form shows them: the host branch's audience choice
    and the joint branches."""

    audience: str
    joint_org_ids: tuple[int, ...]


def invitees_of(session: Session, meeting: Meeting) -> Invitees:
    """How the meeting's invites read back as a form choice (a member list that is not
    the committee reads as the committee: the console offers no other member list)."""
    invites = list(session.scalars(select(MeetingInvite).where(
        MeetingInvite.meeting_id == meeting.id)))
    groups = set(groups_of(session, meeting.org_id).values())
    invited_orgs = [i.org_id for i in invites if i.org_id is not None]
    joint = tuple(sorted(org_id for org_id in invited_orgs if org_id not in groups))
    if meeting.audience == AUDIENCE_ALL:
        return Invitees(EVERYONE, joint)
    group = next((org_id for org_id in invited_orgs if org_id in groups), None)
    if group is not None:
        return Invitees(f"{GROUP_PREFIX}{group}", joint)
    return Invitees(COMMITTEE, joint)


def invitee_summary(session: Session, meeting: Meeting) -> str:
    """Who is invited, in words: "全体党员", "支委会成员" or the group, then the joint
    branches by name."""
    invitees = invitees_of(session, meeting)
    names = dict(audience_choices(session, meeting.org_id))
    text = names.get(invitees.audience, words.AUDIENCE_COMMITTEE)
    if invitees.joint_org_ids:
        joint = session.scalars(select(Org.name).where(
            Org.id.in_(invitees.joint_org_ids)).order_by(Org.name))
        text += texts.MEETING_JOINT_WITH.format(names=words.LIST_SEP.join(joint))
    return text


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
