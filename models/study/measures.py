"""Study as the assessment measures it: `study_rate` = study records / (members × the
items published for them in the span), per branch — the same count as the weekly
digest and the console's study pages (models.study.reports.study_by_branch)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from models.assessment.context import zone_of
from models.assessment.ratios import Ratio, Span
from models.study.reports import study_by_branch


def study_rate(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Studied / expected per org over the items published in the span."""
    if not org_ids:
        return {}
    start, end = span.utc_bounds(zone_of(session))
    return {org_id: Ratio(found.studied, found.expected) for org_id, found in
            study_by_branch(session, start, end, [int(i) for i in org_ids]).items()}
