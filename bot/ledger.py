"""台账: the 三会一课 ledger of one branch for a date range, as an Excel workbook.

Two sheets, laid out for printing (A4 landscape, fit to width, header rows repeated):
- 会议记录: one row per meeting — kind, topic, time, place, host, recorder, 应到 /
  实到 / 请假 / 缺席, and whether any record was entered afterwards (补录);
- 出勤表: members × meetings, each cell ✓ (出席), 假 (请假), 缺 (缺席) or blank.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import texts, words
from core.localtime import day, local_range
from models.meetings import KIND_NAMES, Attendance, Meeting, MeetingStatus
from models.member import Member
from models.org import Org

MARKS = words.ATTENDANCE_MARKS
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")


@dataclass(frozen=True)
class LedgerSummary:
    """What went into the workbook (for the CLI's message and for tests)."""

    branch: str
    meetings: int
    members: int
    path: Path


# A cell that starts like this is a formula to Excel and WPS (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> object:
    """A value safe to put in a cell: text that a spreadsheet would run as a formula
    (judged after the same normalisation the roster importer applies, so "＝1+1" counts)
    gets a leading apostrophe; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    if unicodedata.normalize("NFKC", value).lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row, every text cell written as text (never a formula)."""
    sheet.append([as_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def title_row(sheet: Worksheet, text: str, width: int) -> None:
    append_row(sheet, [text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")


def header_row(sheet: Worksheet, names: list[str]) -> None:
    append_row(sheet, names)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def print_setup(sheet: Worksheet, header_rows: str) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = header_rows
    sheet.freeze_panes = sheet.cell(row=3, column=2)


def export_ledger(session: Session, branch: Org, start: date, end: date, tz: ZoneInfo,
                  path: Path) -> LedgerSummary:
    """Write the workbook for `branch`, meetings starting in [start, end] (local dates)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = texts.DATE_RANGE.format(start=day(start), end=day(end))
    meetings, members = add_branch_sheets(workbook, session, branch, start, end, tz, period)
    workbook.save(path)
    return LedgerSummary(branch.name, meetings, members, path)


def add_branch_sheets(workbook: Workbook, session: Session, branch: Org, start: date,
                      end: date, tz: ZoneInfo, period: str,
                      prefix: str = "") -> tuple[int, int]:
    """Add the branch's sheet pair (meetings, attendance matrix) to `workbook`; returns
    (meetings, members). `prefix` names the sheets apart in a workbook of many branches."""
    since, until = local_range(start, end, tz)
    meetings = list(session.scalars(
        select(Meeting).where(Meeting.org_id == branch.id, Meeting.starts_at >= since,
                              Meeting.starts_at < until,
                              Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at, Meeting.id)))
    meeting_ids = [m.id for m in meetings]
    records = session.execute(
        select(Attendance.meeting_id, Attendance.member_id, Attendance.status,
               Attendance.backfilled)
        .where(Attendance.meeting_id.in_(meeting_ids))).all() if meeting_ids else []
    marks: dict[tuple[int, int], str] = {}
    backfilled: set[int] = set()
    for meeting_id, member_id, status, was_backfilled in records:
        marks[(member_id, meeting_id)] = MARKS.get(status, "")
        if was_backfilled:
            backfilled.add(meeting_id)
    member_ids = {member_id for member_id, _ in marks}
    members = list(session.scalars(
        select(Member).where((Member.branch_id == branch.id) | Member.id.in_(member_ids))
        .order_by(Member.id)))
    names = {m.id: m.name for m in session.scalars(select(Member).where(Member.id.in_(
        {m.host_id for m in meetings if m.host_id} | {m.recorder_id for m in meetings
                                                      if m.recorder_id})))}

    sheet = workbook.create_sheet(prefix + words.LEDGER_MEETINGS_SHEET)
    columns = words.LEDGER_COLUMNS
    title_row(sheet, texts.LEDGER_TITLE.format(branch=branch.name, period=period), len(columns))
    header_row(sheet, columns)
    for number, meeting in enumerate(meetings, start=1):
        held = meeting.status == MeetingStatus.HELD
        append_row(sheet, [
            number, KIND_NAMES.get(meeting.kind, meeting.kind), meeting.topic or "",
            meeting.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), meeting.place,
            names.get(meeting.host_id or 0, ""), names.get(meeting.recorder_id or 0, ""),
            meeting.expected_count if held else words.LEDGER_NOT_CLOSED,
            meeting.present_count if held else "", meeting.leave_count if held else "",
            meeting.absent_count if held else "",
            words.LEDGER_BACKFILLED if meeting.id in backfilled else "",
        ])
        for cell in sheet[sheet.max_row]:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for index, width in enumerate([6, 14, 30, 17, 16, 10, 10, 7, 7, 7, 7, 6], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    print_setup(sheet, "2:2")

    matrix = workbook.create_sheet(prefix + words.LEDGER_MATRIX_SHEET)
    title_row(matrix, texts.LEDGER_MATRIX_TITLE.format(branch=branch.name, period=period),
           len(meetings) + 2)
    header_row(matrix, [words.LEDGER_NAME] + [
        f"{m.starts_at.astimezone(tz):%m-%d}\n{KIND_NAMES.get(m.kind, m.kind)}" for m in meetings
    ] + [words.LEDGER_TIMES_PRESENT])
    for member in members:
        row = [marks.get((member.id, m.id), "") for m in meetings]
        append_row(matrix, [member.name, *row,
                         sum(1 for mark in row if mark == MARKS["present"])])
        for cell in matrix[matrix.max_row]:
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center")
    matrix.column_dimensions["A"].width = 10
    for index in range(2, len(meetings) + 3):
        matrix.column_dimensions[get_column_letter(index)].width = 9
    matrix.row_dimensions[2].height = 32
    matrix.append([])
    append_row(matrix, [texts.LEDGER_LEGEND])
    print_setup(matrix, "2:2")

    return len(meetings), len(members)
