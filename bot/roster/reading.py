"""Reading a roster file (CSV or XLSX) as a stream of rows, refusing hostile files.

Nothing in a file is trusted: an XLSX's declared dimension (A1:XFD1048576 in a 4.8 KB
bomb), its uncompressed sizes, the length of its strings (a 30 MB shared string in a
36 KB file: bot.xlsx_strings), a CSV's field sizes and quotes. Rows are read one at a
time and counted against MAX_ROWS and MAX_COLUMNS, every cell against MAX_FIELD_CHARS
and all of an XLSX's text against MAX_XLSX_TEXT_CHARS, so a refused file costs a few
seconds and a few tens of MB whatever it declares.

What partybot's own workbooks escape (bot.workbook: a leading apostrophe before text a
spreadsheet would run as a formula) is undone here, so an exported member list imports
back unchanged.

CSV files saved by Excel in China are often GB18030 (GBK) rather than UTF-8; both are
accepted. Line numbers are the file's own (the header is line 1; for CSV, the line a
record starts on).
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.workbook import from_text
from bot.xlsx_strings import StringsRefused, TooLong, read_shared_strings
from core import texts
from models.members.roster import RosterError

MAX_ROWS = 200_000
MAX_COLUMNS = 50
MAX_FIELD_CHARS = 10_000  # the widest column (住址) holds 200; CSV and XLSX cells alike
MAX_CSV_BYTES = 64 * 1024 * 1024
# XLSX parts, uncompressed: the sheet is streamed, everything else openpyxl holds in
# memory (shared strings, styles), so those get the smaller cap.
MAX_SHEET_BYTES = 128 * 1024 * 1024
MAX_OTHER_PART_BYTES = 32 * 1024 * 1024
# The text all of a sheet's cells hold, counted as read: a shared string is stored once
# but read once per cell that uses it, so a 4 MB file could hand the validator 10⁹
# characters of strings each under the field limit. No more than the largest CSV holds.
MAX_XLSX_TEXT_CHARS = 64_000_000
MB = 1024 * 1024
# The longest tag (name and attributes, between '<' and '>') an XLSX part may have; real
# ones are well under a kilobyte. Longer ones are refused as they stream in: expat (2.5)
# slows with the square of a tag fed in pieces, and a 30 MB attribute in a 31 KB file
# cost 16 s of CPU. Text between tags is not bounded here: expat hands it over in
# pieces, and cells over the field limit are refused with their line (below).
MAX_TAG_BYTES = 64 * 1024

Rows = Iterator[tuple[int, list[Any]]]


@dataclass
class RosterTable:
    """The header, the data rows (a one-pass stream) and about how many there are."""

    header: list[Any]
    rows: Rows
    estimated_rows: int


def read_table(path: Path) -> RosterTable:
    """The first sheet of an XLSX file, or a CSV file; RosterError if unreadable."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise RosterError("ROSTER_BAD_TYPE", suffix=path.suffix[:20])


def _line_error(line: int, key: str, **fields: Any) -> RosterError:
    return RosterError("ROSTER_ROW", line=line, message=getattr(texts, key).format(**fields))


def _check_width(line: int, values: list[Any]) -> list[Any]:
    if len(values) > MAX_COLUMNS:
        if any(v not in (None, "") for v in values[MAX_COLUMNS:]):
            raise _line_error(line, "ROSTER_TOO_MANY_COLUMNS", limit=MAX_COLUMNS)
        del values[MAX_COLUMNS:]
    return values


# CSV ---------------------------------------------------------------------------------

def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided by decoding the whole file in
    chunks (nothing is kept)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(MB):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise RosterError("ROSTER_BAD_ENCODING")


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(MB), b""))


def _read_csv(path: Path) -> RosterTable:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise RosterError("ROSTER_FILE_TOO_BIG", size=size // MB, limit=MAX_CSV_BYTES // MB)
    encoding = _csv_encoding(path)
    records = _csv_records(path, encoding)
    try:
        _, header = next(records)
    except StopIteration:
        raise RosterError("ROSTER_EMPTY_FILE") from None
    return RosterTable(header, records, min(max(_count_lines(path) - 1, 0), MAX_ROWS))


def _csv_records(path: Path, encoding: str) -> Rows:
    # Process-wide, but every reader in partybot wants the same bound.
    csv.field_size_limit(MAX_FIELD_CHARS)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, strict=True)  # strict: an unclosed quote is an error
        count = 0
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_error(start, str(exc)) from None
            count += 1
            if count > MAX_ROWS + 1:
                raise RosterError("ROSTER_TOO_MANY_ROWS", limit=MAX_ROWS)
            # a member list exported by partybot and saved as CSV keeps its escaping
            yield start, _check_width(start, [from_text(field) for field in record])


def _csv_error(line: int, error: str) -> RosterError:
    if "field larger than field limit" in error:
        return _line_error(line, "ROSTER_FIELD_TOO_LONG", limit=MAX_FIELD_CHARS)
    if "unexpected end of data" in error or "EOF" in error:
        return _line_error(line, "ROSTER_UNCLOSED_QUOTE")
    return _line_error(line, "ROSTER_BAD_CSV_LINE", error=error[:80])


# XLSX --------------------------------------------------------------------------------

