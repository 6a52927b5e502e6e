"""考核: has each branch held the meetings its cadence requires, and who attended.

Cadence rules (《中国共产党支部工作条例（试行）》), configurable: 支部党员大会 and 党课 once
a quarter, 支部委员会会议 and 党小组会 once a month, 组织生活会 once a year. Periods are
calendar months, quarters and years in the account's time zone. For each required
kind a branch is "on_track" (held this period), "at_risk" (not yet, the period still
running) or "missed" (the period ended without it).

Attendance comes from per-meeting counts stored when a meeting is closed (and
recomputed on 补录), so a county-wide roll-up reads meetings, not every attendance row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.meetings import KIND_NAMES, Meeting, MeetingKind, MeetingStatus
from models.org import Org, OrgKind, subtree_ids

DEFAULT_CADENCE: dict[str, str] = {
    MeetingKind.BRANCH_ASSEMBLY: "quarter",
    MeetingKind.COMMITTEE_MEETING: "month",
    MeetingKind.GROUP_MEETING: "month",
    MeetingKind.PARTY_LECTURE: "quarter",
    MeetingKind.LIFE_MEETING: "year",
}
PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year in local time; `end` is exclusive (UTC)."""

    kind: str
    start: datetime
    end: datetime
    label: str

    def days_left(self, now: datetime) -> int:
        """Whole days from `now` to the end (0 on the last day)."""
        return max(0, (self.end - now).days)

    def contains(self, when: datetime) -> bool:
        """start <= when < end."""
        return self.start <= when < self.end


def period_containing(when: datetime, kind: str, tz: ZoneInfo) -> Period:
    """The month / quarter / year (local calendar) that contains `when`."""
    local = when.astimezone(tz)
    if kind == "month":
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        label = f"{start.year}年{start.month}月"
    elif kind == "quarter":
        first_month = (local.month - 1) // 3 * 3 + 1
        start = local.replace(month=first_month, day=1, hour=0, minute=0, second=0,
                              microsecond=0)
        end = (start + timedelta(days=95)).replace(day=1)
        label = f"{start.year}年第{(first_month - 1) // 3 + 1}季度"
    elif kind == "year":
        start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = start.replace(year=start.year + 1)
        label = f"{start.year}年"
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    # Rebuild from wall-clock fields so that a DST zone would still get local midnights.
    start = start.replace(tzinfo=tz)
    end = end.replace(tzinfo=tz)
    return Period(kind, start.astimezone(when.tzinfo), end.astimezone(when.tzinfo), label)


@dataclass
class KindStatus:
    """One required kind of meeting in one branch and period."""

    kind: str
    period: Period
    held: int = 0
    planned: int = 0
    state: str = "at_risk"  # on_track / at_risk / missed
    days_left: int = 0

    @property
    def name(self) -> str:
        """The kind in Chinese."""
        return KIND_NAMES.get(MeetingKind(self.kind), self.kind)


@dataclass
class Attendance:
    """Attendance counts over held meetings."""

    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def rate(self) -> float | None:
        """Present / expected (None when no meeting was held)."""
        return self.present / self.expected if self.expected else None

    def add(self, other: Attendance) -> None:
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
    attendance: Attendance = field(default_factory=Attendance)  # over `attendance_period`

    @property
    def missing(self) -> list[KindStatus]:
        """Required kinds not (yet) held."""
        return [k for k in self.kinds if k.state != "on_track"]


@dataclass
class Rollup:
    """Every branch below an org, and the totals."""

    org_id: int
    attendance_period: Period
    branches: list[BranchCompliance]
    attendance: Attendance

    def count(self, state: str) -> int:
        """How many (branch, kind) pairs are in `state`."""
        return sum(1 for b in self.branches for k in b.kinds if k.state == state)


def compliance(session: Session, branches: list[Org], now: datetime, tz: ZoneInfo,
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
        Org.kind == OrgKind.GROUP, Org.parent_id.in_(ids)).distinct()))
    for period_kind in PERIOD_KINDS:
        kinds = [k for k, p in cadence.items() if p == period_kind]
        if not kinds:
            continue
        period = period_containing(period_of, period_kind, tz)
        counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        rows = session.execute(
            select(Meeting.org_id, Meeting.kind, Meeting.status, func.count())
            .where(Meeting.org_id.in_(ids), Meeting.kind.in_(kinds),
                   Meeting.starts_at >= period.start, Meeting.starts_at < period.end,
                   Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.org_id, Meeting.kind, Meeting.status))
        for org_id, kind, status, number in rows:
            counts[(org_id, kind)][status] = number
        for branch in by_id.values():
            for kind in kinds:
                if kind == MeetingKind.GROUP_MEETING and branch.branch_id not in with_groups:
                    continue
                found = counts.get((branch.branch_id, kind), {})
                status = KindStatus(kind, period, found.get(MeetingStatus.HELD, 0),
                                    found.get(MeetingStatus.PLANNED, 0),
                                    days_left=period.days_left(now))
                status.state = "on_track" if status.held else (
                    "at_risk" if now < period.end else "missed")
                branch.kinds.append(status)
    period = period_containing(period_of, attendance_period, tz)
    for org_id, expected, present, leave, absent in session.execute(
        select(Meeting.org_id, func.sum(Meeting.expected_count), func.sum(Meeting.present_count),
               func.sum(Meeting.leave_count), func.sum(Meeting.absent_count))
        .where(Meeting.org_id.in_(ids), Meeting.status == MeetingStatus.HELD,
               Meeting.starts_at >= period.start, Meeting.starts_at < period.end)
        .group_by(Meeting.org_id)):
        by_id[org_id].attendance = Attendance(expected or 0, present or 0, leave or 0,
                                              absent or 0)
    order = {kind: i for i, kind in enumerate(cadence)}
    for branch in by_id.values():
        branch.kinds.sort(key=lambda k: order.get(k.kind, 99))
    return list(by_id.values())


def rollup(session: Session, org_id: int, now: datetime, tz: ZoneInfo,
           cadence: dict[str, str] | None = None, period_of: datetime | None = None) -> Rollup:
    """Compliance of every branch in the subtree of `org_id` (township, county …)."""
    ids = subtree_ids(session, org_id)
    branches = list(session.scalars(select(Org).where(Org.id.in_(ids),
                                                      Org.kind == OrgKind.BRANCH)))
    found = compliance(session, branches, now, tz, cadence, period_of=period_of)
    total = Attendance()
    for branch in found:
        total.add(branch.attendance)
    return Rollup(org_id, period_containing(period_of or now, "quarter", tz), found, total)
