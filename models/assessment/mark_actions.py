"""Marks people give (自查 and 巡查) and the inspection group (巡视组): the actions.

`give_self_check`: a township's or branch's own admin scores one of its self-check
clauses, with a note and evidence. `give_inspection`: an active member of the county's
inspection group scores an org of that county after a visit. Either is refused once
the county has closed the year, and the score must lie between 0 and the clause's
points. Giving a mark again replaces it; the audit log keeps every version.
`add_inspector` / `remove_inspector`: county staff (or the operator at the CLI) keep
the group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.actors import Actor, Surface
from models.assessment.inspectors import Inspector, inspector_name, inspector_of
from models.assessment.marks import AssessmentMark, MarkSource
from models.assessment.scheme import Clause
from models.assessment.sheets import scheme_of, stored_scheme
from models.console.accounts import ConsoleUser, account_by_key
from models.console.audit import record_change
from models.db.stored_files import ASSESSMENT, StoredFile
from models.errors import DomainError
from models.members.org_levels import OrgLevel, level_of, levels_of
from models.members.org_tables import Org
from models.members.orgs import subtree_ids
from models.members.tables import Member

ASSESSED = (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE)
EVIDENCE_MAX = 9  # files per mark
NOTE_MAX = 500

# Stores evidence files for the mark of that id; returns their stored names.
EvidenceStore = Callable[[int], list[str]]


class MarkError(DomainError):
    """A self-check or inspection mark, or an inspector change, that cannot be made."""


def year_closed(session: Session, year: int) -> bool:
    """Whether the county has closed the year's assessment (frozen sheets)."""
    row = stored_scheme(session, year)
    return row is not None and row.closed_at is not None


def marked_clauses(session: Session, year: int, org_id: int,
                   source: MarkSource | None = None) -> list[Clause]:
    """The year's self-check and inspection clauses that apply to the org (one source,
    or both), in the scheme's order; none without a scheme or for an org not assessed."""
    scheme = scheme_of(session, year)
    level = level_of(session, org_id)
    if scheme is None or level is None:
        return []
    wanted = {source.value} if source else {m.value for m in MarkSource}
    return [clause for clause in scheme.clauses_for(level) if clause.source.value in wanted]


def clause_points(session: Session, year: int, clause_key: str, source: MarkSource,
                  points: float | None, org_id: int | None = None) -> float:
    """The points of the year's clause scored by `source` (and applying to the org);
    `points` as given only while no scheme is loaded for the year (tests, a scheme
    loaded later)."""
    scheme = scheme_of(session, year)
    if scheme is None:
        if points is None:
            raise MarkError("MARK_NO_CLAUSE", clause=clause_key[:40], year=year)
        return points
    level = level_of(session, org_id) if org_id is not None else None
    for clause in scheme.clauses:
        if clause.key == clause_key and clause.source.value == source.value and (
                level is None or level in clause.applies_to):
            return clause.points
    raise MarkError("MARK_NO_CLAUSE", clause=clause_key[:40], year=year)


def _check(session: Session, year: int, clause_key: str, source: MarkSource,
           score: float, note: str, points: float | None, org: Org) -> float:
    if year_closed(session, year):
        raise MarkError("MARK_YEAR_CLOSED", year=year)
    full = clause_points(session, year, clause_key, source, points, org.id)
    if not 0 <= score <= full:
        raise MarkError("MARK_SCORE_RANGE", points=f"{full:g}")
    if len(note) > NOTE_MAX:
        raise MarkError("MARK_NOTE_LONG", limit=NOTE_MAX)
    return full


def _assessed(session: Session, org: Org) -> None:
    if level_of(session, org.id) not in ASSESSED:
        raise MarkError("MARK_NOT_ASSESSED", org=org.name)


def give_self_check(session: Session, actor: Actor, year: int, clause_key: str, org: Org,
                    score: float, note: str, evidence: EvidenceStore | None,
                    now: datetime, points: float | None = None) -> AssessmentMark:
    """The org's own admin scores one of its self-check clauses (自查)."""
    account = account_by_key(session, actor.key)
    if account is None or account.org_id != org.id:
        raise MarkError("MARK_SELF_ONLY", org=org.name)
    _assessed(session, org)
    _check(session, year, clause_key, MarkSource.SELF_CHECK, score, note, points, org)
    return _give(session, actor, year, clause_key, org, MarkSource.SELF_CHECK, score, note,
                 evidence, now)


def give_inspection(session: Session, actor: Actor, year: int, clause_key: str, org: Org,
                    score: float, note: str, evidence: EvidenceStore | None,
                    now: datetime, points: float | None = None) -> AssessmentMark:
    """An inspection-group member scores an org of their county after a visit (巡查)."""
    inspector = inspector_of(session, actor)
    if inspector is None:
        raise MarkError("MARK_INSPECTORS_ONLY")
    if org.id not in subtree_ids(session, inspector.county_id):
        raise MarkError("MARK_OUTSIDE_COUNTY", org=org.name)
    _assessed(session, org)
    _check(session, year, clause_key, MarkSource.INSPECTION, score, note, points, org)
    return _give(session, actor, year, clause_key, org, MarkSource.INSPECTION, score, note,
                 evidence, now)


