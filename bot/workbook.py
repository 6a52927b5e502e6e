"""The one writer of every workbook partybot produces (the 台账 in all its forms, the member
list): every value goes into a cell through `Sheet.row`, which applies one rule.

The rule (OWASP "CSV injection"): text that Excel or WPS would run as a formula — it
starts with = + - @, a TAB or a CR, judged after the NFKC normalisation the roster
importer applies, so "＝1+1" and " =1+1" count — is written as a text cell with an
apostrophe in front, and so is text that already starts with an apostrophe. The
apostrophe stays visible and survives a "save as CSV", so the formula never comes back to
life when someone edits the cell or converts the file. Because exactly the texts that
start with an apostrophe are prefixed, `from_text` (the roster reader) undoes it exactly:
the member list imports back unchanged.

Rows stream (openpyxl's write-only mode): memory stays flat however long the workbook.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A cell that starts like this is a formula to Excel and WPS.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points


def as_text(value: object) -> object:
    """A value safe to put in a cell: text a spreadsheet would run as a formula, or that
    starts with an apostrophe, gets an apostrophe in front; numbers stay numbers.
    Control characters XML cannot hold are dropped (openpyxl would refuse the whole
    workbook for one stray byte in a meeting's minutes)."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(QUOTE) or \
            unicodedata.normalize("NFKC", text).lstrip(" ").startswith(FORMULA_START):
        return QUOTE + text
    return text


def from_text(value: object) -> object:
    """The value `as_text` was given, from what it wrote (for reading a workbook back)."""
    if isinstance(value, str) and value.startswith(QUOTE):
        return value[1:]
    return value


def file_name(name: str) -> str:
    """A workbook's download name: whitespace runs (a line break kept in an org's name
    from an old import) become one space and path separators go: a CR/LF in a header
    is refused by the server (a 500), a slash is a folder to the browser."""
    return " ".join(name.replace("/", " ").replace("\\", " ").split())


def new_workbook(styles: Iterable[NamedStyle] = ()) -> Workbook:
    """A write-only workbook with `styles` registered (cells name them, which is cheap;
    styling a cell attribute by attribute hashes style objects for every cell)."""
    workbook = Workbook(write_only=True)
    for style in styles:
        workbook.add_named_style(style)
    return workbook


class Sheet:
    """One streaming sheet. Column widths are fixed when it is made; a row is final once
    written (so row heights come with the row)."""

    def __init__(self, workbook: Workbook, title: str, widths: Sequence[float] = ()) -> None:
        sheet = workbook.create_sheet(title)
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        self.width = len(widths)
        self.rows = 0
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    def row(self, values: Sequence[object], style: str | Sequence[str] | None = None,
            height: float | None = None) -> int:
        """Append a row, every text cell written as text (never a formula, see as_text);
        returns its number. `style` is one named style for every cell, or one per cell."""
        self.rows += 1
        if height is not None:
            self.sheet.row_dimensions[self.rows].height = min(height, MAX_ROW_HEIGHT)
        cells = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(self.sheet, value=as_text(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would guess "#N/A" is an error value
            if style is not None:
                cell.style = style if isinstance(style, str) else style[index]
            cells.append(cell)
        self.sheet.append(cells)
        return self.rows
