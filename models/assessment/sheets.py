"""Score sheets: each org's applicable clauses with a score, its source and why.

`compute_sheets` answers for many orgs at once: every measure the scheme uses is asked
once for all the branches and offices involved (a township's computed clause is the sum
of its branches' Ratios, not an average of their shares), and the marks (self-check,
inspection) are read in one query. A closed year answers with the lines frozen when it
was closed (models.assessment.actions.close_year), whatever the records say now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import texts
from models.assessment.marks import Mark, MarkSource, marks_for
from models.assessment.measures import MEASURES
from models.assessment.ratios import MeasureFn, Ratio, Span
from models.assessment.scheme import MEASURED, Clause, Scheme, Source, parse_scheme
from models.assessment.tables import AssessmentScheme, AssessmentSheetLine
from models.db.base import id_list
from models.members.org_levels import OrgLevel, levels_of
from models.members.org_tables import Org


@dataclass(frozen=True)
class Line:
    """One clause on a sheet."""

    item_title: str
    clause_key: str
    clause_title: str
    points: float
    score: float | None  # None: not scored yet (a mark to give), or nothing was due
    source: Source
    detail: str  # "12/16 = 75%", a mark's note and who gave it
    counted: bool = True  # False: nothing was due; out of the total and the possible


@dataclass
class Sheet:
    """One org's sheet for a year."""

    org_id: int
    org_name: str
    level: OrgLevel
    year: int
    lines: list[Line] = field(default_factory=list)
    frozen: bool = False

    @property
    def total(self) -> float:
        """The points scored."""
        return round(sum(line.score or 0.0 for line in self.lines if line.counted), 2)

    @property
    def possible(self) -> float:
        """The points of the clauses that count."""
        return round(sum(line.points for line in self.lines if line.counted), 2)


def stored_scheme(session: Session, year: int) -> AssessmentScheme | None:
    """The year's scheme row."""
    return session.get(AssessmentScheme, year)


def scheme_of(session: Session, year: int) -> Scheme | None:
    """The year's scheme, parsed (it was checked when loaded)."""
    row = stored_scheme(session, year)
    return None if row is None else parse_scheme(row.source_text)


def excellent_share_max(session: Session, year: int) -> float | None:
    """民主评议: the largest share of members a branch may rate 优秀 this year (the
    scheme's `[rules] excellent_share_max`); None when the scheme sets none."""
    scheme = scheme_of(session, year)
    return None if scheme is None else scheme.rules.excellent_share_max


def span_to_date(year: int, today: date) -> Span:
    """The whole year, or up to `today` while it runs (a month not begun owes nothing)."""
    return Span(date(year, 1, 1), today) if year == today.year else Span.year(year)


def compute_sheets(session: Session, year: int, org_ids: Sequence[int],
                   span: Span | None = None,
                   measures: dict[str, MeasureFn] | None = None) -> dict[int, Sheet]:
    """The sheets of these orgs (townships, branches, offices; others are left out) for
    `year`, over `span` (default: the whole year); frozen lines for a closed year."""
    row = stored_scheme(session, year)
    if row is None:
        return {}
    if row.closed_at is not None:
        return frozen_sheets(session, year, org_ids)
    return live_sheets(session, parse_scheme(row.source_text), org_ids,
                       span or Span.year(year), MEASURES if measures is None else measures)


def _org_tree(session: Session) -> tuple[dict[int, str], dict[int, int | None]]:
    rows = session.execute(select(Org.id, Org.name, Org.parent_id)).all()
    return {i: name for i, name, _ in rows}, {i: parent for i, _, parent in rows}


