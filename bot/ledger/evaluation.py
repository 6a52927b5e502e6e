"""台账: the 民主评议 sheet — every round closed in the period, each evaluated member's
tally and the branch committee's determination (with its reason), and whether they wrote
a self-assessment. Never who voted what: the ballots are not read here at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ledger.sheets import LedgerSheet
from core import texts
from models.evaluation.actions import grade_name
from models.evaluation.queries import stored_tally, subjects_of
from models.evaluation.tables import GRADES, EvaluationRound
from models.members.org_tables import Org

WIDTHS = [18, 8, 6, 12, 8, 8, 10, 8, 10, 30, 12]


def add_evaluation_sheet(workbook: Workbook, session: Session, branches: Sequence[Org],
                         start: date, end: date, tz: ZoneInfo, title: str, period: str) -> int:
    """Add the sheet for these branches' rounds closed in [start, end] (none: no sheet, a
    ledger without a round stays as it was); how many rounds."""
    names = {branch.id: branch.name for branch in branches}
    rounds = list(session.scalars(select(EvaluationRound).where(
        EvaluationRound.branch_id.in_(list(names)), EvaluationRound.closed_on >= start,
        EvaluationRound.closed_on <= end).order_by(EvaluationRound.branch_id,
                                                   EvaluationRound.closed_on)))
    if not rounds:
        return 0
    sheet = LedgerSheet(workbook, texts.EVAL_LEDGER_SHEET, WIDTHS)
    sheet.print_setup("landscape", "2:2", "D3")
    sheet.title(texts.EVAL_LEDGER_TITLE.format(org=title, period=period))
    sheet.row(texts.EVAL_LEDGER_COLUMNS, "ledger-head")
    for round_ in rounds:
        for subject in subjects_of(session, round_):
            tally = stored_tally(subject.row)
            wrote = texts.EVAL_LEDGER_SELF_VOICE if subject.row.self_voice \
                else texts.EVAL_LEDGER_SELF_TEXT if subject.row.self_text \
                else texts.EVAL_LEDGER_SELF_NONE
            sheet.row([names[round_.branch_id], round_.year, subject.position, subject.name,
                       *(tally[grade] for grade in GRADES),
                       grade_name(subject.row.determination), subject.row.reason or "", wrote],
                      "ledger-cell")
        closed_at = round_.closed_at.astimezone(tz).strftime("%Y-%m-%d") \
            if round_.closed_at else ""
        note = texts.EVAL_LEDGER_CLOSED.format(branch=names[round_.branch_id], day=closed_at,
                                               by=round_.closed_by or "")
        if round_.over_cap_reason:
            note += texts.EVAL_LEDGER_OVER_CAP.format(reason=round_.over_cap_reason)
        sheet.row([note], "ledger-plain")
    return len(rounds)
