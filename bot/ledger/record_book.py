"""会议记录本: the 台账's meetings held, in the layout of the paper record book a branch
keeps — one printed page per meeting (A4 portrait): kind, time, place, host, recorder, lecturer,
topic, 应到 / 实到 / 请假 / 缺席 with the names (and leave reasons), what was entered
afterwards (补录), the minutes (纪要), the photos, and lines for the signatures.

Photos are counted, not embedded: a workbook of a hundred branches with nine photos a
meeting would run to gigabytes; they stay on the meeting's page in the console.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.ledger.records import BranchRecords, Record
from bot.ledger.sheets import LINE_HEIGHT, LedgerSheet, text_lines
from core import texts, words
from models.meetings.tables import KIND_NAMES, AttendanceStatus, Meeting, MeetingStatus

WIDTHS = [13, 27, 13, 27]
VALUE_WIDTH = sum(WIDTHS[1:])  # a value merged across B:D
LABELS = words.LEDGER_BOOK_LABELS
# a label and its value twice a row; a label and one value across the rest (merged, but
# every cell keeps its border so the merged box is drawn whole)
PAIR = ("ledger-label", "ledger-text", "ledger-label", "ledger-text")
WIDE = ("ledger-label", "ledger-text", "ledger-text", "ledger-text")


class RecordBook:
    """The record-book sheet; branches are added one after another."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet = LedgerSheet(workbook, title, WIDTHS)
        self.sheet.print_setup("portrait")
        self.pages = 0

    def add_branch(self, found: BranchRecords, tz: ZoneInfo) -> None:
        """A page for each of the branch's meetings held, in order. A meeting not held
        yet (arranged, or under way) has no record to print: the meetings sheet lists it
        as 未结束, and its page comes once it is closed."""
        held = [m for m in found.meetings if m.status == MeetingStatus.HELD]
        for number, meeting in enumerate(held, start=1):
            self._page(found, meeting, number, tz)

    def _pair(self, first: str, first_value: object, second: str,
              second_value: object) -> None:
        self.sheet.row([first, first_value, second, second_value], PAIR)

    def _wide(self, label: str, value: str, min_lines: int = 1) -> None:
        """A label and a value across the rest of the row, as tall as the value needs."""
        lines = max(min_lines, text_lines(value, VALUE_WIDTH))
        row = self.sheet.row([label, value, "", ""], WIDE, height=LINE_HEIGHT * lines + 4)
        self.sheet.merge(row, 2, 4)

    def _page(self, found: BranchRecords, meeting: Meeting, number: int,
              tz: ZoneInfo) -> None:
        if self.pages:
            self.sheet.page_break()
        self.pages += 1
        names = found.names
        start, end = meeting.starts_at.astimezone(tz), meeting.ends_at.astimezone(tz)
        records = sorted(found.records.get(meeting.id, []),
                         key=lambda r: (r.recorded_at, r.member_id))
        by_status: dict[str, list[Record]] = {}
        for record in records:
            by_status.setdefault(record.status, []).append(record)
        present = by_status.get(AttendanceStatus.PRESENT, [])
        leave = by_status.get(AttendanceStatus.LEAVE, [])
        absent = by_status.get(AttendanceStatus.ABSENT, [])

        def who(rows: list[Record]) -> str:
            return words.LIST_SEP.join(names.get(r.member_id, "") for r in rows) \
                or words.LEDGER_BOOK_NONE

        self.sheet.title(texts.LEDGER_BOOK_TITLE.format(branch=found.branch.name,
                                                        number=number), height=30)
        self._pair(LABELS["kind"], KIND_NAMES.get(meeting.kind, meeting.kind),
                   LABELS["status"], words.MEETING_STATUS_NAMES.get(meeting.status, ""))
        self._pair(LABELS["time"], f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}",
                   LABELS["place"], meeting.place)
        self._pair(LABELS["host"], names.get(meeting.host_id or 0, ""),
                   LABELS["recorder"], names.get(meeting.recorder_id or 0, ""))
        self._pair(LABELS["lecturer"], names.get(meeting.lecturer_id or 0, ""),
                   LABELS["number"], meeting.id)
        self._wide(LABELS["topic"], meeting.topic or "")
        self._pair(LABELS["expected"], meeting.expected_count,
                   LABELS["present"], meeting.present_count)
        self._pair(LABELS["leave"], meeting.leave_count, LABELS["absent"],
                   meeting.absent_count)
        self._wide(LABELS["present_names"], who(present))
        self._wide(LABELS["leave_names"], words.LIST_SEP.join(
            texts.LEDGER_BOOK_LEAVE.format(name=names.get(r.member_id, ""),
                                           reason=r.reason or words.LEDGER_BOOK_NO_REASON)
            for r in leave) or words.LEDGER_BOOK_NONE)
        self._wide(LABELS["absent_names"], who(absent))
        self._wide(LABELS["backfilled"], words.LIST_SEP.join(
            texts.LEDGER_BOOK_BACKFILL.format(
                name=names.get(r.member_id, ""),
                status=words.ATTENDANCE_NAMES.get(r.status, r.status),
                by=names.get(r.recorded_by or 0, ""),
                when=f"{r.recorded_at.astimezone(tz):%m-%d}")
            for r in records if r.backfilled) or words.LEDGER_BOOK_NONE)
        self._wide(LABELS["minutes"], meeting.minutes or words.LEDGER_BOOK_NO_MINUTES,
                   min_lines=8)
        photos = len(meeting.photos or [])
        self._wide(LABELS["photos"], texts.LEDGER_BOOK_PHOTOS.format(count=photos)
                   if photos else words.LEDGER_BOOK_NONE)
        self.sheet.row([LABELS["recorder_sign"], "", LABELS["host_sign"], ""], PAIR,
                       height=36)
