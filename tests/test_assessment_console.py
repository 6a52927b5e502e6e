"""The console's 党建考核 pages and their scope: a branch sees only its own sheet; a
township its branches (tree order, no rank, never another township); the county every
org, sorted by any column; 404 elsewhere. County staff upload a scheme (errors shown)
and close the year after a confirmation."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from models.actors import Actor
from models.assessment.actions import load_scheme
from models.assessment.tables import AssessmentScheme
from models.console.accounts import add_console_user
from models.console.audit import AuditEntry
from models.members.org_tables import Org
from tests.assessment_support import PASSWORD, SCHEME_FILE, YEAR, build_county, local, member
from tests.test_console_meetings import logged_in


@pytest.fixture
def year_loaded(session, clock):  # type: ignore[no-untyped-def]
    year = build_county(session)
    org = lambda key: session.get(Org, year.ids[key])  # noqa: E731
    add_console_user(session, "county-it", PASSWORD, org("county"), None, clock())
    add_console_user(session, "east-it", PASSWORD, org("east"), None, clock())
    add_console_user(session, "west-it", PASSWORD, org("west"), None, clock())
    add_console_user(session, "liaoyuan", PASSWORD, org("liaoyuan"),
                     member(session, "李书记"), clock())
    load_scheme(session, Actor.cli("tester"), SCHEME_FILE.read_text("utf-8"),
                local(YEAR, 12, 1))
    session.commit()
    return year


def _names(page: str) -> list[str]:
    return re.findall(r'/admin/assess/2025/org/\d+">([^<]+)</a>', page)


def test_a_branch_sees_only_its_own_sheet(app, year_loaded):
    ids = year_loaded.ids
    branch = logged_in(app, "liaoyuan")
    listed = branch.get(f"/admin/assess/{YEAR}")
    assert listed.status_code == 302
    assert listed.location.endswith(f"/admin/assess/{YEAR}/org/{ids['liaoyuan']}")
    page = branch.get(listed.location).get_data(as_text=True)
    assert "辽原村党支部 2025年党建考核" in page and "23/33 = 70%" in page and "合计：" in page
    for other in ("hongguang", "far", "east", "west", "office", "county"):
        assert branch.get(f"/admin/assess/{YEAR}/org/{ids[other]}").status_code == 404, other
    assert branch.get(f"/admin/assess/{YEAR}/close").status_code == 404
    scheme = branch.get("/admin/assess").get_data(as_text=True)
    assert "三会一课按规定召开" in scheme and "上传考核方案" not in scheme
    upload = branch.post("/admin/assess", data={"csrf_token": branch.token, "text": "x"})
    assert upload.status_code == 404


def test_a_township_sees_its_branches_in_tree_order_without_a_rank(app, year_loaded):
    ids = year_loaded.ids
    east = logged_in(app, "east-it")
    page = east.get(f"/admin/assess/{YEAR}?sort=total&desc=1").get_data(as_text=True)
    assert _names(page) == ["红光村党支部", "辽原村党支部"]  # siblings by name, not score
    assert "名次" not in page and "sort=" not in page
    assert "远山村党支部" not in page and "西乡党委" not in page and "县教育局" not in page
    assert east.get(f"/admin/assess/{YEAR}/org/{ids['hongguang']}").status_code == 200
    for other in ("far", "west", "office", "county"):
        assert east.get(f"/admin/assess/{YEAR}/org/{ids[other]}").status_code == 404, other
    west = logged_in(app, "west-it")
    assert _names(west.get(f"/admin/assess/{YEAR}").get_data(as_text=True)) == ["远山村党支部"]
    assert west.get(f"/admin/assess/{YEAR}/org/{ids['liaoyuan']}").status_code == 404
    assert east.get("/admin/assess/1999").status_code == 404
    assert east.get("/admin/assess/99999999999999").status_code == 404
    assert east.get(f"/admin/assess/{YEAR}/org/99999999999999").status_code == 404


def test_the_county_sorts_by_any_column(app, year_loaded):
    county = logged_in(app, "county-it")
    page = county.get(f"/admin/assess/{YEAR}").get_data(as_text=True)
    assert "名次" in page
    assert set(_names(page)) == {"东乡党委", "西乡党委", "县教育局机关党支部", "辽原村党支部",
                                 "红光村党支部", "远山村党支部"}
    by_name = _names(county.get(f"/admin/assess/{YEAR}?sort=org").get_data(as_text=True))
    assert by_name == sorted(by_name)
    page = county.get(f"/admin/assess/{YEAR}?sort=total&desc=1").get_data(as_text=True)
    totals = [float(t) for t in re.findall(r"<td><strong>([\d.]+)</strong></td>", page)]
    assert totals == sorted(totals, reverse=True) and len(totals) == 6
    item = county.get(f"/admin/assess/{YEAR}?sort=item:组织生活").status_code
    assert item == 200


def test_county_uploads_a_scheme_sees_every_error_and_closes_the_year(app, session,
                                                                      year_loaded):
    county = logged_in(app, "county-it")
    broken = SCHEME_FILE.read_text("utf-8").replace("points = 10", "points = 0", 1) \
        .replace('source = "inspection"', 'source = "visit"')
    answer = county.post("/admin/assess", data={
        "csrf_token": county.token,
        "file": (BytesIO(broken.encode("utf-8")), "scheme.toml")},
        content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "考核方案有 2 处问题" in page and "points 应大于 0" in page and "visit" in page
    renamed = SCHEME_FILE.read_text("utf-8").replace("测试县2025年度党建考核", "新方案")
    answer = county.post("/admin/assess", data={
        "csrf_token": county.token,
        "file": (BytesIO(renamed.encode("utf-8")), "scheme.toml")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    assert "已载入2025年考核方案" in county.get(answer.location).get_data(as_text=True)
    confirm = county.get(f"/admin/assess/{YEAR}/close").get_data(as_text=True)
    assert "确定关闭吗" in confirm
    closed = county.post(f"/admin/assess/{YEAR}/close", data={"csrf_token": county.token})
    assert closed.status_code == 302
    assert "6个组织的得分已固定" in county.get(closed.location).get_data(as_text=True)
    session.rollback()
    row = session.get(AssessmentScheme, YEAR)
    assert row is not None and row.name == "新方案" and row.closed_at is not None
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "assessment.close_year")).one()
    assert entry.surface == "console" and entry.actor_key.startswith("user:")
    east = logged_in(app, "east-it")
    assert east.post(f"/admin/assess/{YEAR}/close",
                     data={"csrf_token": east.token}).status_code == 404
