"""Uploading a roster in the console: the CLI's importer (all or nothing, line-numbered
errors), the progress streamed as it goes, and the account's scope — a secretary's file
names only their branch; staff create branches under their own org."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import select, update

from models.members.org_tables import Org
from models.members.tables import Member
from tests.test_console_meetings import logged_in

HEADER = "姓名,支部,党小组,手机,角色,需帮扶,住址,上级党组织\n"


def upload(browser, text: str, name: str = "名册.csv"):  # type: ignore[no-untyped-def]
    return browser.post("/admin/roster", data={
        "csrf_token": browser.token, "roster": (BytesIO(text.encode("utf-8-sig")), name)},
        content_type="multipart/form-data")


def test_staff_import_streams_progress_and_creates_branches_under_their_org(app, session,
                                                                           county):
    township = logged_in(app, "east-it")
    assert "新的支部建在「东乡党委」下" in township.get("/admin/roster").get_data(as_text=True)
    rows = "".join(f"党员{i},新村党支部,,139{i:08d},,,,\n" for i in range(2500))
    answer = upload(township, HEADER + rows)
    assert answer.status_code == 200 and answer.is_streamed
    page = answer.get_data(as_text=True)
    assert "校验 2000/2500 行…" in page and "写入 2500/2500 行…" in page
    assert "导入完成：新增 2500 人" in page and "新建组织：新村党支部" in page
    assert page.rstrip().endswith("</html>")
    session.rollback()
    branch = session.scalars(select(Org).where(Org.name == "新村党支部")).one()
    assert session.get(Org, branch.parent_id).name == "东乡党委"
    again = upload(township, HEADER + rows).get_data(as_text=True)
    assert "新增 0 人，更新 0 人，未变 2500 人" in again


def test_bad_rows_and_rows_outside_the_scope_are_listed_and_nothing_is_written(app, session,
                                                                             county):
    township = logged_in(app, "east-it")
    bad = upload(township, HEADER + "张三,辽原村党支部,,12345,,,,\n李四,远山村党支部,,,,,,\n"
                 "王五,辽原村党支部,,,,,,西乡党委\n").get_data(as_text=True)
    assert "1 行有错误，没有导入任何数据" in bad  # first the rows, then the scope
    assert "第 2 行：手机号「12345」不是有效的号码" in bad
    session.rollback()
    assert session.scalars(select(Member).where(Member.name.in_(["张三", "李四"]))).all() == []
    outside = upload(township, HEADER + "李四,远山村党支部,,,,,,\n"
                     "王五,辽原村党支部,,,,,,西乡党委\n")
    text = outside.get_data(as_text=True)
    assert "第 2 行：「远山村党支部」不在你管理的范围内" in text
    assert "第 3 行：「西乡党委」不在你管理的范围内" in text
    secretary = logged_in(app, "liaoyuan")
    other = upload(secretary, HEADER + "新人,新村党支部,,,,,,\n").get_data(as_text=True)
    assert "这里只能导入本支部（辽原村党支部）的党员" in other
    own = upload(secretary, HEADER + "新人,辽原村党支部,第一党小组,13900000001,,,,\n")
    assert "导入完成：新增 1 人" in own.get_data(as_text=True)
    wrong_type = upload(secretary, "x", name="名册.exe")
    assert wrong_type.status_code == 400 and "请选择名册文件" in wrong_type.get_data(as_text=True)
    broken = upload(secretary, "\x00\x01garbage", name="名册.xlsx").get_data(as_text=True)
    assert "文件没有导入" in broken and "没有写入任何数据" in broken
    assert app.test_client().post("/admin/roster").status_code == 400  # no CSRF token


def test_line_breaks_in_org_names_are_folded_and_the_exports_download(app, session, county):
    township = logged_in(app, "east-it")
    page = upload(township, HEADER + '新人,"新\n支部","一\t组",13900000009,,,,\n')
    assert "导入完成：新增 1 人" in page.get_data(as_text=True)
    session.rollback()
    branch = session.scalars(select(Org).where(Org.name == "新 支部")).one()
    assert session.scalars(select(Org.name).where(Org.parent_id == branch.id)).one() == "一 组"
    members = township.get(f"/admin/branch/{branch.id}/members.xlsx")
    ledger = township.get(f"/admin/export/ledger?org={branch.id}")
    assert (members.status_code, ledger.status_code) == (200, 200)


def test_an_org_name_holding_a_line_break_from_before_still_downloads(app, session, county):
    session.execute(update(Org).where(Org.id == county["liaoyuan"]).values(name="辽原村\r\n党支部"))
    session.commit()
    secretary = logged_in(app, "liaoyuan")
    members = secretary.get(f"/admin/branch/{county['liaoyuan']}/members.xlsx")
    ledger = secretary.get(f"/admin/export/ledger?org={county['liaoyuan']}")
    assert (members.status_code, ledger.status_code) == (200, 200)
    assert "\n" not in members.headers["Content-Disposition"]
