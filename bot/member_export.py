"""A member's personal data as a workbook (`partybot member export`): one sheet per area
of models.members.personal_data, written through the one workbook writer (so a 心得 that
starts with "=" stays text)."""

from __future__ import annotations

from pathlib import Path

from bot.workbook import Sheet, file_name, new_workbook
from core import texts
from models.members.personal_data import Area

WIDTH = 18.0  # every column: dates, names and short texts fit


def default_path(name: str, branch: str) -> Path:
    """Where the workbook goes without -o: "<branch> <name> 个人数据.xlsx" here."""
    return Path(file_name(f"{branch} {name} {texts.PD_FILE_SUFFIX}.xlsx"))


def write_personal_data(areas: list[Area], path: Path) -> Path:
    """Write one sheet per area (headers first) to `path`; returns it."""
    book = new_workbook()
    for area in areas:
        sheet = Sheet(book, area.title, [WIDTH] * len(area.headers))
        sheet.row(list(area.headers))
        for row in area.rows:
            sheet.row(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
