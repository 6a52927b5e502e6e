"""Reading a roster file (CSV or XLSX) and importing it all-or-nothing.

CSV files saved by Excel in China are often GB18030 (GBK) rather than UTF-8; both
are accepted. Line numbers in reports are the file's own (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core import texts
from models.org import Org, OrgKind, find_org
from models.roster import (
    ImportReport,
    Progress,
    RosterError,
    RowProblem,
    apply_roster,
    map_header,
    validate_rows,
)


@dataclass
class RosterTable:
    """The header and the data rows with their line numbers."""

    header: list[Any]
    rows: list[tuple[int, list[Any]]]


class RosterRejected(Exception):
    """Rows are wrong; nothing was written. `problems` says which and why."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(texts.ROSTER_ROWS_WRONG.format(count=len(problems)))
        self.problems = problems


def read_table(path: Path) -> RosterTable:
    """Read the first sheet of an XLSX file, or a CSV file; RosterError if unreadable."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise RosterError("ROSTER_BAD_TYPE", suffix=path.suffix[:20])


def _read_csv(path: Path) -> RosterTable:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError("ROSTER_BAD_ENCODING")
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        raise RosterError("ROSTER_EMPTY_FILE")
    return RosterTable(records[0], [(i, rec) for i, rec in enumerate(records[1:], start=2)])


def _read_xlsx(path: Path) -> RosterTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip, XML or format errors: the file is not a workbook
        raise RosterError("ROSTER_BAD_XLSX", error=type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        records = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not records:
        raise RosterError("ROSTER_EMPTY_SHEET")
    return RosterTable(records[0], [(i, rec) for i, rec in enumerate(records[1:], start=2)])


def resolve_parent(session: Session, name: str | None) -> Org | None:
    """The org new branches go under (`--parent`), which must exist and be unique."""
    if not name:
        return None
    found = [o for o in find_org(session, name) if o.kind != OrgKind.GROUP]
    if len(found) != 1:
        if not found:
            raise RosterError("ROSTER_NO_PARENT", name=name)
        raise RosterError("ROSTER_MANY_PARENTS", count=len(found), name=name)
    return found[0]


def import_roster(
    session: Session,
    path: Path,
    parent_name: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a roster file into the session (flushed, not committed).

    Raises RosterError (the file as a whole is wrong) or RosterRejected (some rows are
    wrong); in both cases the caller rolls back and nothing is written.
    """
    table = read_table(path)
    positions, warnings = map_header(table.header)
    parent = resolve_parent(session, parent_name)
    rows, problems = validate_rows(table.rows, positions, progress, len(table.rows))
    if problems:
        raise RosterRejected(problems)
    report, problems = apply_roster(session, rows, parent, progress)
    if problems:
        raise RosterRejected(problems)
    report.warnings = warnings
    return report
