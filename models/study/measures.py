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

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

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
    # Records of the branch's members on items meant for the branch: the item's org is
    # the branch or one of the (up to three) orgs above it. Grouped by branch alone and
    # read in member order, so that neither database sorts a year's records.
    branch, up1, up2 = aliased(Org), aliased(Org), aliased(Org)
    # (+ 0: checked on each record reached from the member, not a path to the records)
    item_org = StudyItem.org_id + 0
    studied: dict[int, int] = {
        branch_id: int(number) for branch_id, number in session.execute(
            select(Member.branch_id, func.count())
            .select_from(Member)
            .join(branch, branch.id == Member.branch_id)
            .outerjoin(up1, up1.id == branch.parent_id)
            .outerjoin(up2, up2.id == up1.parent_id)
            .join(StudyRecord, StudyRecord.member_id == Member.id)
            .join(StudyItem, StudyItem.id == StudyRecord.item_id)
            .where(Member.branch_id.in_(ids), *in_span,
                   or_(item_org == branch.id, item_org == branch.parent_id,
                       item_org == up1.parent_id, item_org == up2.parent_id))
            .group_by(Member.branch_id))}
    result = {}
    for org_id in {int(i) for i in org_ids}:
        chain: list[int] = []
        up: int | None = org_id
        while up is not None and up not in chain:
            chain.append(up)
            up = parents.get(up)
        meant = [when for audience in chain[:4] for when in items.get(audience, ())]
        if not meant:
            continue
        due = members.get(org_id, 0) * len(meant) + sum(
            1 for gone in forgotten.get(org_id, ()) for when in meant if gone > when)
        done = studied.get(org_id, 0)
        if due or done:
            result[org_id] = Ratio(done, due)
    return result
