"""Streaming sheets for the 台账 workbooks: bot.workbook's sheets (write-only, every
value through the one escaping rule), every cell styled by a named style registered once
per workbook.

Why: styling cells one attribute at a time (cell.border = …, cell.font = …) hashes every
style object for every cell; on a year of 100 branches that was three quarters of a
14-second export. A write-only sheet streams its rows to a temporary file, so memory stays
flat however many branches the workbook holds. The price is order: column widths, row
heights and the freeze pane are set before the rows they touch, and a row is final once
written.
"""

from __future__ import annotations

import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break

from bot.workbook import Sheet, new_workbook

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")

# The named styles every ledger sheet uses (names are internal to the workbook).
STYLES = {
    "ledger-title": NamedStyle("ledger-title", font=Font(size=14, bold=True),
                               alignment=Alignment(horizontal="center", vertical="center")),
    "ledger-head": NamedStyle("ledger-head", font=Font(bold=True), fill=HEAD_FILL, border=BOX,
                              alignment=Alignment(horizontal="center", vertical="center",
                                                  wrap_text=True)),
    "ledger-cell": NamedStyle("ledger-cell", border=BOX,
                              alignment=Alignment(vertical="center", wrap_text=True)),
    "ledger-mark": NamedStyle("ledger-mark", border=BOX,
                              alignment=Alignment(horizontal="center")),
    "ledger-label": NamedStyle("ledger-label", font=Font(bold=True), fill=LABEL_FILL,
                               border=BOX, alignment=Alignment(vertical="top", wrap_text=True)),
    "ledger-text": NamedStyle("ledger-text", border=BOX,
                              alignment=Alignment(vertical="top", wrap_text=True)),
    "ledger-plain": NamedStyle("ledger-plain", alignment=Alignment(vertical="top",
                                                                   wrap_text=True)),
}

LINE_HEIGHT = 15.0  # points per line of 11-point text


def ledger_workbook() -> Workbook:
    """A write-only workbook with the ledger's named styles."""
    return new_workbook(STYLES.values())


def text_lines(text: str, chars_per_line: int) -> int:
    """How many printed lines `text` takes in a column `chars_per_line` wide (CJK
    characters count double), for a row height Excel will not work out for merged cells."""
    lines = 0
    for paragraph in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in paragraph)
        lines += max(1, -(-width // max(chars_per_line, 1)))
    return lines


class LedgerSheet(Sheet):
    """One streaming sheet laid out for printing: a title across it, merged values, page
    breaks."""

    def title(self, text: str, height: float = 24) -> None:
        """A title merged across the sheet's columns."""
        row = self.row([text], "ledger-title", height)
        self.merge(row, 1, self.width)

    def merge(self, row: int, first: int, last: int) -> None:
        """Merge columns first..last of `row` (1-based), if more than one."""
        if last > first:
            # Straight into the set: MultiCellRange.add first scans every range merged so
            # far, which made a book of thousands of pages quadratic (2.8 s in 7 for ten
            # branches). Merges here never overlap: one per row at most.
            self.sheet.merged_cells.ranges.add(CellRange(min_col=first, min_row=row,
                                                         max_col=last, max_row=row))

    def page_break(self) -> None:
        """Start a new printed page after the last row."""
        self.sheet.row_breaks.append(Break(id=self.rows))

    def print_setup(self, orientation: str, header_rows: str | None = None,
                    freeze: str | None = None) -> None:
        """A4, fit to width, header rows repeated on every page. Call before any row (a
        write-only sheet writes its view when the first row comes)."""
        sheet = self.sheet
        sheet.page_setup.orientation = orientation
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        if header_rows:
            sheet.print_title_rows = header_rows
        if freeze:
            sheet.freeze_panes = freeze
