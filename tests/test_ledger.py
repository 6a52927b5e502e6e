"""The 台账 workbook: its numbers equal the records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli.main import main
from bot.ledger.branch import export_ledger
from models.meetings.attendance import ask_leave, backfill, check_in
from models.meetings.rules import close_meeting
from models.meetings.tables import Attendance, AttendanceStatus, Method
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


def test_the_record_book_has_a_page_per_meeting_as_on_paper(session, history, tmp_path):
    branch, people, meetings = history
    meetings[1].minutes = "一、学习党章第三章。\n二、讨论秋收互助安排。" + "会议内容" * 80
    meetings[1].lecturer_id = people[0].id
    meetings[1].photos = ["a.jpg", "b.png"]
    session.commit()
    export_ledger(session, branch, date(2026, 1, 1), date(2026, 12, 31), TZ,
                  tmp_path / "ledger.xlsx")
    workbook = load_workbook(tmp_path / "ledger.xlsx")
    assert workbook.sheetnames == ["会议记录", "出勤表", "会议记录本"]
    book = workbook["会议记录本"]
    assert book.page_setup.orientation == "portrait"
    rows = [[c for c in row if c is not None] for row in book.iter_rows(values_only=True)]
    titles = [row[0] for row in rows if row and str(row[0]).startswith("辽原村党支部会议记录")]
    assert titles == [f"辽原村党支部会议记录（第{n}次）" for n in (1, 2, 3)]
    # one printed page per meeting: a break before the second and the third
    breaks = [b.id for b in book.row_breaks.brk]
    starts = [i for i, row in enumerate(rows, start=1) if row and row[0] in titles]
    assert breaks == [start - 1 for start in starts[1:]]
    june = rows[starts[1] - 1:starts[2] - 1]
    facts = {row[0]: row[1:] for row in june if row}
    assert facts["时间"][0].startswith("2026-06-10 09:00–11:00")
    assert facts["主持人"] == ["李书记", "记录人", "张明"]
    assert facts["授课人"][0] == "李书记"
    assert facts["应到人数"] == [4, "实到人数", 3] and facts["请假人数"] == [1, "缺席人数", 0]
    assert facts["出席人员"] == ["李书记、张明、刘芳"]
    assert facts["请假人员及原因"] == ["赵大爷（外出务工）"]
    assert facts["缺席人员"] == ["无"]
    assert facts["补录情况"] == ["刘芳 出席（李书记于06-12补录）"]
    assert facts["会议内容（纪要）"][0].startswith("一、学习党章第三章。\n二、")
    assert facts["会议照片"] == ["2张（在管理后台的会议页面查看）"]
    assert "记录人签字" in facts and "主持人签字" in facts["记录人签字"]
    # the value runs across the page, and the minutes' row is tall enough to print them
    minutes_row = starts[1] + [row[0] if row else None for row in june].index("会议内容（纪要）")
    assert f"B{minutes_row}:D{minutes_row}" in {str(r) for r in book.merged_cells.ranges}
    assert book.row_dimensions[minutes_row].height > 8 * 15
    march = {row[0]: row[1:] for row in rows[starts[0] - 1:starts[1] - 1] if row}
    assert march["会议内容（纪要）"] == ["（未填写会议纪要）"] and march["请假人员及原因"] == ["无"]
