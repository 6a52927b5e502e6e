"""整顿台账 in the console: the county marks a branch and files a problem on the pages;
the township approves a 销号 with a photo and reopens it; the county confirms. Scope: a
township sees its own branches only, a branch its own page, 404 elsewhere."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from models.rectification.tables import CLOSED, OPEN, Problem, WeakBranch
from tests.rectify_support import build_county, file_problem
from tests.test_console_meetings import logged_in, png_bytes


@pytest.fixture
def ids(session, clock):  # type: ignore[no-untyped-def]
    return build_county(session, clock())


def test_county_marks_files_township_closes_county_confirms(app, session, clock, ids):
    county = logged_in(app, "county-it")
    year = clock().year
    marked = county.post("/admin/rectification/mark", data={
        "branch_id": ids["liaoyuan"], "year": str(year), "reason": "班子软弱，组织生活不正常",
        "csrf_token": county.token})
    assert marked.status_code == 302
    page = county.get(marked.location).get_data(as_text=True)
    assert "已列入软弱涣散党组织台账" in page and "班子软弱，组织生活不正常" in page
    session.rollback()
    weak = session.scalars(select(WeakBranch)).one()
    deadline = (clock() + timedelta(days=90)).date()
    filed = county.post(f"/admin/rectification/{weak.id}/problem", data={
        "category": "组织生活不规范", "description": "三会一课不按时召开",
        "measures": "制定年度计划，每月主题党日", "owner": "李书记", "leader": "王县长",
        "lead_unit": "县委组织部", "departments": "东乡党委", "deadline": deadline.isoformat(),
        "milestones": "方案:60，验收:7", "csrf_token": county.token})
    page = county.get(filed.location).get_data(as_text=True)
    assert "问题已登记" in page and "三会一课不按时召开" in page
    assert (deadline - timedelta(days=60)).isoformat() in page
    session.rollback()
    problem = session.scalars(select(Problem)).one()
    assert problem.owner_id == ids["secretary"] and problem.leader_id == ids["leader"]
    wrong = county.post(f"/admin/rectification/{weak.id}/problem", data={
        "category": "组织生活不规范", "description": "x", "measures": "y", "owner": "某人",
        "leader": "没这人", "deadline": deadline.isoformat(), "csrf_token": county.token})
    assert "找不到挂点领导「没这人」" in county.get(wrong.location).get_data(as_text=True)

    ledger = county.get(f"/admin/rectification?year={year}").get_data(as_text=True)
    assert "辽原村党支部" in ledger and "东乡党委" in ledger

    east = logged_in(app, "east-it")
    assert "辽原村党支部" in east.get("/admin/rectification").get_data(as_text=True)
    assert "列入台账" not in east.get("/admin/rectification").get_data(as_text=True)
    closed = east.post(f"/admin/rectification/problem/{problem.id}/close", data={
        "note": "已制定计划，按月召开",
        "photos": [(BytesIO(png_bytes()), "evidence.png"),
                   (BytesIO(b"%PDF-1.4\n% minutes of the meeting\n"), "plan.pdf")],
        "csrf_token": east.token}, content_type="multipart/form-data")
    page = east.get(closed.location).get_data(as_text=True)
    assert "问题已销号" in page and "已制定计划，按月召开" in page
    session.rollback()
    assert problem.status == CLOSED and problem.closed_by == "east-it"
    photo_url = f"/admin/rectification/problem/{problem.id}/photos/"
    name = page.split(photo_url, 1)[1].split('"', 1)[0]
    assert east.get(photo_url + name).status_code == 200
    assert logged_in(app, "west-it").get(photo_url + name).status_code == 404
    assert "佐证文件 2（PDF）" in page
    pdf = page.split(photo_url, 3)[3].split('"', 1)[0]
    assert pdf.endswith(".pdf")
    download = east.get(photo_url + pdf)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF-1.4")
    assert "attachment" in download.headers["Content-Disposition"]
    reopened = east.post(f"/admin/rectification/problem/{problem.id}/reopen", data={
        "reason": "计划没有落实", "csrf_token": east.token})
    assert "问题已重新打开" in east.get(reopened.location).get_data(as_text=True)
    session.rollback()
    assert problem.status == OPEN
    refused = county.post(f"/admin/rectification/{weak.id}/confirm",
                          data={"csrf_token": county.token})
    assert "还有 1 个问题没有销号" in county.get(refused.location).get_data(as_text=True)
    county.post(f"/admin/rectification/problem/{problem.id}/close", data={
        "note": "复查合格", "csrf_token": county.token})
    done = county.post(f"/admin/rectification/{weak.id}/confirm",
                       data={"csrf_token": county.token})
    assert "已确认整顿销号" in county.get(done.location).get_data(as_text=True)
    assert "已确认整顿销号" in county.get("/admin/rectification").get_data(as_text=True)


def test_scope(app, session, clock, ids):
    file_problem(session, ids, "liaoyuan", clock().year, date(clock().year, 12, 31), clock())
    problem = file_problem(session, ids, "far", clock().year, date(clock().year, 12, 31),
                           clock(), description="远山村问题")
    session.commit()
    west = logged_in(app, "west-it")
    ledger = west.get("/admin/rectification").get_data(as_text=True)
    assert "远山村党支部" in ledger and "辽原村党支部" not in ledger
    assert west.get(f"/admin/branch/{ids['liaoyuan']}/rectification").status_code == 404
    assert west.get(f"/admin/branch/{ids['far']}/rectification").status_code == 200
    branch = logged_in(app, "liaoyuan")
    mine = branch.get("/admin/rectification")
    assert mine.status_code == 302 and mine.location.endswith(
        f"/admin/branch/{ids['liaoyuan']}/rectification")
    page = branch.get(mine.location).get_data(as_text=True)
    assert "支部班子长期不全" in page and "远山村" not in page
    assert "确认销号" not in page and "登记问题" not in page  # no approving its own
    assert branch.get(f"/admin/branch/{ids['far']}/rectification").status_code == 404
    for path in (f"/admin/rectification/problem/{problem.id}/close",
                 f"/admin/rectification/problem/{problem.id}/reopen"):
        assert branch.post(path, data={"note": "x", "reason": "x",
                                       "csrf_token": branch.token}).status_code == 404
    east = logged_in(app, "east-it")
    assert east.post(f"/admin/rectification/problem/{problem.id}/close", data={
        "note": "x", "csrf_token": east.token}).status_code == 404
    session.rollback()
    assert problem.status == OPEN
    assert east.get("/admin/rectification?year=abc").status_code == 404
