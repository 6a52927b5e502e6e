"""三会一课 as the assessment measures it (models.assessment.measures names these):

- `meetings_held`: of the meetings the cadence requires in the span's periods (every
  month, quarter and year that has a day in the span; 党小组会 only where the branch
  has groups), how many were held — a kind counts once per period however many times
  it met, as models.meetings.compliance judges a period (a joint 双联双促 meeting of a
  kind models.joint.kinds counts for the partner is the partner's meeting too);
- `attendance`: members present / members expected over the meetings held (closed) in
  the span, from the counts stored when each meeting was closed.

Each answers for every org in a few queries (two more where joint meetings count).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, literal, select
from sqlalchemy.orm import Session

from core.localtime import Period, period_containing
from models.assessment.context import cadence_of, zone_of
from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.joint.kinds import counts_for_partner
from models.meetings.tables import Meeting, MeetingKind, MeetingStatus
from models.members.org_tables import Org, OrgKind


def periods_of(span: Span, period_kind: str, tz: ZoneInfo) -> list[Period]:
    """The months / quarters / years with a day in the span."""
    moment = datetime.combine(span.first, time(), tz)
    end = datetime.combine(span.last + timedelta(days=1), time(), tz)
    found: list[Period] = []
    while moment < end:
        period = period_containing(moment, period_kind, tz)
        found.append(period)
        moment = period.end
    return found


def meetings_held(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Required meetings held / required, per org (see the module's docstring)."""
    wanted = [int(org_id) for org_id in org_ids]
    if not wanted:
        return {}
    ids = id_list(wanted)
    tz, cadence = zone_of(session), cadence_of(session)
    periods = {kind: periods_of(span, cadence[kind], tz) for kind in cadence}
    if not periods:
        return {}
    with_groups = set(session.scalars(select(Org.parent_id).where(
        Org.kind == OrgKind.GROUP, Org.parent_id.in_(ids)).distinct()))
    # Which period a meeting falls in, as a label ("quarter:2"); its kind picks the scale.
    whens = []
    by_scale: dict[str, list[str]] = {}
    for kind, period_kind in cadence.items():
        by_scale.setdefault(period_kind, []).append(kind)
    for period_kind, kinds in by_scale.items():
        for index, period in enumerate(periods_of(span, period_kind, tz)):
            whens.append((and_(Meeting.kind.in_(kinds), Meeting.starts_at >= period.start,
                               Meeting.starts_at < period.end),
                          literal(f"{period_kind}:{index}")))
    first = min(p.start for found in periods.values() for p in found)
    last = max(p.end for found in periods.values() for p in found)
    bucket = case(*whens, else_=None)  # outside its kind's periods: NULL, not counted
    in_periods = (Meeting.status == MeetingStatus.HELD, Meeting.starts_at >= first,
                  Meeting.starts_at < last)
    held: dict[int, int] = {}
    for org_id, kind, number in session.execute(
            select(Meeting.org_id, Meeting.kind, func.count(distinct(bucket)))
            .where(Meeting.org_id.in_(ids), Meeting.kind.in_(list(cadence)), *in_periods)
            .group_by(Meeting.org_id, Meeting.kind)):
        if kind == MeetingKind.GROUP_MEETING and org_id not in with_groups:
            continue
        held[org_id] = held.get(org_id, 0) + int(number)
    # 双联双促: a joint meeting of a kind models.joint.kinds counts for the partner is one
    # of the partner's required meetings too, as models.meetings.compliance judges it
    # (found by tests/test_county_year.py: the measure counted the host only). A period
    # the partner already met in on its own is not counted twice.
    joint_kinds = [kind for kind in cadence if counts_for_partner(kind)]
    joined = set() if not joint_kinds else {
        (int(org_id), str(kind), str(label)) for org_id, kind, label in session.execute(
            select(Meeting.joint_org_id, Meeting.kind, bucket).distinct()
            .where(Meeting.joint_org_id.in_(ids), Meeting.kind.in_(joint_kinds),
                   *in_periods)) if label is not None}
    if joined:
        partners = id_list(sorted({org_id for org_id, _, _ in joined}))
        joined -= {(int(org_id), str(kind), str(label)) for org_id, kind, label in
                   session.execute(select(Meeting.org_id, Meeting.kind, bucket).distinct()
                                   .where(Meeting.org_id.in_(partners),
                                          Meeting.kind.in_(joint_kinds), *in_periods))}
        for org_id, _kind, _label in joined:
            held[org_id] = held.get(org_id, 0) + 1
    result = {}
    for org_id in wanted:
        due = sum(len(found) for kind, found in periods.items()
                  if kind != MeetingKind.GROUP_MEETING or org_id in with_groups)
        result[org_id] = Ratio(held.get(org_id, 0), due)
    return result


def attendance(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Present / expected over the meetings held in the span, per org."""
    if not org_ids:
        return {}
    ids = id_list(org_ids)
    start, end = span.utc_bounds(zone_of(session))
    return {org_id: Ratio(int(present or 0), int(expected or 0))
            for org_id, present, expected in session.execute(
                select(Meeting.org_id, func.sum(Meeting.present_count),
                       func.sum(Meeting.expected_count))
                .where(Meeting.org_id.in_(ids), Meeting.status == MeetingStatus.HELD,
                       Meeting.starts_at >= start, Meeting.starts_at < end)
                .group_by(Meeting.org_id))}
