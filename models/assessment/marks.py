"""Scores given by people rather than computed: a township's or branch's self-check
(自查) and the county inspection group's score after a visit (巡查).

A mark is keyed by the scheme's year, the clause's key and the org, one per source;
giving it again replaces it (the audit log keeps the earlier one). Score sheets read
marks through `marks_for`; the actions that write them live in models.assessment.actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, id_list


class MarkSource(StrEnum):
    """Who scores a clause that is not computed (the scheme's `source`)."""

    SELF_CHECK = "self_check"
    INSPECTION = "inspection"


class AssessmentMark(Base):
    """One org's score on one clause from one source."""

    __tablename__ = "assessment_mark"
    __table_args__ = (UniqueConstraint("year", "clause_key", "org_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    clause_key: Mapped[str] = mapped_column(String(40))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    given_by: Mapped[str] = mapped_column(String(100))  # the actor's name, as audited
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Mark:
    """What a score sheet shows for a marked clause."""

    score: float
    note: str
    source: MarkSource
    given_by: str
    given_at: datetime


def marks_for(session: Session, year: int,
              org_ids: Sequence[int]) -> dict[tuple[int, str, MarkSource], Mark]:
    """Every mark of `year` for these orgs, keyed by (org id, clause key, source)."""
    # Plain rows, not AssessmentMark objects: a county's full scheme has ~20,000 marks,
    # and building ORM instances for them cost more than most measures (issue 28's
    # benchmark, benchmarks/assessment_sheets.py --scheme readme).
    sources = {source.value: source for source in MarkSource}
    found: dict[tuple[int, str, MarkSource], Mark] = {}
    for org_id, clause_key, source_value, score, note, given_by, given_at in session.execute(
            select(AssessmentMark.org_id, AssessmentMark.clause_key, AssessmentMark.source,
                   AssessmentMark.score, AssessmentMark.note, AssessmentMark.given_by,
                   AssessmentMark.given_at)
            .where(AssessmentMark.year == year, AssessmentMark.org_id.in_(id_list(org_ids)))):
        source = sources.get(source_value) or MarkSource(source_value)
        found[(org_id, clause_key, source)] = Mark(score, note, source, given_by, given_at)
    return found
