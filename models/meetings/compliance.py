"""考核: has each branch held the meetings its cadence requires, and who attended.

Cadence rules (《中国共产党支部工作条例（试行）》), configurable: 支部党员大会 and 党课 once
a quarter, 支部委员会会议 and 党小组会 once a month, 组织生活会 once a year. Periods are
calendar months, quarters and years in the account's time zone. For each required
kind a branch is "on_track" (held this period), "at_risk" (not yet, the period still
running) or "missed" (the period ended without it). A kind not yet held is told apart
by whether a meeting of it is arranged (`next_planned`, its start) or nothing is.

Attendance comes from per-meeting counts stored when a meeting is closed (and
recomputed on 补录), so a county-wide roll-up reads meetings, not every attendance row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from core.config import DEFAULT_CADENCE
from core.localtime import PERIOD_KINDS, Period, period_containing
from models.db.base import id_list
from models.joint.kinds import counts_for_partner
from models.meetings.tables import KIND_NAMES, Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org, OrgKind
from models.members.orgs import OrgRef
from models.members.tables import Member


class State(StrEnum):
    """Where a required kind of meeting stands in its period."""

    ON_TRACK = "on_track"  # held this period
    AT_RISK = "at_risk"  # not yet, the period still running
    MISSED = "missed"  # the period ended without it


@dataclass
class KindStatus:
    """One required kind of meeting in one branch and period."""

    kind: str
    period: Period
    held: int = 0
    planned: int = 0
    state: State = State.AT_RISK
    days_left: int = 0
    next_planned: datetime | None = None  # the first arranged (planned) meeting's start

    @property
    def arranged(self) -> bool:
        """Not held yet, but a meeting of this kind is arranged in the period."""
        return self.state is State.AT_RISK and self.next_planned is not None

    @property
    def name(self) -> str:
        """The kind in Chinese."""
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass
class AttendanceCounts:
    """Attendance counts over held meetings."""

    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def rate(self) -> float | None:
        """Present / expected (None when no meeting was held)."""
        return self.present / self.expected if self.expected else None

    def add(self, other: AttendanceCounts) -> None:
        """Accumulate."""
        self.expected += other.expected
        self.present += other.present
        self.leave += other.leave
        self.absent += other.absent


@dataclass
class BranchCompliance:
    """A branch's picture for the current periods."""

    branch_id: int
    name: str
    kinds: list[KindStatus] = field(default_factory=list)
    members: int = 0  # on the roster now; a branch with none is new, not behind
    # Over the attendance period (a quarter by default).
    attendance: AttendanceCounts = field(default_factory=AttendanceCounts)

    @property
    def missing(self) -> list[KindStatus]:
        """Required kinds not (yet) held."""
        return [k for k in self.kinds if k.state is not State.ON_TRACK]

    @property
    def behind(self) -> list[KindStatus]:
        """Required kinds missed, or not yet held and not even arranged."""
        return [k for k in self.kinds if k.state is State.MISSED
                or (k.state is State.AT_RISK and not k.arranged)]


