"""What the 台账 sheets show of one branch in a period, read once for all of them: its
meetings (cancelled ones left out), their attendance records, the members involved and
every name a sheet prints (host, recorder, lecturer, whoever entered a record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import words
from models.meetings.tables import Attendance, Meeting, MeetingStatus
from models.members.org_tables import Org
from models.members.tables import Member

MARKS = words.ATTENDANCE_MARKS


@dataclass(frozen=True)
class Record:
    """One attendance record, as the ledger shows it."""

    member_id: int
    status: str
    reason: str | None
    backfilled: bool
    recorded_by: int | None
    recorded_at: datetime


@dataclass
class BranchRecords:
    """A branch's meetings in a period and everything the ledger's sheets show of them,
    read in at most four queries."""

    branch: Org
    meetings: list[Meeting]
    members: list[Member]  # the branch's, and anyone else recorded (joint sessions)
    records: dict[int, list[Record]] = field(default_factory=dict)  # by meeting id
    names: dict[int, str] = field(default_factory=dict)  # member id → name
    marks: dict[tuple[int, int], str] = field(default_factory=dict)  # (member, meeting)

    def mark(self, member_id: int, meeting_id: int) -> str:
        """✓ / 假 / 缺, or blank."""
        return self.marks.get((member_id, meeting_id), "")

    def backfilled(self, meeting_id: int) -> bool:
        """Whether any record of the meeting was entered afterwards (补录)."""
        return any(r.backfilled for r in self.records.get(meeting_id, []))


def load_branch_records(session: Session, branch: Org, since: datetime,
                        until: datetime) -> BranchRecords:
    """The branch's meetings starting in [since, until) (cancelled ones left out), their
    attendance, the members involved and every name a sheet prints."""
    meetings = list(session.scalars(
        # its own meetings and the joint ones its paired org held with it (双联双促)
        select(Meeting).where(or_(Meeting.org_id == branch.id, Meeting.joint_org_id == branch.id),
                              Meeting.starts_at >= since,
                              Meeting.starts_at < until,
                              Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at, Meeting.id)))
    meeting_ids = [m.id for m in meetings]
    records: dict[int, list[Record]] = {}
    if meeting_ids:
        for meeting_id, member_id, status, reason, backfilled, recorded_by, recorded_at \
                in session.execute(
                select(Attendance.meeting_id, Attendance.member_id, Attendance.status,
                       Attendance.reason, Attendance.backfilled, Attendance.recorded_by,
                       Attendance.recorded_at)
                .where(Attendance.meeting_id.in_(meeting_ids))):
            records.setdefault(meeting_id, []).append(Record(
                member_id, status, reason, backfilled, recorded_by, recorded_at))
    recorded = {r.member_id for rows in records.values() for r in rows}
    members = list(session.scalars(
        select(Member).where((Member.branch_id == branch.id) | Member.id.in_(recorded))
        .order_by(Member.id)))
    names = {m.id: m.name for m in members}
    officers = {i for m in meetings for i in (m.host_id, m.recorder_id, m.lecturer_id)
                if i is not None} | {r.recorded_by for rows in records.values() for r in rows
                                     if r.recorded_by is not None}
    missing = officers - set(names)
    if missing:
        names.update({member_id: name for member_id, name in session.execute(
            select(Member.id, Member.name).where(Member.id.in_(missing)))})
    marks = {(r.member_id, meeting_id): MARKS.get(r.status, "")
             for meeting_id, rows in records.items() for r in rows}
    return BranchRecords(branch, meetings, members, records, names, marks)
