"""Trends per quarter for an org's branches, for the console's overview chart: how much
of the required 三会一课 was held, and the attendance rate at the meetings held.

One grouped query over every quarter at once (a CASE puts each meeting in its quarter)
gives both measures, so the chart costs the overview one query however many branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.localtime import Period, period_containing
from models.db.base import id_list
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org, OrgKind

# How many of a kind a quarter asks for, by the cadence's period; yearly kinds (组织生活会)
# are left out of a quarter's count.
PER_QUARTER = {"month": 3, "quarter": 1}


@dataclass(frozen=True)
class QuarterTrend:
    """One quarter: required meetings held (capped at what was required, per branch and
    kind) out of required, and attendance at the meetings held."""

    period: Period
    held: int
    required: int
    present: int
    expected: int

    @property
    def completion(self) -> float | None:
        """Share of the required 三会一课 held."""
        return self.held / self.required if self.required else None

    @property
    def attendance(self) -> float | None:
        """实到 / 应到 at the meetings held."""
        return self.present / self.expected if self.expected else None


def last_quarters(now: datetime, tz: ZoneInfo, count: int) -> list[Period]:
    """The quarter containing `now` and the `count - 1` before it, oldest first."""
    quarters = [period_containing(now, "quarter", tz)]
    while len(quarters) < count:
        quarters.append(period_containing(quarters[-1].start - timedelta(days=1), "quarter",
                                          tz))
    return quarters[::-1]


def quarter_trends(session: Session, branch_ids: list[int], quarters: list[Period],
                   cadence: dict[str, str]) -> list[QuarterTrend]:
    """The trend of these branches over these quarters (consecutive, oldest first)."""
    if not branch_ids or not quarters:
        return []
    which = case(*((Meeting.starts_at < q.end, index) for index, q in enumerate(quarters)),
                 else_=-1)
    asked = {kind: PER_QUARTER[period] for kind, period in cadence.items()
             if period in PER_QUARTER}
    # "not planned, not cancelled" is "held", written so that the planner walks the
    # (org_id, starts_at) index: an equality on status made SQLite scan every branch's
    # meetings through the status index, 70 ms for a township of 100 branches.
    per_branch = (select(which.label("quarter"), Meeting.org_id, Meeting.kind,
                         func.count().label("held"),
                         func.sum(Meeting.present_count).label("present"),
                         func.sum(Meeting.expected_count).label("expected"))
                  .where(Meeting.org_id.in_(id_list(branch_ids)),
                         Meeting.status.not_in([MeetingStatus.PLANNED, MeetingStatus.CANCELLED]),
                         Meeting.starts_at >= quarters[0].start,
                         Meeting.starts_at < quarters[-1].end)
                  .group_by(which, Meeting.org_id, Meeting.kind).subquery())
    # what a branch held of a kind counts up to what the quarter asks for, no more
    times_asked = case(*((per_branch.c.kind == kind, times) for kind, times in asked.items()),
                       else_=0)
    capped = case((per_branch.c.held > times_asked, times_asked), else_=per_branch.c.held)
    totals = {quarter: (int(held or 0), int(present or 0), int(expected or 0))
              for quarter, held, present, expected in session.execute(
                  select(per_branch.c.quarter, func.sum(capped), func.sum(per_branch.c.present),
                         func.sum(per_branch.c.expected)).group_by(per_branch.c.quarter))}
    with_groups = session.scalar(select(func.count(func.distinct(Org.parent_id))).where(
        Org.kind == OrgKind.GROUP, Org.parent_id.in_(id_list(branch_ids)))) or 0
    required = sum(times * (with_groups if kind == MeetingKind.GROUP_MEETING
                            else len(branch_ids)) for kind, times in asked.items())
    return [QuarterTrend(q, totals.get(i, (0, 0, 0))[0], required, *totals.get(i, (0, 0, 0))[1:])
            for i, q in enumerate(quarters)]
