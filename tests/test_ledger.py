"""The 台账 workbook: its numbers equal the records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.ledger import export_ledger
from models.attendance import ask_leave, backfill, check_in
from models.meetings import Attendance, AttendanceStatus, Method, close_meeting
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.procs import command_env

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def history(session):
    township = make_township(session)
    branch = make_branch(session, "辽原村党支部", township)
    people = [make_member(session, branch, name, f"1380000000{i}")
              for i, name in enumerate(["李书记", "张明", "刘芳", "赵大爷"])]
    meetings = []
    for month, present in ((3, people[:3]), (6, people[:2]), (9, people)):
        start = datetime(2026, month, 10, 1, tzinfo=UTC)
        meeting = make_meeting(session, branch, start, topic=f"{month}月学习",
                               host_id=people[0].id, recorder_id=people[1].id)
        for member in present:
            check_in(session, meeting, member, Method.CODE, member, start)
        if month == 6:
            ask_leave(session, meeting, people[3], "外出务工", Method.CODE, people[3], start)
        close_meeting(session, meeting, start + timedelta(hours=3))
        meetings.append(meeting)
    backfill(session, meetings[1], people[2], AttendanceStatus.PRESENT, people[0],
             datetime(2026, 6, 12, tzinfo=UTC))
    session.commit()
    return branch, people, meetings


def test_ledger_numbers_equal_the_records(session, history, tmp_path):
    branch, people, meetings = history
    summary = export_ledger(session, branch, date(2026, 1, 1), date(2026, 12, 31), TZ,
                            tmp_path / "ledger.xlsx")
    assert (summary.meetings, summary.members) == (3, 4)
    workbook = load_workbook(tmp_path / "ledger.xlsx")
    sheet = workbook["会议记录"]
    assert "辽原村党支部" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, [c.value for c in row], strict=True))
            for row in sheet.iter_rows(min_row=3)]
    assert [r["主题"] for r in rows] == ["3月学习", "6月学习", "9月学习"]
    for row, meeting in zip(rows, meetings, strict=True):
        records = session.scalars(select(Attendance).where(
            Attendance.meeting_id == meeting.id)).all()
        assert row["应到"] == len(records)
        assert row["实到"] == sum(r.status == "present" for r in records)
        assert row["请假"] == sum(r.status == "leave" for r in records)
        assert row["缺席"] == sum(r.status == "absent" for r in records)
        assert row["主持人"] == "李书记" and row["记录人"] == "张明"
    assert [r["补录"] for r in rows] == [None, "有", None]
    matrix = workbook["出勤表"]
    marks = {row[0].value: [c.value for c in row[1:4]] for row in matrix.iter_rows(min_row=3)
             if row[0].value in {p.name for p in people}}
    assert marks["赵大爷"] == ["缺", "假", "✓"]
    assert marks["刘芳"] == ["✓", "✓", "✓"]  # June was backfilled
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$2:$2"


def test_ledger_range_filters_meetings(session, history, tmp_path):
    branch, _, _ = history
    summary = export_ledger(session, branch, date(2026, 6, 1), date(2026, 6, 30), TZ,
                            tmp_path / "june.xlsx")
    assert summary.meetings == 1


def test_cli_export_ledger(database_url, tmp_path, history, monkeypatch):
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "台账.xlsx"
    result = CliRunner().invoke(main, ["export", "ledger", "--org", "辽原村党支部", "--from",
                                       "2026-01-01", "--to", "2026-12-31", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 次会议" in result.output and out.exists()
    township = CliRunner().invoke(main, ["export", "ledger", "--org", "红光乡党委", "--from",
                                         "2026-01-01", "--to", "2026-12-31", "--out", str(out)])
    assert township.exit_code == 1 and "辽原村党支部" in township.output
    missing = CliRunner().invoke(main, ["export", "ledger", "--org", "不存在", "--from",
                                        "2026-01-01", "--to", "2026-12-31", "--out", str(out)])
    assert missing.exit_code == 1 and "找不到" in missing.output
    backwards = CliRunner().invoke(main, ["export", "ledger", "--org", "辽原村党支部", "--from",
                                          "2026-12-31", "--to", "2026-01-01", "--out", str(out)])
    assert backwards.exit_code == 1
