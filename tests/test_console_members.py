"""A branch's members in the console: the member list exported in the roster's own
format (importing it again changes nothing), and 解绑 (the chat's release_member)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from bot.roster.importing import import_roster
from models.console.audit import AuditEntry
from models.delivery.outbox import Outbox
from models.members.tables import Member
from tests.test_console_meetings import logged_in


def test_the_exported_list_is_a_roster_that_imports_unchanged(app, session, county, tmp_path):
    secretary = logged_in(app, "liaoyuan")
    answer = secretary.get(f"/admin/branch/{county['liaoyuan']}/members.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("sheet")
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(load_workbook(BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert rows[0][:8] == ("姓名", "支部", "党小组", "手机", "角色", "需帮扶", "住址", "上级党组织")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["李书记"][4] == "书记、管理员" and by_name["张明"][2] == "第一党小组"
    assert by_name["张明"][7] == "东乡党委" and by_name["张明"][10] == "已绑定"
    path = tmp_path / "back.xlsx"
    path.write_bytes(answer.data)
    report = import_roster(session.get_bind(), path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.orgs_created == [] and report.orgs_moved == []
    assert logged_in(app, "west-it").get(
        f"/admin/branch/{county['liaoyuan']}/members.xlsx").status_code == 404


def test_unbind_from_the_branch_page(app, session, county):
    secretary = logged_in(app, "liaoyuan")
    zm = session.scalars(select(Member).where(Member.name == "张明")).one()
    page = secretary.get(f"/admin/branch/{county['liaoyuan']}").get_data(as_text=True)
    assert f"/member/{zm.id}/unbind" in page
    url = f"/admin/branch/{county['liaoyuan']}/member/{zm.id}/unbind"
    done = secretary.post(url, data={"csrf_token": secretary.token})
    assert "已解除张明原来的微信" in secretary.get(done.location).get_data(as_text=True)
    again = secretary.post(url, data={"csrf_token": secretary.token})
    assert "张明还没有绑定微信" in secretary.get(again.location).get_data(as_text=True)
    session.rollback()
    assert session.get(Member, zm.id).openid is None
    notice = session.scalars(select(Outbox).where(Outbox.openid == "o-zm")).one()
    assert "解除张明和这个微信的绑定" in notice.payload["text"]
    assert [e.action for e in session.scalars(select(AuditEntry))] == ["member.unbind"]
    # another branch's member through one's own branch, or another township: 404
    zy = session.scalars(select(Member).where(Member.name == "赵远")).one()
    assert secretary.post(f"/admin/branch/{county['liaoyuan']}/member/{zy.id}/unbind",
                          data={"csrf_token": secretary.token}).status_code == 404
    west = logged_in(app, "west-it")
    assert west.post(url, data={"csrf_token": west.token}).status_code == 404
    assert secretary.post(url).status_code == 400  # no CSRF token


def test_a_big_branch_is_listed_a_page_at_a_time_and_searched_in_the_database(
        app, session, county):
    from models.members.org_tables import Org
    from tests.factories import make_member

    branch = session.get(Org, county["liaoyuan"])
    for n in range(117):  # with the fixture's three: 120
        make_member(session, branch, f"党员{n:03d}", f"1390000{n:04d}")
    session.commit()
    browser = logged_in(app, "liaoyuan")
    first = browser.get(f"/admin/branch/{county['liaoyuan']}").get_data(as_text=True)
    assert "党员（120）" in first and "第 1 / 3 页" in first
    assert first.count("<tr><td>") == 50 and "党员000" in first and "党员060" not in first
    last = browser.get(f"/admin/branch/{county['liaoyuan']}?page=3").get_data(as_text=True)
    assert last.count("<tr><td>") == 20 and "下一页" not in last and "上一页" in last
    beyond = browser.get(f"/admin/branch/{county['liaoyuan']}?page=99").get_data(as_text=True)
    assert "第 3 / 3 页" in beyond
    by_phone = browser.get(f"/admin/branch/{county['liaoyuan']}?q=13900000042").get_data(
        as_text=True)
    assert "找到 1 人" in by_phone and "党员042" in by_phone and "翻页" not in by_phone
    wildcard = browser.get(f"/admin/branch/{county['liaoyuan']}?q=%25").get_data(as_text=True)
    assert "找到 0 人" in wildcard  # % is a character to look for, not a wildcard
    # paging keeps the search
    many = browser.get(f"/admin/branch/{county['liaoyuan']}?q=党员").get_data(as_text=True)
    assert "找到 117 人" in many and "q=%E5%85%9A%E5%91%98&amp;page=2" in many
