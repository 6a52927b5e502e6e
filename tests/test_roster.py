"""Roster import: all-or-nothing, idempotent, CSV (UTF-8 and GBK) and XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli.main import main
from bot.roster.importing import RosterRejected, import_roster
from models.members.org_tables import Org, OrgKind
from models.members.roster import RosterError
from models.members.tables import Member

HEADER = ["姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址"]
GOOD = [
    ["李书记", "辽原村党支部", "第一党小组", "13800000001", "管理员", "", "辽原村一组"],
    ["王帮扶", "辽原村党支部", "第一党小组", "138-0000-0002", "帮扶人", "", "辽原村一组"],
    ["赵大爷", "辽原村党支部", "第二党小组", "13800000005", "", "老式手机", "辽原村二组"],
    ["孙奶奶", "辽原村党支部", "第二党小组", "", "", "无手机", "辽原村二组"],
    ["周书记", "红光村党支部", "", "+86 138 0000 0011", "管理员、帮扶人", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig",
              header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def snapshot(session) -> list[tuple]:
    session.rollback()  # a fresh read transaction sees the webhook's commits
    session.expire_all()
    return [(m.name, m.branch.name, m.group.name if m.group else None, m.phone, m.is_admin,
             m.is_helper, m.needs_help, m.address)
            for m in session.scalars(select(Member).order_by(Member.id))]


def test_import_creates_members_and_org_tree(session, tmp_path):
    report = import_roster(session.get_bind(), write_csv(tmp_path / "r.csv", GOOD))
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    rows = {r[0]: r for r in snapshot(session)}
    assert rows["李书记"] == ("李书记", "辽原村党支部", "第一党小组", "13800000001", True, False,
                            None, "辽原村一组")
    assert rows["王帮扶"][3] == "13800000002" and rows["王帮扶"][5] is True
    assert rows["孙奶奶"][3] is None and rows["孙奶奶"][6] == "无手机"
    assert rows["周书记"][3] == "13800000011" and rows["周书记"][4:6] == (True, True)
    kinds = {o.name: o.kind for o in session.scalars(select(Org))}
    assert kinds == {"辽原村党支部": OrgKind.BRANCH, "红光村党支部": OrgKind.BRANCH,
                     "第一党小组": OrgKind.GROUP, "第二党小组": OrgKind.GROUP}


def test_reimport_changes_nothing(session, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD)
    import_roster(session.get_bind(), path)
    session.commit()
    before = snapshot(session)
    orgs_before = count(session, Org)
    report = import_roster(session.get_bind(), path)
    session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert snapshot(session) == before and count(session, Org) == orgs_before


def test_changed_row_updates_member(session, tmp_path):
    import_roster(session.get_bind(), write_csv(tmp_path / "a.csv", GOOD))
    session.commit()
    changed = [row[:] for row in GOOD]
    changed[2][5] = "行动不便"
    report = import_roster(session.get_bind(), write_csv(tmp_path / "b.csv", changed))
    session.commit()
    assert report.updated == 1 and report.created == 0
    assert {r[0]: r for r in snapshot(session)}["赵大爷"][6] == "行动不便"


def test_bad_rows_reported_by_line_and_nothing_written(session, tmp_path):
    rows = [*GOOD,
            ["", "辽原村党支部", "", "13800000099", "", "", ""],
            ["钱七", "辽原村党支部", "", "12345", "", "", ""],
            ["孔八", "辽原村党支部", "", "13800000098", "村长", "", ""],
            ["曹九", "辽原村党支部", "", "13800000097", "管理员,队长", "", ""],
            ["李书记", "辽原村党支部", "", "13800000001", "", "", ""]]
    with pytest.raises(RosterRejected) as caught:
        import_roster(session.get_bind(), write_csv(tmp_path / "bad.csv", rows))
    session.rollback()
    session.expire_all()
    lines = {p.line: p.message for p in caught.value.problems}
    assert set(lines) == {7, 8, 9, 10, 11}
    assert "姓名为空" in lines[7]
    assert "12345" in lines[8]
    assert "村长" in lines[9]
    assert "队长" in lines[10]
    assert "第 2 行" in lines[11]
    assert count(session, Member) == 0 and count(session, Org) == 0


def test_missing_required_column(session, tmp_path):
    path = write_csv(tmp_path / "h.csv", [["张三", "13800000001"]], header=["姓名", "手机"])
    with pytest.raises(RosterError, match="支部"):
        import_roster(session.get_bind(), path)


def test_header_aliases_and_unknown_columns(session, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["张三", "一支部", "13800000001", "x"]],
                     header=["姓名", "党支部", "手机号", "备注"])
    report = import_roster(session.get_bind(), path)
    assert report.created == 1 and any("备注" in w for w in report.warnings)


def test_gbk_csv(session, tmp_path):
    report = import_roster(session.get_bind(),
                           write_csv(tmp_path / "gbk.csv", GOOD, encoding="gbk"))
    assert report.created == 5


def test_xlsx(session, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append(row)
    sheet.append(["数字手机", "辽原村党支部", None, 13800000077, None, None, None])
    sheet.append([None] * 7)  # trailing blank row, as Excel leaves them
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    report = import_roster(session.get_bind(), path)
    session.commit()
    assert report.created == 6
    assert {r[0]: r for r in snapshot(session)}["数字手机"][3] == "13800000077"


def test_parent_option_places_new_branches(session, tmp_path):
    township = Org(name="红光乡党委", kind=OrgKind.COMMITTEE)
    session.add(township)
    session.commit()
    import_roster(session.get_bind(), write_csv(tmp_path / "r.csv", GOOD), parent_name="红光乡党委")
    branches = session.scalars(select(Org).where(Org.kind == OrgKind.BRANCH)).all()
    assert branches and all(b.parent_id == township.id for b in branches)
    with pytest.raises(RosterError, match="找不到"):
        import_roster(session.get_bind(), write_csv(tmp_path / "r2.csv", GOOD),
                      parent_name="不存在")


def test_cli_import_reports_and_exits_nonzero_on_errors(settings, tmp_path, monkeypatch, session):
    monkeypatch.setenv("PARTYBOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(tmp_path / "inst"))
    runner = CliRunner()
    good = write_csv(tmp_path / "good.csv", GOOD)
    result = runner.invoke(main, ["import-roster", str(good)])
    assert result.exit_code == 0, result.output
    assert "新增 5 人" in result.output
    again = runner.invoke(main, ["import-roster", str(good)])
    assert "新增 0 人" in again.output and "未变 5 人" in again.output
    bad = write_csv(tmp_path / "bad.csv", [*GOOD, ["", "x", "", "", "", "", ""]])
    result = runner.invoke(main, ["import-roster", str(bad)])
    assert result.exit_code == 1
    assert "第 7 行" in result.output and "没有写入任何数据" in result.output


def test_cli_shows_progress_on_large_files(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYBOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PARTYBOT_INSTANCE_PATH", str(tmp_path / "inst"))
    rows = [[f"党员{i}", f"支部{i % 7}", "", f"138{i:08d}", "", "", ""] for i in range(2500)]
    result = CliRunner().invoke(main, ["import-roster", str(write_csv(tmp_path / "big.csv", rows))])
    assert result.exit_code == 0, result.output
    assert "校验 2000/2500" in result.output and "写入 2000/2500" in result.output
    assert "新增 2500 人" in result.output


def test_committee_posts_and_free_help_words(session, tmp_path):
    """角色 takes committee posts (several, with 、); 需帮扶 takes free words, mapped to a
    reason and kept as written; nothing is refused (issue 12, item 10)."""
    rows = [["孔书记", "辽原村党支部", "", "13800000098", "书记、管理员", "", ""],
            ["吴委员", "辽原村党支部", "", "13800000097", "组织委员、宣传委员", "", ""],
            ["曹九", "辽原村党支部", "", "13800000096", "", "腿脚不好", ""],
            ["郝大娘", "辽原村党支部", "", None, "", "没有智能手机", ""],
            ["严大伯", "辽原村党支部", "", None, "", "不识字", ""],
            ["葛奶奶", "辽原村党支部", "", None, "", "眼睛不好", ""],
            ["苗爷爷", "辽原村党支部", "", None, "", "常年在外地女儿家", ""],
            ["田叔", "辽原村党支部", "", "13800000095", "", "否", ""],
            ["钟婶", "辽原村党支部", "", None, "", "老人机", ""]]
    import_roster(session.get_bind(), write_csv(tmp_path / "c.csv", rows))
    session.expire_all()
    found = {m.name: (m.committee_posts, m.is_admin, m.needs_help, m.needs_help_note)
             for m in session.scalars(select(Member))}
    assert found == {
        "孔书记": ("书记", True, None, None),
        "吴委员": ("组织委员、宣传委员", False, None, None),
        "曹九": (None, False, "行动不便", "腿脚不好"),
        "郝大娘": (None, False, "无手机", "没有智能手机"),
        "严大伯": (None, False, "不会用微信", "不识字"),
        "葛奶奶": (None, False, "不会用微信", "眼睛不好"),
        "苗爷爷": (None, False, "其他", "常年在外地女儿家"),
        "田叔": (None, False, None, None),
        "钟婶": (None, False, "老式手机", "老人机"),
    }
    # the same file again changes nothing
    report = import_roster(session.get_bind(), write_csv(tmp_path / "c.csv", rows))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 9)
