"""The township workbook shows only what happened: the 出勤表 leaves a meeting that has not
ended blank (as its legend says), the 会议记录本 has pages only for meetings held, and the
printed sign-in sheet's words match where its QR code is (issue 25.17)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from models.console.accounts import add_console_user
from models.meetings.attendance import ask_leave, check_in
from models.meetings.rules import close_meeting
from models.meetings.tables import Method
from tests.conftest import CONSOLE_PASSWORD
from tests.factories import make_branch, make_meeting, make_member, make_township

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def township(session, clock):
    clock.set(NOW)
    east = make_township(session, "东乡党委")
    branch = make_branch(session, "辽原村党支部", east)
    people = [make_member(session, branch, name, f"1380000000{i}", openid=f"o-{i}")
              for i, name in enumerate(["李书记", "张明", "刘芳"])]
    people[0].is_admin = True
    done = make_meeting(session, branch, datetime(2026, 11, 3, 1, tzinfo=UTC),
                        topic="学习党章", created=datetime(2026, 11, 1, tzinfo=UTC))
    for member in people[:2]:
        check_in(session, done, member, Method.CODE, member, done.starts_at)
    close_meeting(session, done, done.starts_at + timedelta(hours=3))
    # under way now: two have checked in, one asked leave; nobody has closed it
    going = make_meeting(session, branch, NOW - timedelta(minutes=30), kind="party_lecture",
                         topic="党课：乡村振兴", created=NOW - timedelta(days=2))
    for member in people[:2]:
        check_in(session, going, member, Method.CODE, member, NOW - timedelta(minutes=20))
    ask_leave(session, going, people[2], "看病", Method.CODE, people[2], NOW - timedelta(days=1))
    make_meeting(session, branch, NOW + timedelta(days=6), kind="committee_meeting",
                 topic="研究年底工作", created=NOW)  # arranged, next week
    add_console_user(session, "east-it", CONSOLE_PASSWORD, east, None, clock())
    add_console_user(session, "liaoyuan", CONSOLE_PASSWORD, branch, people[0], clock())
    session.commit()
    return {"east": east.id, "going": going.id}


def logged_in(app, login: str):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    page = browser.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post("/admin/login", data={"login": login, "password": CONSOLE_PASSWORD,
                                                "csrf_token": token})
    assert answer.status_code == 302
    return browser


def workbook_of(app):  # type: ignore[no-untyped-def]
    response = logged_in(app, "east-it").get("/admin/export/ledger")
    assert response.status_code == 200
    return load_workbook(BytesIO(response.get_data()))


def test_the_attendance_sheet_leaves_a_meeting_not_ended_blank(app, township):
    workbook = workbook_of(app)
    [matrix] = [workbook[name] for name in workbook.sheetnames if name.endswith("出勤表")]
    rows = [list(row) for row in matrix.iter_rows(values_only=True)]
    header = rows[1]
    legend = next(row[0] for row in rows if row and str(row[0] or "").startswith("说明"))
    assert "空白" in legend and "未结束" in legend
    lecture = next(i for i, title in enumerate(header) if title and "党课" in title)
    assert "未结束" in header[lecture]
    marks = {row[0]: row for row in rows[2:] if row and row[0] in {"李书记", "张明", "刘芳"}}
    assert [marks[name][lecture] for name in ("李书记", "张明", "刘芳")] == [None] * 3
    assert marks["张明"][-1] == 1  # times present: the meeting held, not the one under way
    assembly = next(i for i, title in enumerate(header) if title and "党员大会" in title)
    assert marks["张明"][assembly] == "✓" and "未结束" not in header[assembly]


def test_the_record_book_has_pages_only_for_meetings_held(app, township):
    workbook = workbook_of(app)
    book = workbook["会议记录本"]
    text = "\n".join(str(value) for row in book.iter_rows(values_only=True) for value in row
                     if value is not None)
    titles = re.findall(r"辽原村党支部会议记录（第\d+次）", text)
    assert titles == ["辽原村党支部会议记录（第1次）"], text
    assert "学习党章" in text
    assert "乡村振兴" not in text and "研究年底工作" not in text
    # the meetings sheet still lists them, plainly not ended
    [meetings] = [workbook[name] for name in workbook.sheetnames if name.endswith("会议记录")
                  and name != "会议记录本"]
    rows = [row for row in meetings.iter_rows(values_only=True) if row and row[2]]
    by_topic = {row[2]: row for row in rows}
    assert "未结束" in by_topic["党课：乡村振兴"] and "未结束" in by_topic["研究年底工作"]


def test_a_branch_ledger_record_book_also_leaves_them_out(session, township, tmp_path):
    from datetime import date
    from zoneinfo import ZoneInfo

    from bot.ledger.branch import export_ledger
    from models.members.org_tables import Org

    branch = session.query(Org).filter_by(name="辽原村党支部").one()
    export_ledger(session, branch, date(2026, 10, 1), date(2026, 12, 31),
                  ZoneInfo("Asia/Shanghai"), tmp_path / "l.xlsx")
    book = load_workbook(tmp_path / "l.xlsx")["会议记录本"]
    titles = [row[0] for row in book.iter_rows(values_only=True)
              if row and str(row[0] or "").startswith("辽原村党支部会议记录")]
    assert titles == ["辽原村党支部会议记录（第1次）"]


@pytest.fixture
def qr_app(api_settings, clock, township, fake):  # type: ignore[no-untyped-def]
    """The app with a (fake) WeChat API, so the sheet carries its check-in QR code."""
    from bot import create_app
    from bot.services import services_of

    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def test_the_sign_in_sheet_points_to_the_qr_code_where_it_is(qr_app, township, tmp_path,
                                                             request):
    from pathlib import Path

    from tests.live import serving

    html = logged_in(qr_app, "liaoyuan").get(
        f"/admin/meeting/{township['going']}/sheet").get_data(as_text=True)
    assert "<svg" in html and "扫一扫这个二维码签到" in html
    assert not re.search("[左右上下]边的二维码|[左右上下]面的二维码", html)
    if not Path("/usr/bin/chromium").exists():
        return
    browser = request.getfixturevalue("browser")  # conftest's one Chromium
    with serving(qr_app) as base_url:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(f"{base_url}/admin/login")
        page.fill("#login", "liaoyuan")
        page.fill("#password", CONSOLE_PASSWORD)
        page.click("button.primary")
        page.goto(f"{base_url}/admin/meeting/{township['going']}/sheet")

        def boxes() -> tuple[dict, dict]:
            return (page.locator(".checkin svg").bounding_box(),
                    page.locator(".checkin .caption").bounding_box())

        qr, words = boxes()  # a phone: the code above the words
        assert qr["y"] + qr["height"] <= words["y"] + 1
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.emulate_media(media="print")
        qr, words = boxes()  # on paper: beside them, the names fit below
        assert qr["x"] + qr["width"] <= words["x"] + 1
        page.pdf(path=str(tmp_path / "sheet.pdf"), format="A4")
        page.close()