def _check_parts(path: Path) -> None:
    """Refuse a workbook whose parts would unpack beyond the caps (zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise RosterError("ROSTER_BAD_XLSX", error=type(exc).__name__) from None
    for part in parts:
        sheet = part.filename.startswith("xl/worksheets/")
        limit = MAX_SHEET_BYTES if sheet else MAX_OTHER_PART_BYTES
        if part.file_size > limit:
            raise RosterError("ROSTER_XLSX_TOO_BIG", part=part.filename[:60],
                              size=part.file_size // MB, limit=limit // MB)


class BoundedTags:
    """A zip member read through a check: no tag longer than MAX_TAG_BYTES, whatever
    the XML parser does with it."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.in_tag = 0  # bytes since an unclosed '<', or -1 outside a tag

    def read(self, size: int = -1) -> bytes:
        """Read like the member, refusing an over-long tag as soon as it passes."""
        chunk = self.source.read(size)
        close = chunk.find(b">")
        carried = 0  # the length of a tag left open by the chunks before
        if self.in_tag >= 0:
            carried = self.in_tag + (close if close >= 0 else len(chunk))
        if carried > MAX_TAG_BYTES or _LONG_TAG.search(chunk) is not None:
            raise RosterError("ROSTER_XLSX_LONG_TAG", limit=MAX_TAG_BYTES // 1024)
        opened, closed = chunk.rfind(b"<"), chunk.rfind(b">")
        if opened > closed:
            self.in_tag = len(chunk) - opened - 1
        elif closed >= 0:
            self.in_tag = -1
        elif self.in_tag >= 0:
            self.in_tag += len(chunk)
        return chunk

    def __enter__(self) -> BoundedTags:
        return self

    def __exit__(self, *_: object) -> None:
        self.source.close()


_LONG_TAG = re.compile(rb"<[^>]{%d}" % (MAX_TAG_BYTES + 1))


def _open_xlsx(path: Path) -> Any:
    """openpyxl's read-only workbook, its shared strings read by bot.xlsx_strings (each
    one's length bounded as it streams) instead of openpyxl's whole-element parser."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with BoundedTags(self.archive.open(part.PartName[1:])) as source:
                    self.shared_strings = read_shared_strings(source, MAX_FIELD_CHARS)

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _read_xlsx(path: Path) -> RosterTable:
    _check_parts(path)
    try:
        workbook = _open_xlsx(path)
        sheet = workbook.worksheets[0]
    except RosterError:
        raise
    except StringsRefused as exc:
        raise RosterError("ROSTER_BAD_XLSX", error=f"sharedStrings: {exc}"[:80]) from None
    except Exception as exc:  # zip, XML or format errors: the file is not a workbook
        raise RosterError("ROSTER_BAD_XLSX", error=type(exc).__name__) from None
    # only for progress: never trusted beyond that
    declared = max((sheet.max_row or MAX_ROWS) - 1, 0)
    rows = _xlsx_rows(workbook, sheet)
    try:
        _, header = next(rows)
    except StopIteration:
        raise RosterError("ROSTER_EMPTY_SHEET") from None
    return RosterTable(header, rows, min(declared, MAX_ROWS))


def _xlsx_rows(workbook: Any, sheet: Any) -> Rows:
    """The rows that are in the file, as their cells say, padded to their last cell.

    openpyxl's own iter_rows pads every row to the declared width and yields every
    missing row up to the declared height (16,384 × 1,048,576 for the bomb). Its sheet
    parser yields only the rows and cells present; pinned in pyproject.toml (openpyxl
    3.1), since WorkSheetParser is not public API.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with BoundedTags(sheet._get_source()) as source:
            parser = WorkSheetParser(source, sheet._shared_strings, data_only=True)
            text = 0
            for line, cells in parser.parse():
                if line > MAX_ROWS + 1:
                    raise RosterError("ROSTER_TOO_MANY_ROWS", limit=MAX_ROWS)
                values: list[Any] = []
                for cell in cells:
                    column, value = cell["column"], cell["value"]
                    if column > MAX_COLUMNS:
                        if value not in (None, ""):
                            raise _line_error(line, "ROSTER_TOO_MANY_COLUMNS",
                                              limit=MAX_COLUMNS)
                        continue
                    if isinstance(value, TooLong) or \
                            (isinstance(value, str) and len(value) > MAX_FIELD_CHARS):
                        # refused before the value is copied, normalised or validated
                        raise _line_error(line, "ROSTER_CELL_TOO_LONG", limit=MAX_FIELD_CHARS,
                                          cell=f"{get_column_letter(column)}{line}")
                    if isinstance(value, str):
                        text += len(value)
                        if text > MAX_XLSX_TEXT_CHARS:
                            raise _line_error(line, "ROSTER_XLSX_TOO_MUCH_TEXT",
                                              limit=MAX_XLSX_TEXT_CHARS // 10_000)
                    if column > len(values):
                        values.extend([None] * (column - len(values)))
                    values[column - 1] = from_text(value)
                yield line, values
    except RosterError:
        raise
    except Exception as exc:  # broken XML inside the zip
        raise RosterError("ROSTER_BAD_XLSX", error=type(exc).__name__) from None
    finally:
        workbook.close()
