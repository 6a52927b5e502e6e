"""一帮一 as the assessment measures it: `relays_confirmed` = relays the helper confirmed
(帮学 <姓名> 完成) / relays due, over the relays created in the span for the org's
members. A relay dropped before it was confirmed (the meeting began, the member studied
by themselves) was no longer due and is not counted."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.assessment.context import zone_of
from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.members.tables import Member
from models.pairing.relays import Relay


def relays_confirmed(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Confirmed / due per org, one grouped query."""
    if not org_ids:
        return {}
    start, end = span.utc_bounds(zone_of(session))
    return {org_id: Ratio(int(confirmed or 0), int(due or 0))
            for org_id, due, confirmed in session.execute(
                select(Member.branch_id, func.count(), func.count(Relay.confirmed_at))
                .join(Member, Relay.member_id == Member.id)
                .where(Member.branch_id.in_(id_list(org_ids)), Relay.created_at >= start,
                       Relay.created_at < end,
                       or_(Relay.confirmed_at.is_not(None), Relay.dropped_at.is_(None)))
                .group_by(Member.branch_id))}
