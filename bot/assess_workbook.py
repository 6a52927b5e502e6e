"""An org's 党建考核 score sheet as a workbook (`partybot assess sheet --xlsx`), written
through bot.workbook like every workbook partybot produces."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from bot.workbook import Sheet as WorkbookSheet
from bot.workbook import new_workbook
from core import texts
from models.assessment.scheme import points_text
from models.assessment.sheets import Sheet


def sheet_title(sheet: Sheet) -> str:
    """"辽原村党支部 2026年党建考核"."""
    return texts.ASSESS_SHEET_TITLE.format(org=sheet.org_name, year=sheet.year)


def score_text(score: float | None) -> str:
    """A score as shown ("—" when none)."""
    return "—" if score is None else points_text(score)


def write_sheet_workbook(sheet: Sheet, out: Path | IO[bytes]) -> None:
    """One worksheet: title, a header, one row per clause, the total."""
    workbook = new_workbook()
    page = WorkbookSheet(workbook, texts.ASSESS_SHEET_TAB, (14, 30, 8, 8, 12, 40))
    page.row([sheet_title(sheet) + (texts.ASSESS_SHEET_FROZEN.format(year=sheet.year)
                                    if sheet.frozen else "")])
    page.row(list(texts.ASSESS_SHEET_HEADER))
    for line in sheet.lines:
        page.row([line.item_title, line.clause_title, line.points,
                  line.score if line.score is not None else "—", line.source.label,
                  line.detail])
    page.row([texts.ASSESS_SHEET_TOTAL.format(total=points_text(sheet.total),
                                              possible=points_text(sheet.possible))])
    workbook.save(out)