def live_sheets(session: Session, scheme: Scheme, org_ids: Sequence[int], span: Span,
                measures: dict[str, MeasureFn]) -> dict[int, Sheet]:
    """The sheets computed from the records now."""
    names, parents = _org_tree(session)
    levels = levels_of(session)
    wanted = [i for i in dict.fromkeys(org_ids)
              if levels.get(i) in (OrgLevel.TOWNSHIP, OrgLevel.BRANCH, OrgLevel.OFFICE)]
    # A township is measured through the branches below it.
    members_of: dict[int, list[int]] = {}
    townships = {i for i in wanted if levels[i] is OrgLevel.TOWNSHIP}
    if townships:
        for org_id, level in levels.items():
            if level is not OrgLevel.BRANCH:
                continue
            up = parents.get(org_id)
            seen = 0
            while up is not None and up not in townships and seen < 50:
                up, seen = parents.get(up), seen + 1
            if up in townships:
                members_of.setdefault(up, []).append(org_id)
    used = {clause.measure for i in wanted for clause in scheme.clauses_for(levels[i])
            if clause.measure}
    leaves = sorted({i for i in wanted if levels[i] is not OrgLevel.TOWNSHIP}
                    | {b for township in townships for b in members_of.get(township, [])})
    ratios: dict[str, dict[int, Ratio]] = {}
    for name in sorted(used):
        measure = measures.get(name)
        if measure is not None and leaves:
            ratios[name] = measure(session, leaves, span)
    marks = marks_for(session, scheme.year, wanted)
    sheets = {}
    for org_id in wanted:
        level = levels[org_id]
        sheet = Sheet(org_id, names[org_id], level, scheme.year)
        counted_ids = members_of.get(org_id, []) if level is OrgLevel.TOWNSHIP else [org_id]
        for clause in scheme.clauses_for(level):
            if clause.source in MEASURED:
                sheet.lines.append(_measured(clause, ratios, measures, counted_ids))
            else:
                sheet.lines.append(_marked(clause, marks.get(
                    (org_id, clause.key, MarkSource(clause.source.value)))))
        sheets[org_id] = sheet
    return sheets


def _measured(clause: Clause, ratios: dict[str, dict[int, Ratio]],
              measures: dict[str, MeasureFn], org_ids: list[int]) -> Line:
    name = clause.measure or ""
    if name not in measures:
        return Line(clause.item_title, clause.key, clause.title, clause.points, None,
                    clause.source, texts.ASSESS_DETAIL_UNKNOWN_MEASURE.format(measure=name),
                    counted=False)
    found = ratios.get(name, {})
    ratio = sum((found.get(i, Ratio(0, 0)) for i in org_ids), Ratio(0, 0))
    share = ratio.share
    if share is None or clause.scale is None:
        nothing = texts.ASSESS_DETAIL_NOTHING_DUE
        if clause.source is Source.SURVEY:  # a survey below its quorum gives no Ratio
            nothing = texts.SURVEY_BELOW_QUORUM
        return Line(clause.item_title, clause.key, clause.title, clause.points, None,
                    clause.source, nothing, counted=False)
    detail = texts.ASSESS_DETAIL_RATIO.format(done=ratio.done, due=ratio.due,
                                              percent=round(share * 100))
    return Line(clause.item_title, clause.key, clause.title, clause.points,
                clause.scale.score(share, clause.points), clause.source, detail)


def _marked(clause: Clause, mark: Mark | None) -> Line:
    if mark is None:
        return Line(clause.item_title, clause.key, clause.title, clause.points, None,
                    clause.source, texts.ASSESS_DETAIL_NO_MARK)
    detail = texts.ASSESS_DETAIL_MARK.format(note=mark.note or "—", who=mark.given_by)
    return Line(clause.item_title, clause.key, clause.title, clause.points,
                min(float(mark.score), clause.points), clause.source, detail[:300])


def frozen_sheets(session: Session, year: int, org_ids: Sequence[int]) -> dict[int, Sheet]:
    """The lines stored when the year was closed."""
    names, _ = _org_tree(session)
    levels = levels_of(session, org_ids)
    sheets: dict[int, Sheet] = {}
    for row in session.scalars(select(AssessmentSheetLine).where(
            AssessmentSheetLine.year == year,
            AssessmentSheetLine.org_id.in_(id_list(org_ids)))
            .order_by(AssessmentSheetLine.org_id, AssessmentSheetLine.position)):
        sheet = sheets.get(row.org_id)
        if sheet is None:
            sheet = sheets[row.org_id] = Sheet(
                row.org_id, names.get(row.org_id, ""),
                levels.get(row.org_id, OrgLevel.BRANCH), year, frozen=True)
        sheet.lines.append(Line(row.item_title, row.clause_key, row.clause_title, row.points,
                                row.score, Source(row.source), row.detail, row.counted))
    return sheets


def sheet_rows(sheet: Sheet) -> list[AssessmentSheetLine]:
    """The rows that freeze a sheet (close_year adds them)."""
    return [AssessmentSheetLine(year=sheet.year, org_id=sheet.org_id, position=index,
                                item_title=line.item_title[:100], clause_key=line.clause_key,
                                clause_title=line.clause_title[:200], points=line.points,
                                score=line.score, source=line.source.value,
                                detail=line.detail[:300], counted=line.counted)
            for index, line in enumerate(sheet.lines)]
