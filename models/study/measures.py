"""Study as the assessment measures it: `study_rate` = study records / (members × the
items published for them in the span), per branch — the count of the weekly digest and
the console's study pages (models.study.reports.study_by_branch: an item is meant for
its org's whole subtree; a withdrawn item is not counted; a member forgotten during the
span still counts for the items published before), grouped so that a county's thousand
branches and their items cost the same handful of queries and no branch × item loop."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.assessment.context import zone_of
from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.members.org_tables import Org
from models.members.tables import Member, live_member
from models.study.tables import StudyItem, StudyRecord


def study_rate(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Studied / expected per org over the items published in the span."""
    if not org_ids:
        return {}
    start, end = span.utc_bounds(zone_of(session))
    ids = id_list(org_ids)
    in_span = (StudyItem.publish_at >= start, StudyItem.publish_at < end,
               StudyItem.withdrawn_at.is_(None))
    items: dict[int, list[datetime]] = defaultdict(list)  # audience org -> publish times
    for audience, published in session.execute(
            select(StudyItem.org_id, StudyItem.publish_at).where(*in_span)):
        items[audience].append(published)
    if not items:
        return {}
    parents = dict(session.execute(select(Org.id, Org.parent_id)).all())
    members = dict(session.execute(
        select(Member.branch_id, func.count()).where(Member.branch_id.in_(ids), live_member())
        .group_by(Member.branch_id)).all())
    forgotten: dict[int, list[datetime]] = defaultdict(list)
    for branch_id, when in session.execute(
            select(Member.branch_id, Member.forgotten_at).where(
                Member.branch_id.in_(ids), Member.forgotten_at.is_not(None),
                Member.forgotten_at > start)):
        if when is not None:
            forgotten[branch_id].append(when)
    studied: dict[tuple[int, int], int] = {
        (branch_id, audience): int(number) for branch_id, audience, number in session.execute(
            select(Member.branch_id, StudyItem.org_id, func.count())
            .select_from(StudyRecord)
            .join(StudyItem, StudyItem.id == StudyRecord.item_id)
            .join(Member, Member.id == StudyRecord.member_id)
            .where(Member.branch_id.in_(ids), *in_span)
            .group_by(Member.branch_id, StudyItem.org_id))}
    result = {}
    for org_id in {int(i) for i in org_ids}:
        chain: list[int] = []
        up: int | None = org_id
        while up is not None and up not in chain:
            chain.append(up)
            up = parents.get(up)
        meant = [when for audience in chain for when in items.get(audience, ())]
        if not meant:
            continue
        due = members.get(org_id, 0) * len(meant) + sum(
            1 for gone in forgotten.get(org_id, ()) for when in meant if gone > when)
        done = sum(studied.get((org_id, audience), 0) for audience in chain)
        if due or done:
            result[org_id] = Ratio(done, due)
    return result