def compliance(session: Session, branches: Sequence[Org | OrgRef], now: datetime, tz: ZoneInfo,
               cadence: dict[str, str] | None = None, attendance_period: str = "quarter",
               period_of: datetime | None = None) -> list[BranchCompliance]:
    """The picture for these branches, one query per period kind plus one for rates.

    Periods are those containing `period_of` (default: now), judged at `now`: a past
    period's missing meetings are "missed".
    """
    cadence = cadence or DEFAULT_CADENCE
    period_of = period_of or now
    by_id = {b.id: BranchCompliance(b.id, b.name) for b in branches}
    ids = list(by_id)
    if not ids:
        return []
    # 党小组会 is required only where the branch has groups.
    with_groups = set(session.scalars(select(Org.parent_id).where(
        Org.kind == OrgKind.GROUP, Org.parent_id.in_(id_list(ids))).distinct()))
    for period_kind in PERIOD_KINDS:
        kinds = [k for k, p in cadence.items() if p == period_kind]
        if not kinds:
            continue
        period = period_containing(period_of, period_kind, tz)
        counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        first_planned: dict[tuple[int, str], datetime] = {}
        rows = session.execute(
            select(Meeting.org_id, Meeting.kind, Meeting.status, func.count(),
                   func.min(Meeting.starts_at))
            .where(Meeting.org_id.in_(id_list(ids)), Meeting.kind.in_(kinds),
                   Meeting.starts_at >= period.start, Meeting.starts_at < period.end,
                   Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.org_id, Meeting.kind, Meeting.status))
        # 双联双促: a joint meeting of a kind the scheme allows counts for the partner too
        joint_kinds = [k for k in kinds if counts_for_partner(k)]
        joint_rows: Iterable[Row[Any]] = session.execute(
            select(Meeting.joint_org_id, Meeting.kind, Meeting.status, func.count(),
                   func.min(Meeting.starts_at))
            .where(Meeting.joint_org_id.in_(id_list(ids)), Meeting.kind.in_(joint_kinds),
                   Meeting.starts_at >= period.start, Meeting.starts_at < period.end,
                   Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.joint_org_id, Meeting.kind, Meeting.status)) \
            if joint_kinds else []
        for org_id, kind, status, number, first in chain(rows, joint_rows):
            found_counts = counts[(org_id, kind)]
            found_counts[status] = found_counts.get(status, 0) + number
            if status == MeetingStatus.PLANNED and first is not None:
                earlier = first_planned.get((org_id, kind))
                first_planned[(org_id, kind)] = first if earlier is None else min(earlier, first)
        for branch in by_id.values():
            for kind in kinds:
                if kind == MeetingKind.GROUP_MEETING and branch.branch_id not in with_groups:
                    continue
                found = counts.get((branch.branch_id, kind), {})
                kind_status = KindStatus(kind, period, found.get(MeetingStatus.HELD, 0),
                                         found.get(MeetingStatus.PLANNED, 0),
                                         days_left=period.days_left(now),
                                         next_planned=first_planned.get(
                                             (branch.branch_id, kind)))
                kind_status.state = State.ON_TRACK if kind_status.held else (
                    State.AT_RISK if now < period.end else State.MISSED)
                branch.kinds.append(kind_status)
    period = period_containing(period_of, attendance_period, tz)
    for org_id, expected, present, leave, absent in session.execute(
        select(Meeting.org_id, func.sum(Meeting.expected_count), func.sum(Meeting.present_count),
               func.sum(Meeting.leave_count), func.sum(Meeting.absent_count))
        .where(Meeting.org_id.in_(id_list(ids)), Meeting.status == MeetingStatus.HELD,
               Meeting.starts_at >= period.start, Meeting.starts_at < period.end)
        .group_by(Meeting.org_id)):
        by_id[org_id].attendance = AttendanceCounts(expected or 0, present or 0, leave or 0,
                                              absent or 0)
    for org_id, number in session.execute(
            select(Member.branch_id, func.count()).where(Member.branch_id.in_(id_list(ids)))
            .group_by(Member.branch_id)):
        by_id[org_id].members = number
    order = {kind: i for i, kind in enumerate(cadence)}
    for branch in by_id.values():
        branch.kinds.sort(key=lambda k: order.get(k.kind, 99))
    return list(by_id.values())


def lag(branch: BranchCompliance) -> tuple[int, int, int, int, float]:
    """Sort key putting the branches furthest behind first: most kinds missed, then most
    not yet held and not even arranged, then most not yet held, then the lowest
    attendance (the console's overview and 统计 for org admins). A branch with no
    members yet goes last: there is nobody to hold a meeting with."""
    missed = sum(kind.state is State.MISSED for kind in branch.kinds)
    at_risk = sum(kind.state is State.AT_RISK for kind in branch.kinds)
    unarranged = sum(kind.state is State.AT_RISK and not kind.arranged
                     for kind in branch.kinds)
    rate = branch.attendance.rate
    return (0 if branch.members else 1, -missed, -unarranged, -at_risk,
            rate if rate is not None else 2.0)


@dataclass(frozen=True)
class OrgSummary:
    """An org's subtree in three numbers and a rate (统计 for township/county staff).
    Branches with no members yet are not counted, only named."""

    branches: int
    on_track: int  # every required kind held this period
    at_risk: int  # something not yet held, time left
    missed: int  # something not held in a period that ended
    attendance: AttendanceCounts
    lagging: list[str]  # names, furthest behind first
    unarranged: int = 0  # of at_risk: something not held and not even arranged
    empty: list[str] = field(default_factory=list)  # names of branches with no members


def summarize_branches(pictures: list[BranchCompliance], shown: int = 3) -> OrgSummary:
    """Count the branches by their worst state, and name the furthest behind."""
    total = AttendanceCounts()
    missed = at_risk = unarranged = 0
    counted = [picture for picture in pictures if picture.members]
    for picture in counted:
        total.add(picture.attendance)
        states = {kind.state for kind in picture.kinds}
        if State.MISSED in states:
            missed += 1
        elif State.AT_RISK in states:
            at_risk += 1
            unarranged += any(kind.state is State.AT_RISK and not kind.arranged
                              for kind in picture.kinds)
    behind = [p.name for p in sorted(counted, key=lag) if p.behind][:shown]
    return OrgSummary(len(counted), len(counted) - missed - at_risk, at_risk, missed,
                      total, behind, unarranged,
                      [p.name for p in pictures if not p.members])
