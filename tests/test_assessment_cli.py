"""`partybot assess check|load|sheet|close` on a test county."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli.main import main
from models.assessment.tables import AssessmentScheme, AssessmentSheetLine
from models.console.audit import AuditEntry
from tests.assessment_support import SCHEME_FILE, build_county
from tests.procs import command_env


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, list(args))

    return invoke


def test_check_lists_every_problem_and_loads_nothing(run, session, tmp_path):
    build_county(session)
    broken = tmp_path / "broken.toml"
    broken.write_text(SCHEME_FILE.read_text("utf-8").replace("points = 10", "points = -1")
                      .replace('measure = "attendance"', 'measure = "cheer"'), "utf-8")
    for command in ("check", "load"):
        result = run("assess", command, str(broken))
        assert result.exit_code == 1, result.output
        assert "考核项目" in result.output and "life.meetings" in result.output
        assert "points 应大于 0" in result.output and "不认识的 measure「cheer」" in result.output
        assert "处问题，未载入" in result.output
    session.rollback()
    assert session.scalars(select(AssessmentScheme)).all() == []
    good = run("assess", "check", str(SCHEME_FILE))
    assert good.exit_code == 0, good.output
    assert "2个项目，7条细则，共50分" in good.output and "未载入" in good.output


def test_load_sheet_xlsx_and_close(run, session, tmp_path):
    year = build_county(session)
    loaded = run("assess", "load", str(SCHEME_FILE))
    assert loaded.exit_code == 0, loaded.output
    assert "计分方式：系统计算5条，自查1条，巡查1条" in loaded.output
    assert "已载入2025年考核方案" in loaded.output
    out = tmp_path / "sheet.xlsx"
    sheet = run("assess", "sheet", "辽原村党支部", "--year", "2025", "--xlsx", str(out))
    assert sheet.exit_code == 0, sheet.output
    assert "辽原村党支部 2025年党建考核" in sheet.output
    assert "三会一课按规定召开" in sheet.output and "23/33 = 70%" in sheet.output
    assert "系统计算" in sheet.output and "待评分" in sheet.output and "合计：" in sheet.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "辽原村党支部 2025年党建考核" and rows[2][1] == "三会一课按规定召开"
    assert rows[2][3] == 6 and str(rows[-1][0]).startswith("合计：")
    # any period of the year: the first half alone counts fewer meetings due
    half = run("assess", "sheet", "辽原村党支部", "--year", "2025", "--to", "2025-06-30")
    assert half.exit_code == 0, half.output
    assert "三会一课按规定召开" in half.output and "23/33 = 70%" not in half.output
    bad = run("assess", "sheet", "辽原村党支部", "--year", "2025", "--from", "2024-12-01")
    assert bad.exit_code != 0 and "统计区间要在2025年之内" in bad.output
    missing = run("assess", "sheet", "没有这个村", "--year", "2025")
    assert missing.exit_code != 0 and "找不到组织" in missing.output
    no_year = run("assess", "sheet", "辽原村党支部", "--year", "2019")
    assert no_year.exit_code != 0 and "2019年还没有载入考核方案" in no_year.output
    closed = run("assess", "close", "--year", "2025")
    assert closed.exit_code == 0, closed.output
    assert "已关闭2025年考核：6个组织的得分已固定" in closed.output
    again = run("assess", "close", "--year", "2025")
    assert again.exit_code != 0 and "已经关闭过了" in again.output
    reload = run("assess", "load", str(SCHEME_FILE))
    assert reload.exit_code != 0 and "已关闭" in reload.output
    frozen = run("assess", "sheet", "辽原村党支部", "--year", "2025")
    assert "已关闭，得分已固定" in frozen.output and "23/33 = 70%" in frozen.output
    session.rollback()
    lines = session.scalars(select(AssessmentSheetLine).where(
        AssessmentSheetLine.org_id == year.ids["liaoyuan"])).all()
    assert len(lines) == 7
    actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["assessment.load_scheme", "assessment.close_year"]