def _give(session: Session, actor: Actor, year: int, clause_key: str, org: Org,
          source: MarkSource, score: float, note: str, evidence: EvidenceStore | None,
          now: datetime) -> AssessmentMark:
    mark = session.scalar(select(AssessmentMark).where(
        AssessmentMark.year == year, AssessmentMark.clause_key == clause_key,
        AssessmentMark.org_id == org.id, AssessmentMark.source == source.value)
        .with_for_update())
    before = None if mark is None else {"score": mark.score, "note": mark.note,
                                        "given_by": mark.given_by}
    if mark is None:
        try:
            with session.begin_nested():
                mark = AssessmentMark(year=year, clause_key=clause_key, org_id=org.id,
                                      source=source.value, score=score, note=note,
                                      given_by=actor.name[:100], given_at=now)
                session.add(mark)
                session.flush()
        except IntegrityError:  # given at the same moment by someone else: theirs is replaced
            mark = session.scalars(select(AssessmentMark).where(
                AssessmentMark.year == year, AssessmentMark.clause_key == clause_key,
                AssessmentMark.org_id == org.id, AssessmentMark.source == source.value)
                .with_for_update()).one()
    mark.score, mark.note, mark.given_by, mark.given_at = score, note, actor.name[:100], now
    session.flush()
    added: list[str] = []
    if evidence is not None:
        if len(evidence_names(session, mark.id)) >= EVIDENCE_MAX:
            raise MarkError("MARK_EVIDENCE_FULL", limit=EVIDENCE_MAX)
        added = evidence(mark.id)
    after: dict[str, object] = {"score": score, "note": note, "source": source.value}
    if added:
        after["evidence"] = added
    record_change(session, actor, org_id=org.id, action=f"assessment.{source.value}",
                  target=f"{year} {clause_key} · {org.name}"[:200], now=now,
                  before=before, after=after)
    return mark


def evidence_names(session: Session, mark_id: int) -> list[str]:
    """The stored names of a mark's evidence, oldest first."""
    return list(session.scalars(select(StoredFile.name).where(
        StoredFile.owner == ASSESSMENT, StoredFile.owner_id == mark_id)
        .order_by(StoredFile.id)))


def evidence_of(session: Session, mark_ids: list[int]) -> dict[int, list[str]]:
    """The evidence names of several marks (one query)."""
    found: dict[int, list[str]] = {}
    if not mark_ids:
        return found
    for owner_id, name in session.execute(select(StoredFile.owner_id, StoredFile.name).where(
            StoredFile.owner == ASSESSMENT, StoredFile.owner_id.in_(mark_ids))
            .order_by(StoredFile.id)):
        found.setdefault(owner_id, []).append(name)
    return found


def _county_of(session: Session, actor: Actor) -> Org:
    """The county the actor keeps the group of: county staff's own org; the operator at
    the CLI, the one county (the root committee with townships)."""
    if actor.surface is Surface.CLI:
        counties = [org_id for org_id, level in levels_of(session).items()
                    if level is OrgLevel.COUNTY]
        if len(counties) != 1:
            raise MarkError("INSPECTOR_NO_COUNTY")
        return session.get_one(Org, counties[0])
    account = account_by_key(session, actor.key)
    if account is None or level_of(session, account.org_id) is not OrgLevel.COUNTY:
        raise MarkError("INSPECTOR_COUNTY_ONLY")
    return session.get_one(Org, account.org_id)


def add_inspector(session: Session, actor: Actor, now: datetime, *,
                  member: Member | None = None,
                  user: ConsoleUser | None = None) -> Inspector:
    """Put a member or a console account into the county's inspection group (again,
    if they were in it before)."""
    county = _county_of(session, actor)
    if (member is None) == (user is None):
        raise ValueError("a member or a console account, one of them")
    column = Inspector.member_id if member is not None else Inspector.console_user_id
    key = member.id if member is not None else user.id  # type: ignore[union-attr]
    found = session.scalar(select(Inspector).where(column == key))
    if found is not None and found.active:
        raise MarkError("INSPECTOR_ALREADY", name=inspector_name(session, found))
    if found is None:
        found = Inspector(member_id=member.id if member else None,
                          console_user_id=user.id if user else None, county_id=county.id,
                          active=True, added_at=now, added_by=actor.name[:100])
        session.add(found)
    else:
        found.active, found.county_id, found.added_at = True, county.id, now
        found.added_by = actor.name[:100]
    session.flush()
    name = inspector_name(session, found)
    record_change(session, actor, org_id=county.id, action="inspector.add",
                  target=name, now=now, before=None, after={"inspector": name})
    return found


def remove_inspector(session: Session, actor: Actor, inspector: Inspector,
                     now: datetime) -> None:
    """Take someone out of the inspection group (their marks stay)."""
    county = _county_of(session, actor)
    if not inspector.active:
        raise MarkError("INSPECTOR_NOT_IN_GROUP", name=inspector_name(session, inspector))
    inspector.active = False
    session.flush()
    name = inspector_name(session, inspector)
    record_change(session, actor, org_id=county.id, action="inspector.remove",
                  target=name, now=now, before={"inspector": name}, after=None)
