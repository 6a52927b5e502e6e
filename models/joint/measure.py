"""The assessment's 双联双促 measure: joint sessions (联过) held by each paired org.

`joint_sessions` is a `MeasureFn` (models.assessment.ratios): for each org among
`org_ids` that has a pair live at some point of the span, `due` is one joint session a
quarter (the calendar quarters the span touches: 4 for a year) and `done` the joint
meetings held in the span that the org hosted or joined, capped at `due`. Orgs with no
pair in the span get no Ratio (the clause does not apply to them). Three queries,
whatever the number of orgs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.assessment.context import zone_of
from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.joint.tables import JointPair
from models.meetings.tables import Meeting, MeetingStatus


def quarters_in(span: Span) -> int:
    """How many calendar quarters the span touches."""
    first = span.first.year * 4 + (span.first.month - 1) // 3
    last = span.last.year * 4 + (span.last.month - 1) // 3
    return max(0, last - first + 1)


def joint_sessions(session: Session, org_ids: Sequence[int], span: Span,
                   tz: ZoneInfo | None = None) -> dict[int, Ratio]:
    """Joint sessions held per paired org over the span, one due a quarter."""
    tz = tz or zone_of(session)  # the deployment's zone (models.assessment.context)
    if not org_ids:
        return {}
    start, end = span.utc_bounds(tz)
    ids = id_list(org_ids)
    paired: set[int] = set()
    # A pair counts when it was live at some point in [start, end).
    for office_id, branch_id, started_at, ended_at in session.execute(
            select(JointPair.office_id, JointPair.branch_id, JointPair.started_at,
                   JointPair.ended_at)
            .where(or_(JointPair.office_id.in_(ids), JointPair.branch_id.in_(ids)))):
        if started_at < end and (ended_at is None or ended_at >= start):
            paired.update((office_id, branch_id))
    wanted = paired & set(org_ids)
    if not wanted:
        return {}
    held: dict[int, int] = defaultdict(int)
    for host, partner in session.execute(
            select(Meeting.org_id, Meeting.joint_org_id)
            .where(Meeting.joint_org_id.is_not(None), Meeting.status == MeetingStatus.HELD,
                   Meeting.starts_at >= start, Meeting.starts_at < end,
                   or_(Meeting.org_id.in_(id_list(wanted)),
                       Meeting.joint_org_id.in_(id_list(wanted))))):
        for org_id in {host, partner or 0} & wanted:
            held[org_id] += 1
    due = quarters_in(span)
    return {org_id: Ratio(min(held[org_id], due), due) for org_id in sorted(wanted)}

