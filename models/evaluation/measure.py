"""民主评议 completed: the assessment's computed measure (models.assessment.measures
registers it as `evaluation_completed`).

Due 1 for every branch that has live members; done 1 when a round of that branch closed
in the span (its local closing day). A township's or the county's figure is the sum over
the branches below it, as every measure's (models.assessment.ratios).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.assessment.ratios import Ratio, Span
from models.evaluation.tables import EvaluationRound
from models.members.org_tables import Org, OrgKind
from models.members.tables import Member, live_member

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


def evaluation_completed(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Per org: branches (it, or those below it) with live members that closed a round in
    `span`, of those branches. Three queries whatever the number of orgs."""
    tree = session.execute(select(Org.id, Org.parent_id, Org.kind)).all()
    children: dict[int | None, list[int]] = {}
    kinds = {}
    for org_id, parent_id, kind in tree:
        children.setdefault(parent_id, []).append(org_id)
        kinds[org_id] = kind
    with_members = set(session.scalars(select(Member.branch_id).where(live_member()).distinct()))
    closed = set(session.scalars(select(EvaluationRound.branch_id).where(
        EvaluationRound.closed_on >= span.first, EvaluationRound.closed_on <= span.last)
        .distinct()))
    found: dict[int, Ratio] = {}
    for org_id in org_ids:
        if org_id not in kinds:
            continue
        due = done = 0
        stack = [org_id]
        while stack:
            current = stack.pop()
            if kinds[current] in BRANCH_KINDS and current in with_members:
                due += 1
                done += current in closed
            stack.extend(children.get(current, ()))
        found[org_id] = Ratio(done, due)
    return found
