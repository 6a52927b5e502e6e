"""Delivery as the assessment measures it: `notice_reach` = notices that reached the
member (sent by template, 订阅通知 or customer service, inside a combined message that was
sent, or passed on by their helper) / notices queued to the org's members in the span —
the "reached" of 统计 and the console's 送达情况 page (models.delivery.reach), counted
for every org in one grouped query. Combined carriers and tag sends are not notices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from models.assessment.context import zone_of
from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.delivery.held import COMBINED_KIND
from models.delivery.outbox import Channel, Outbox, Status
from models.members.tables import Member

REACHED = (Status.SENT, Status.RELAYED)


def notice_reach(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Reached / queued per org (see the module's docstring)."""
    if not org_ids:
        return {}
    start, end = span.utc_bounds(zone_of(session))
    carrier = aliased(Outbox)
    went = case((Outbox.status.in_(REACHED), 1),
                (and_(Outbox.status == Status.MERGED, carrier.status.in_(REACHED)), 1),
                else_=0)
    # grouped by branch alone, the reach summed in the query: a year's notices are not
    # sorted by status as well
    return {org_id: Ratio(int(done or 0), int(due)) for org_id, due, done in session.execute(
        select(Member.branch_id, func.count(), func.sum(went))
        .select_from(Outbox)
        .join(Member, Outbox.member_id == Member.id)
        .outerjoin(carrier, Outbox.carried_by == carrier.id)
        # (+ 0: the outbox has no index by member, so it is read once, whatever the
        # number of orgs, rather than once per member of a single org)
        .where((Member.branch_id + 0).in_(id_list(org_ids)), Outbox.created_at >= start,
               Outbox.created_at < end, Outbox.kind != COMBINED_KIND,
               Outbox.channel != Channel.TAG)
        .group_by(Member.branch_id))}
