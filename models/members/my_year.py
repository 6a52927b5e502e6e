"""我的: a member's year at a glance — each study item of the year (studied or not, and
how: themselves, or by which helper, when), each meeting (出席 / 请假 and why / 缺席 /
代签 by which helper / 补录 by which admin), the leave asked, what a helper passed on
(已转达), and the counts for the page's header. Who acted is named on every line.

Read only, no Flask: the member pages (/m/me) and the API (/api/v1/me) render it. Each
part is one or two indexed queries (the study items through
`ix_study_item_org_id_publish_at` and the member's records; the meetings through the
member's attendance (`ix_attendance_member_id`) and the planned meetings
(`ix_meeting_status_starts_at`); the relays through `ix_relay_member_id`): a few
milliseconds for a member of a county of 100,000 (benchmarks/my_year.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from models.meetings.tables import (
    AUDIENCE_ALL,
    KIND_NAMES,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingInvite,
    MeetingStatus,
    Method,
)
from models.members.tables import Member
from models.pairing.relays import Relay
from models.study.queries import ancestor_ids
from models.study.tables import StudyItem, StudyRecord

SELF = "self"
HELPER = "helper"  # a helper's 帮学 (study) or 代签 / 代请假 (meetings)
ADMIN = "admin"  # an admin's 补录
CLOSED = "closed"  # marked when the meeting was closed (缺席; the host 出席)
UPCOMING = "upcoming"  # a meeting with no record yet, not over


def year_bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """1 January 00:00 of `year` and of the next, local time (aware datetimes)."""
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


@dataclass(frozen=True)
class StudyLine:
    """One study item of the year for this member."""

    item_id: int
    title: str
    published_at: datetime
    withdrawn: bool  # withdrawn after the member studied it (kept for their record)
    studied_at: datetime | None  # None: not studied
    how: str | None  # "self" / "helper" / None
    helper_name: str | None  # the helper who passed it on (how == "helper")


@dataclass(frozen=True)
class MeetingLine:
    """One meeting of the year the member was invited to (or has a record of)."""

    meeting_id: int
    kind: str
    kind_name: str
    topic: str
    place: str
    starts_at: datetime
    meeting_status: str  # planned / held / cancelled
    status: str  # present / leave / absent, or "upcoming" (no record, not over)
    reason: str | None  # a leave's reason
    recorded_at: datetime | None
    how: str | None  # self / helper (代签, 代请假) / admin (补录) / closed; None: no record
    method: str | None  # code / qr / location / admin / helper
    by_name: str | None  # who recorded it, when not the member
    backfilled: bool


@dataclass(frozen=True)
class LeaveLine:
    """A leave asked for a meeting of the year (the record's state: the meeting's)."""

    meeting_id: int
    kind_name: str
    starts_at: datetime
    reason: str | None
    asked_at: datetime
    by_name: str | None  # the helper or admin who asked it (None: the member)
    state: str  # "before" (meeting to come), "granted" (meeting held), "cancelled"


@dataclass(frozen=True)
class RelayLine:
    """Something a helper passed on to the member (已转达), from the relay list."""

    kind: str
    text: str
    helper_name: str
    confirmed_at: datetime


@dataclass(frozen=True)
class YearCounts:
    """The header: study and attendance of the year."""

    items: int
    studied: int
    studied_by_helper: int
    meetings: int  # invited, held or to come (cancelled ones not counted)
    present: int
    present_by_helper: int  # 代签
    leave: int
    absent: int
    upcoming: int


@dataclass(frozen=True)
class MyYear:
    """A member's year (local calendar year `year`)."""

    member_id: int
    year: int
    study: list[StudyLine]  # newest first
    meetings: list[MeetingLine]  # latest first
    leave: list[LeaveLine]  # latest first
    relays: list[RelayLine]  # latest first
    counts: YearCounts


def my_year(session: Session, member: Member, year: int, tz: ZoneInfo, now: datetime) -> MyYear:
    """The member's year: study, meetings, leave, relays and counts (five small
    queries and the branch's chain of orgs)."""
    start, end = year_bounds(year, tz)
    study = study_lines(session, member, start, min(end, now))
    meetings = meeting_lines(session, member, start, end, now)
    leave = [LeaveLine(m.meeting_id, m.kind_name, m.starts_at, m.reason, m.recorded_at or now,
                       m.by_name, _leave_state(m.meeting_status))
             for m in meetings if m.status == AttendanceStatus.LEAVE]
    relays = relay_lines(session, member.id, start, end)
    counted = [m for m in meetings if m.meeting_status != MeetingStatus.CANCELLED]
    counts = YearCounts(
        items=len(study), studied=sum(s.studied_at is not None for s in study),
        studied_by_helper=sum(s.how == HELPER for s in study), meetings=len(counted),
        present=sum(m.status == AttendanceStatus.PRESENT for m in counted),
        present_by_helper=sum(m.status == AttendanceStatus.PRESENT and m.how == HELPER
                              for m in counted),
        leave=sum(m.status == AttendanceStatus.LEAVE for m in counted),
        absent=sum(m.status == AttendanceStatus.ABSENT for m in counted),
        upcoming=sum(m.status == UPCOMING for m in counted))
    return MyYear(member.id, year, study, meetings, leave, relays, counts)


