"""台账: the 整顿台账 sheet — every rectification problem of the branches exported, in
the years the export covers: branch, category, problem, measures, owner, 挂点领导,
deadline, status, and when and by whom it was closed. Added only when there is one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from bot.ledger.sheets import LedgerSheet
from core import words
from models.rectification.follow_up import follow_up_state
from models.rectification.queries import problems_of

WIDTHS = [6, 16, 7, 12, 30, 30, 10, 10, 12, 12, 17, 10]


def add_rectification_sheet(workbook: Workbook, session: Session, branch_ids: Sequence[int],
                            start: date, end: date, tz: ZoneInfo,
                            today: date | None = None) -> int:
    """Add the sheet when these branches were on the list in a year of [start, end];
    returns how many problems it lists. `today` (default: now) says which are overdue."""
    today = today or datetime.now(tz).date()
    problems = [p for p in problems_of(session, branch_ids)
                if start.year <= p.weak.year <= end.year]
    if not problems:
        return 0
    sheet = LedgerSheet(workbook, words.RECTIFY_SHEET, WIDTHS)
    sheet.print_setup("landscape", "2:2", "C3")
    sheet.title(words.RECTIFY_SHEET_TITLE.format(
        years=str(start.year) if start.year == end.year else f"{start.year}—{end.year}"))
    sheet.row(words.RECTIFY_COLUMNS, "ledger-head")
    for number, problem in enumerate(problems, start=1):
        state = follow_up_state(problem.deadline, problem.closed_at, today, tz)
        sheet.row([
            number, problem.weak.branch.name, problem.weak.year, problem.category,
            problem.description, problem.measures, problem.owner_name,
            problem.leader.name if problem.leader else "", problem.deadline.isoformat(),
            words.RECTIFY_STATES[state.value],
            problem.closed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            if problem.closed_at else "", problem.closed_by or "",
        ], "ledger-cell")
    return len(problems)
