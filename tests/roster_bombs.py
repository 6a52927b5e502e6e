"""Hostile XLSX files, written directly as zip parts (openpyxl would not write them)."""
# ruff: noqa: E501  (OOXML boilerplate: one part per line reads best)

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
HEADER = ("姓名", "支部", "手机")


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return '<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip("ABC", HEADER, strict=True)) + "</row>"


def write_xlsx(path: Path, sheet_rows: str, dimension: str = "A1:C2") -> Path:
    """An XLSX whose first sheet has the given <row> elements after the header."""
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{_header_row()}{sheet_rows}'
             '</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def dimension_bomb(path: Path) -> Path:
    """The 4.8 KB file that drove import-roster past 6 GB: a declared A1:XFD1048576,
    one cell at XFD2 and one on the last row."""
    rows = (f'<row r="2">{_cell("A2", "张三")}{_cell("B2", "一支部")}{_cell("XFD2", "x")}</row>'
            f'<row r="1048576">{_cell("A1048576", "李四")}</row>')
    return write_xlsx(path, rows, dimension="A1:XFD1048576")


def tall_bomb(path: Path, rows: int = 3_000_000) -> Path:
    """Millions of tiny rows: ~1 MB compressed."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, rows + 2))
    return write_xlsx(path, body, dimension=f"A1:C{rows + 1}")


def last_row_only(path: Path) -> Path:
    """A single row, on the sheet's last row number."""
    return write_xlsx(path, f'<row r="1048576">{_cell("A1048576", "李四")}</row>')


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))


def entity_bomb(path: Path) -> Path:
    """Billion laughs in the workbook part (the one openpyxl parses whole, with lxml when
    it is installed): a sheet name that would expand to 10⁹ characters."""
    workbook = WORKBOOK.replace(
        '<workbook ', f'<!DOCTYPE workbook [<!ENTITY lol0 "lol">{LAUGHS}]><workbook ', 1
    ).replace('name="Sheet1"', 'name="&lol9;"')
    write_xlsx(path, "")
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/workbook.xml"] = workbook.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(path: Path, strings: str, sheet_rows: str, dimension: str) -> Path:
    """An XLSX whose sheet rows (after the header) may refer to the shared strings
    `strings` (the <si> elements, in order) with t="s"."""
    write_xlsx(path, sheet_rows, dimension=dimension)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["[Content_Types].xml"] = CONTENT_TYPES.replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{SHARED_STRINGS_TYPE}"/></Types>')).encode()
    parts["xl/_rels/workbook.xml.rels"] = WORKBOOK_RELS.replace("</Relationships>", (
        f'<Relationship Id="rId2" Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
        '</Relationships>')).encode()
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'{strings}</sst>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def shared_string_bomb(path: Path, rows: int = 300, chars: int = 30_000_000) -> Path:
    """One shared string of `chars` characters (30 MB deflates to ~36 KB) used as 姓名 in
    every one of `rows` rows: each row is a reference, the string is in the file once."""
    body = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>1</v></c>'
                   f'<c r="C{n}" t="inlineStr"><is><t>1380000{n:04d}</t></is></c></row>'
                   for n in range(2, rows + 2))
    return with_shared_strings(path, f'<si><t>{"x" * chars}</t></si><si><t>一支部</t></si>',
                               body, f"A1:C{rows + 1}")
