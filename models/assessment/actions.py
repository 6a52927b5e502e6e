"""The assessment's changes: load a year's scheme, close the year (freeze every sheet).

Both are audited with the actor and the surface (CLI, console) against the county, the
root of the org tree. The self-check and inspection marks are written beside these
(models.assessment.marks is what the sheets read).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.actors import Actor
from models.assessment.measures import MEASURES
from models.assessment.scheme import Scheme, SchemeError, parse_scheme, points_text
from models.assessment.sheets import compute_sheets, sheet_rows
from models.assessment.tables import AssessmentScheme, AssessmentSheetLine
from models.console.audit import record_change
from models.errors import DomainError
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org

ASSESSED = (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE)


class AssessmentError(DomainError):
    """党建考核: a scheme or a year that cannot be changed."""


def county_id(session: Session) -> int:
    """The root of the org tree (the county), where the assessment is audited."""
    found = session.scalar(select(Org.id).where(Org.parent_id.is_(None)).order_by(Org.id)
                           .limit(1))
    if found is None:
        raise AssessmentError("ASSESS_NO_ORG_TREE")
    return found


def check_scheme(text: str) -> Scheme:
    """The scheme, checked against the registered measures (SchemeError otherwise)."""
    return parse_scheme(text, MEASURES)


def load_scheme(session: Session, actor: Actor, text: str, now: datetime) -> Scheme:
    """Load (or replace) the scheme of the year the text names, while that year is open."""
    try:
        scheme = check_scheme(text)
    except SchemeError as exc:
        raise AssessmentError("ASSESS_SCHEME_INVALID", problems=str(exc)) from None
    root = county_id(session)
    row = session.get(AssessmentScheme, scheme.year)
    if row is not None and row.closed_at is not None:
        raise AssessmentError("ASSESS_YEAR_CLOSED", year=scheme.year)
    before = None if row is None else {"name": row.name, "loaded_by": row.loaded_by}
    if row is None:
        row = AssessmentScheme(year=scheme.year)
        session.add(row)
    row.name, row.source_text = scheme.name[:200], text
    row.loaded_at, row.loaded_by = now, actor.name[:100]
    record_change(session, actor, org_id=root, action="assessment.load_scheme",
                  target=f"{scheme.year} {scheme.name}", now=now, before=before,
                  after={"name": scheme.name, "items": len(scheme.items),
                         "clauses": len(scheme.clauses),
                         "points": points_text(scheme.points)})
    session.flush()
    return scheme


def close_year(session: Session, actor: Actor, year: int, now: datetime) -> int:
    """Freeze every township's, branch's and office's sheet of `year` as the records
    give it now; later record changes no longer alter them. Returns how many orgs."""
    row = session.get(AssessmentScheme, year)
    if row is None:
        raise AssessmentError("ASSESS_NO_SCHEME", year=year)
    if row.closed_at is not None:
        raise AssessmentError("ASSESS_ALREADY_CLOSED", year=year)
    root = county_id(session)
    org_ids = [org_id for org_id, level in levels_of(session).items() if level in ASSESSED]
    sheets = compute_sheets(session, year, sorted(org_ids))
    session.execute(delete(AssessmentSheetLine).where(AssessmentSheetLine.year == year))
    session.add_all([line for sheet in sheets.values() for line in sheet_rows(sheet)])
    row.closed_at, row.closed_by = now, actor.name[:100]
    record_change(session, actor, org_id=root, action="assessment.close_year",
                  target=f"{year} {row.name}", now=now, before={"closed": False},
                  after={"closed": True, "orgs": len(sheets)})
    session.flush()
    return len(sheets)
