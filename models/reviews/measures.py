"""述职评议's measures for the assessment (models.assessment.ratios.MeasureFn), for the
merger to register under these names:

- `review_submitted`: per org, its secretaries' reports submitted of those due, in the
  rounds of the span's years;
- `review_items_done`: per org, its secretaries' recommendations and problems done of
  those recorded with a date in the span.

One query each for any number of orgs; an org with nothing to count is left out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.assessment.ratios import Ratio, Span
from models.db.base import id_list
from models.reviews.tables import ItemStatus, ReviewItem, ReviewReporter, ReviewRound


def review_submitted(session: Session, org_ids: Sequence[int], span: Span) -> dict[int, Ratio]:
    """Reports submitted / reporters, per reporter's org."""
    rows = session.execute(
        select(ReviewReporter.org_id,
               func.count(ReviewReporter.submitted_at), func.count(ReviewReporter.id))
        .join(ReviewRound, ReviewRound.id == ReviewReporter.round_id)
        .where(ReviewReporter.org_id.in_(id_list(org_ids)),
               ReviewRound.year.between(span.first.year, span.last.year))
        .group_by(ReviewReporter.org_id))
    return {org_id: Ratio(int(done), int(due)) for org_id, done, due in rows}


def review_items_done(session: Session, org_ids: Sequence[int],
                      span: Span) -> dict[int, Ratio]:
    """Items done / items recorded in the span, per reporter's org."""
    done = func.sum(case((ReviewItem.status == ItemStatus.DONE, 1), else_=0))
    rows = session.execute(
        select(ReviewReporter.org_id, done, func.count(ReviewItem.id))
        .join(ReviewReporter, ReviewReporter.id == ReviewItem.reporter_id)
        .where(ReviewReporter.org_id.in_(id_list(org_ids)),
               ReviewItem.day.between(span.first, span.last))
        .group_by(ReviewReporter.org_id))
    return {org_id: Ratio(int(d or 0), int(n)) for org_id, d, n in rows}


MEASURES = {"review_submitted": review_submitted, "review_items_done": review_items_done}
