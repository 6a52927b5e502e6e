"""The points behind a 述职评议 total: the 测评 counts per reporter (read from the
tallies only) and each party's points."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.base import id_list
from models.reviews import rules
from models.reviews.tables import Party, ReviewReporter, ReviewTally


def tally_counts(session: Session, reporter_ids: list[int]) -> dict[int, dict[str, int]]:
    """The 测评 counts per reporter and grade."""
    counts: dict[int, dict[str, int]] = {r: {} for r in reporter_ids}
    for reporter_id, grade_word, count in session.execute(
            select(ReviewTally.reporter_id, ReviewTally.grade, ReviewTally.count)
            .where(ReviewTally.reporter_id.in_(id_list(reporter_ids)))):
        counts[reporter_id][grade_word] = count
    return counts


def scores_of(reporter: ReviewReporter, counts: Mapping[str, int]) -> dict[Party, float | None]:
    """Each party's points for a reporter (测评: the votes' average)."""
    return {Party.SELF: rules.points_of(reporter.grade_self),
            Party.COUNTY: rules.points_of(reporter.grade_county),
            Party.LEADER: rules.points_of(reporter.grade_leader),
            Party.MEMBERS: rules.members_score(counts)}
