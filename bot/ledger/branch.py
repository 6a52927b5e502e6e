"""台账: the 三会一课 ledger of one branch for a date range, as an Excel workbook.

Three sheets, laid out for printing (A4, fit to width, header rows repeated):
- 会议记录: one row per meeting — kind, topic, time, place, host, recorder, 应到 /
  实到 / 请假 / 缺席, and whether any record was entered afterwards (补录);
- 出勤表: members × meetings, each cell ✓ (出席), 假 (请假), 缺 (缺席) or blank;
- 会议记录本: each meeting on a page of its own, as in the paper record book
  (bot.ledger.record_book).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy.orm import Session

from bot.ledger.evaluation import add_evaluation_sheet
from bot.ledger.record_book import RecordBook
from bot.ledger.records import BranchRecords, load_branch_records
from bot.ledger.rectification import add_rectification_sheet
from bot.ledger.sheets import LedgerSheet, ledger_workbook
from bot.workbook import as_text
from core import texts, words
from core.localtime import day, local_range
from models.meetings.tables import KIND_NAMES, MeetingStatus
from models.members.org_tables import Org

__all__ = ["LedgerSummary", "add_branch_sheets", "as_text", "export_ledger"]

MARKS = words.ATTENDANCE_MARKS
MEETING_WIDTHS = [6, 14, 30, 17, 16, 10, 10, 7, 7, 7, 7, 6]


@dataclass(frozen=True)
class LedgerSummary:
    """What went into the workbook (for the CLI's message and for tests)."""

    branch: str
    meetings: int
    members: int
    path: Path


def export_ledger(session: Session, branch: Org, start: date, end: date, tz: ZoneInfo,
                  path: Path) -> LedgerSummary:
    """Write the workbook for `branch`, meetings starting in [start, end] (local dates)."""
    workbook = ledger_workbook()
    period = texts.DATE_RANGE.format(start=day(start), end=day(end))
    since, until = local_range(start, end, tz)
    found = load_branch_records(session, branch, since, until)
    add_branch_sheets(workbook, found, tz, period)
    book = RecordBook(workbook, words.LEDGER_BOOK_SHEET)
    book.add_branch(found, tz)
    add_rectification_sheet(workbook, session, [branch.id], start, end, tz)
    add_evaluation_sheet(workbook, session, [branch], start, end, tz, branch.name, period)
    workbook.save(path)
    return LedgerSummary(branch.name, len(found.meetings), len(found.members), path)


def add_branch_sheets(workbook: Workbook, found: BranchRecords, tz: ZoneInfo, period: str,
                      prefix: str = "") -> None:
    """Add the branch's sheet pair (meetings, attendance matrix) to `workbook`. `prefix`
    names the sheets apart in a workbook of many branches."""
    branch, meetings = found.branch, found.meetings
    sheet = LedgerSheet(workbook, prefix + words.LEDGER_MEETINGS_SHEET, MEETING_WIDTHS)
    sheet.print_setup("landscape", "2:2", "B3")
    sheet.title(texts.LEDGER_TITLE.format(branch=branch.name, period=period))
    sheet.row(words.LEDGER_COLUMNS, "ledger-head")
    for number, meeting in enumerate(meetings, start=1):
        held = meeting.status == MeetingStatus.HELD
        sheet.row([
            number, KIND_NAMES.get(meeting.kind, meeting.kind), meeting.topic or "",
            meeting.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), meeting.place,
            found.names.get(meeting.host_id or 0, ""),
            found.names.get(meeting.recorder_id or 0, ""),
            meeting.expected_count if held else words.LEDGER_NOT_CLOSED,
            meeting.present_count if held else "", meeting.leave_count if held else "",
            meeting.absent_count if held else "",
            words.LEDGER_BACKFILLED if found.backfilled(meeting.id) else "",
        ], "ledger-cell")

    matrix = LedgerSheet(workbook, prefix + words.LEDGER_MATRIX_SHEET,
                         [10] + [9] * (len(meetings) + 1))
    matrix.print_setup("landscape", "2:2", "B3")
    matrix.title(texts.LEDGER_MATRIX_TITLE.format(branch=branch.name, period=period))
    # A meeting not closed yet stays blank, as the legend says: a check-in is not yet a
    # record of who attended (closing marks the absent, and 补录 may still change it).
    ended = [m.status == MeetingStatus.HELD for m in meetings]
    matrix.row([words.LEDGER_NAME] + [
        f"{m.starts_at.astimezone(tz):%m-%d}\n{KIND_NAMES.get(m.kind, m.kind)}"
        + ("" if held else f"\n{words.LEDGER_NOT_CLOSED}")
        for m, held in zip(meetings, ended, strict=True)
    ] + [words.LEDGER_TIMES_PRESENT], "ledger-head", height=32 if all(ended) else 46)
    for member in found.members:
        row = [found.mark(member.id, m.id) if held else ""
               for m, held in zip(meetings, ended, strict=True)]
        matrix.row([member.name, *row, sum(1 for mark in row if mark == MARKS["present"])],
                   "ledger-mark")
    matrix.row([], "ledger-plain")
    matrix.row([texts.LEDGER_LEGEND], "ledger-plain")
