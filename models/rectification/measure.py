"""The assessment's measure of rectification: problems closed by their deadline.

due = problems whose deadline falls in the span; done = those of them closed (and not
reopened since) by the end of their deadline's day. A township or the county counts the
problems of every branch below it, so its figure is the sum of its branches'.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.assessment.context import zone_of
from models.assessment.ratios import MeasureFn, Ratio, Span
from models.members.org_tables import Org
from models.rectification.follow_up import closed_on_time
from models.rectification.tables import CLOSED, Problem


def rectification_on_time(session: Session, org_ids: Sequence[int], span: Span,
                          tz: ZoneInfo | None = None) -> dict[int, Ratio]:
    """Per org: (problems closed on time, problems due) with deadlines in `span`; orgs
    with no problem due are left out. Two queries, whatever the number of orgs."""
    tz = tz or zone_of(session)  # the deployment's zone (models.assessment.context)
    wanted = set(org_ids)
    if not wanted:
        return {}
    rows = session.execute(select(Problem.branch_id, Problem.deadline, Problem.status,
                                  Problem.closed_at)
                           .where(Problem.deadline >= span.first,
                                  Problem.deadline <= span.last)).all()
    if not rows:
        return {}
    parents = {org_id: parent_id for org_id, parent_id in session.execute(
        select(Org.id, Org.parent_id))}
    counts: dict[int, list[int]] = {}
    chains: dict[int, list[int]] = {}
    seen: set[int]
    for branch_id, deadline, status, closed_at in rows:
        chain = chains.get(branch_id)
        if chain is None:
            chain, seen = [], set()
            current: int | None = branch_id
            while current is not None and current not in seen:
                seen.add(current)
                if current in wanted:
                    chain.append(current)
                current = parents.get(current)
            chains[branch_id] = chain
        done = status == CLOSED and closed_on_time(deadline, closed_at, tz)
        for org_id in chain:
            tally = counts.setdefault(org_id, [0, 0])
            tally[0] += done
            tally[1] += 1
    return {org_id: Ratio(done, due) for org_id, (done, due) in counts.items()}


# What a scheme's computed clause names (the assessment's registry maps it to the function).
MEASURE_NAME = "rectification_on_time"
_CHECKED: MeasureFn = rectification_on_time  # the shape every measure has (mypy checks it)