def _leave_state(meeting_status: str) -> str:
    if meeting_status == MeetingStatus.HELD:
        return "granted"
    return "cancelled" if meeting_status == MeetingStatus.CANCELLED else "before"


def study_lines(session: Session, member: Member, start: datetime,
                until: datetime) -> list[StudyLine]:
    """The items the member's branch saw published in [start, until), newest first,
    each with the member's record; a withdrawn item only if they had studied it."""
    helper = aliased(Member)
    rows = session.execute(
        select(StudyItem.id, StudyItem.title, StudyItem.publish_at,
               StudyItem.withdrawn_at.is_not(None), StudyRecord.studied_at, StudyRecord.via,
               helper.name)
        .outerjoin(StudyRecord, and_(StudyRecord.item_id == StudyItem.id,
                                     StudyRecord.member_id == member.id))
        .outerjoin(helper, helper.id == StudyRecord.helper_id)
        .where(StudyItem.org_id.in_(ancestor_ids(session, member.branch_id)),
               StudyItem.publish_at >= start,
               StudyItem.publish_at < until,
               or_(StudyItem.withdrawn_at.is_(None), StudyRecord.id.is_not(None)))
        .order_by(StudyItem.publish_at.desc(), StudyItem.id.desc()))
    return [StudyLine(item_id, title, published, bool(withdrawn), studied_at,
                      (HELPER if via == HELPER else SELF) if studied_at is not None else None,
                      helper_name if via == HELPER else None)
            for item_id, title, published, withdrawn, studied_at, via, helper_name in rows]


def _invited_planned(member: Member) -> ColumnElement[bool]:
    """SQL: a meeting that invites the member, as 会议 reads it (models.meetings.queries
    .upcoming_for): the whole branch or group, an invite of theirs, or a post at it."""
    orgs = [member.branch_id] + ([member.group_id] if member.group_id else [])
    invited = select(MeetingInvite.meeting_id).where(or_(
        MeetingInvite.member_id == member.id, MeetingInvite.org_id.in_(orgs)))
    return or_(and_(Meeting.org_id.in_(orgs), Meeting.audience == AUDIENCE_ALL),
               Meeting.id.in_(invited), Meeting.host_id == member.id,
               Meeting.recorder_id == member.id, Meeting.lecturer_id == member.id)


def meeting_lines(session: Session, member: Member, start: datetime, end: datetime,
                  now: datetime) -> list[MeetingLine]:
    """The meetings of [start, end) the member has a record of, and the planned ones
    that invite them without one yet (to come, or not yet closed): latest first. Two
    queries, each on its index: the member's attendance, and the planned meetings."""
    recorder = aliased(Member)
    columns = (Meeting.id, Meeting.kind, Meeting.topic, Meeting.place, Meeting.starts_at,
               Meeting.status)
    recorded = session.execute(
        select(*columns, Attendance.status, Attendance.reason, Attendance.recorded_at,
               Attendance.method, Attendance.recorded_by, recorder.name,
               Attendance.backfilled)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .outerjoin(recorder, recorder.id == Attendance.recorded_by)
        .where(Attendance.member_id == member.id, Meeting.starts_at >= start,
               Meeting.starts_at < end)).all()
    has_record = select(Attendance.id).where(Attendance.meeting_id == Meeting.id,
                                             Attendance.member_id == member.id).exists()
    planned = session.execute(
        select(*columns).where(Meeting.status == MeetingStatus.PLANNED,
                               Meeting.starts_at >= start, Meeting.starts_at < end,
                               _invited_planned(member), ~has_record)).all()
    rows = [*recorded, *((*row, None, None, None, None, None, None, False) for row in planned)]
    rows.sort(key=lambda row: (row[4], row[0]), reverse=True)
    lines = []
    for (meeting_id, kind, topic, place, starts_at, meeting_status, status, reason,
         recorded_at, method, recorded_by, by_name, backfilled) in rows:
        lines.append(MeetingLine(
            meeting_id, kind, KIND_NAMES.get(kind, kind), topic or "", place, starts_at,
            str(meeting_status), str(status) if status is not None else UPCOMING, reason,
            recorded_at, _how(status, method, backfilled),
            str(method) if method is not None else None,
            by_name if recorded_by not in (None, member.id) else None, bool(backfilled)))
    return lines


def _how(status: str | None, method: str | None, backfilled: bool) -> str | None:
    """Who made a record: the member, their helper, an admin (补录), or the closing."""
    if status is None:
        return None
    if method == Method.HELPER:
        return HELPER
    if method == Method.ADMIN:
        return ADMIN if backfilled else CLOSED
    return SELF


def relay_lines(session: Session, member_id: int, start: datetime,
                end: datetime) -> list[RelayLine]:
    """What the member's helpers confirmed passing on to them in [start, end)."""
    helper = aliased(Member)
    rows = session.execute(
        select(Relay.kind, Relay.text, helper.name, Relay.confirmed_at)
        .join(helper, helper.id == Relay.helper_id)
        .where(Relay.member_id == member_id, Relay.confirmed_at >= start,
               Relay.confirmed_at < end)
        .order_by(Relay.confirmed_at.desc(), Relay.id.desc()))
    return [RelayLine(kind, text, name, confirmed_at) for kind, text, name, confirmed_at in rows
            if confirmed_at is not None]
