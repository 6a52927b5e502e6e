"""A roster XLSX cell longer than the CSV field limit is refused as it is read, with its
line and cell (issue 23, item 7): one 30 MB shared string — 36 KB of zip — used as 姓名
in 300 rows took 23.7 s of CPU to refuse (2,000 rows: 185 s), and the webhook slowed
from 2 ms to 249 ms meanwhile. benchmarks/roster_bomb.py measures it. Strings under the
limit, used in cell after cell, are bounded by the text of the whole sheet."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl.reader.strings import read_string_table

from bot.cli.main import main
from bot.roster.importing import import_roster
from bot.roster.reading import MAX_FIELD_CHARS, MAX_XLSX_TEXT_CHARS, read_table
from bot.xlsx_strings import TooLong, read_shared_strings
from models.members.roster import RosterError
from tests.procs import command_env
from tests.roster_bombs import _cell, shared_string_bomb, with_shared_strings, write_xlsx
from tests.test_console_meetings import logged_in
from tests.test_roster_hostile import MEASURE, ROOT, _members

REFUSED = f"第 2 行：单元格 A2 超过 {MAX_FIELD_CHARS} 个字"


@pytest.mark.parametrize("rows", [300, 2_000])
def test_a_long_shared_string_is_refused_at_its_first_cell_at_once(session, tmp_path, rows):
    path = shared_string_bomb(tmp_path / "bomb.xlsx", rows)
    assert path.stat().st_size < 64 * 1024  # the 36 KB file, not a big one
    started = time.monotonic()
    with pytest.raises(RosterError) as caught:
        import_roster(session.get_bind(), path)
    assert time.monotonic() - started < 5  # about 0.2 s; generous for a busy machine
    assert str(caught.value).startswith(REFUSED)
    assert _members(session) == 0


def test_refusing_it_takes_little_memory(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(shared_string_bomb(tmp_path / "b.xlsx"))],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    message, seconds, peak_mb = done.stdout.strip().splitlines()
    assert message.startswith(REFUSED) and float(seconds) < 5
    assert int(peak_mb) < 150, peak_mb  # the 30 MB string is never built


def test_the_cli_and_the_console_name_the_line_and_the_cell(app, county, tmp_path,
                                                           database_url, monkeypatch):
    path = shared_string_bomb(tmp_path / "名册.xlsx")
    secretary = logged_in(app, "liaoyuan")
    answer = secretary.post("/admin/roster", data={
        "csrf_token": secretary.token,
        "roster": (BytesIO(path.read_bytes()), "名册.xlsx")},
        content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert f"文件没有导入：{REFUSED}" in page and "没有写入任何数据" in page
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    done = CliRunner().invoke(main, ["import-roster", str(path)])
    assert done.exit_code == 1 and REFUSED in done.output


def test_strings_under_the_limit_used_over_and_over_are_bounded_in_all(session, tmp_path):
    """Seven shared strings of 9,999 characters in every cell of 1,000 rows: 437 KB of zip
    for 70 M characters read (before: 200,000 such rows, 4.3 MB, took 17 s to refuse)."""
    columns = "ABCDEFG"
    rows = "".join(f'<row r="{n}">' + "".join(f'<c r="{c}{n}" t="s"><v>{i}</v></c>'
                                              for i, c in enumerate(columns)) + "</row>"
                   for n in range(2, 1_002))
    strings = "".join(f"<si><t>{ch * (MAX_FIELD_CHARS - 1)}</t></si>" for ch in "abcdefg")
    path = with_shared_strings(tmp_path / "many.xlsx", strings, rows, "A1:G1001")
    line = 2 + MAX_XLSX_TEXT_CHARS // (len(columns) * (MAX_FIELD_CHARS - 1))
    started = time.monotonic()
    with pytest.raises(RosterError, match=f"第 {line} 行：到这一行，表格里的文字已超过 6400 万字"):
        import_roster(session.get_bind(), path)
    assert time.monotonic() - started < 5
    assert _members(session) == 0


def test_a_long_inline_cell_is_refused_too(tmp_path):
    row = (f'<row r="2">{_cell("A2", "张三")}{_cell("B2", "一支部")}</row>'
           f'<row r="3">{_cell("A3", "李四")}{_cell("B3", "一支部")}'
           f'{_cell("C3", "长" * (MAX_FIELD_CHARS + 1))}</row>')
    table = read_table(write_xlsx(tmp_path / "inline.xlsx", row))
    assert next(table.rows)[1][:2] == ["张三", "一支部"]
    with pytest.raises(RosterError, match=f"第 3 行：单元格 C3 超过 {MAX_FIELD_CHARS} 个字"):
        next(table.rows)


def test_a_string_of_exactly_the_limit_is_read(tmp_path):
    longest = "址" * MAX_FIELD_CHARS
    path = with_shared_strings(
        tmp_path / "ok.xlsx", f"<si><t>张三</t></si><si><t>{longest}</t></si>",
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>', "A1:C2")
    assert next(read_table(path).rows)[1] == ["张三", longest]


def test_shared_strings_read_as_openpyxl_reads_them():
    strings = ('<si><t xml:space="preserve"> 张三 </t></si>'
               '<si><r><rPr><b/></rPr><t>辽原</t></r><r><t>村党支部</t></r>'
               '<rPh sb="0" eb="1"><t>リャオ</t></rPh></si>'
               '<si><t/></si><si><t>a_x005F_x000D_b</t></si><si><t>&lt;&amp;&gt;</t></si>')
    part = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
            f'.org/spreadsheetml/2006/main">{strings}</sst>').encode()
    assert read_shared_strings(BytesIO(part), 100) == read_string_table(BytesIO(part))
    assert read_shared_strings(BytesIO(part), 5) == [" 张三 ", TooLong(1), "", TooLong(3), "<&>"]


def test_a_string_table_with_a_dtd_is_refused(tmp_path):
    path = shared_string_bomb(tmp_path / "dtd.xlsx", rows=1, chars=1)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
        b"<sst ", b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]><sst ', 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    with pytest.raises(RosterError, match="无法打开 Excel 文件"):
        read_table(Path(path))


def test_a_huge_attribute_in_the_sheet_is_refused_at_once(tmp_path):
    # expat (2.5) slows with the square of a token fed in pieces: a 30 MB attribute in a
    # 31 KB file cost 16 s of CPU and was then accepted
    huge = "1" * 30_000_000
    row = (f'<row r="2"><c r="A2" x="{huge}" t="inlineStr"><is><t>新人</t></is></c>'
           f'{_cell("B2", "一支部")}</row>')
    started = time.monotonic()
    with pytest.raises(RosterError, match="超长的内容"):
        table = read_table(write_xlsx(tmp_path / "attribute.xlsx", row))
        list(table.rows)
    assert time.monotonic() - started < 5  # measured: well under a second


def test_a_huge_attribute_in_the_shared_strings_is_refused_at_once(tmp_path):
    huge = "1" * 15_000_000
    path = with_shared_strings(
        tmp_path / "strings.xlsx", f'<si x="{huge}"><t>张三</t></si>',
        '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', "A1:B2")
    started = time.monotonic()
    with pytest.raises(RosterError, match="超长的内容"):
        list(read_table(path).rows)
    assert time.monotonic() - started < 5
