"""双联双促 in Chromium (issue 28, section 5): county staff read the pairs on a phone
(390 px) and keep a 联促 item; the office's secretary schedules a joint meeting with the
paired village from the meeting form on a PC (1280 px)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.console.accounts import add_console_user
from models.joint.actions import add_pair
from models.meetings.tables import Attendance, AttendanceStatus, Meeting, MeetingStatus, Method
from models.members.org_tables import Org, OrgKind
from tests.factories import make_branch, make_member
from tests.live import serving
from tests.test_browser import PASSWORD, PC, PHONE, log_in, page  # noqa: F401

MONDAY = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


@pytest.fixture
def joint_console(settings, clock) -> Iterator[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """A county with an office paired with a village, one joint 主题党日 held last week."""
    clock.set(MONDAY)
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        county = Org(name="某县委", kind=OrgKind.COMMITTEE)
        session.add(county)
        session.flush()
        east = Org(name="东乡党委", kind=OrgKind.COMMITTEE, parent_id=county.id)
        session.add(east)
        session.flush()
        village = make_branch(session, "辽原村党支部", east)
        office = make_branch(session, "财政局机关党支部", county)
        zhang = make_member(session, village, "张明", "13800000002", openid="o-zm")
        chief = make_member(session, office, "王局", "13900000001", openid="o-wj",
                            is_admin=True, committee_posts="书记")
        chen = make_member(session, office, "陈干部", "13900000002", openid="o-cg")
        add_console_user(session, "county-it", PASSWORD, county, None, clock())
        add_console_user(session, "office", PASSWORD, office, chief, clock())
        pair = add_pair(session, Actor.cli("test"), office.id, village.id,
                        clock() - timedelta(days=30))
        held = clock() - timedelta(days=7)
        meeting = Meeting(org_id=village.id, joint_org_id=office.id, kind="theme_day",
                          topic="联学联建", starts_at=held, ends_at=held + timedelta(hours=2),
                          place="村委会", status=MeetingStatus.HELD, code="4321", photos=[],
                          expected_count=4, present_count=2, closed_at=held)
        session.add(meeting)
        session.flush()
        session.add_all([Attendance(meeting_id=meeting.id, member_id=m.id,
                                    status=AttendanceStatus.PRESENT, method=Method.CODE,
                                    recorded_at=held) for m in (zhang, chen)])
        session.commit()
        pair_id, office_id = pair.id, office.id
    with serving(app) as base_url:
        yield base_url, pair_id, office_id
    services.dispose()


def test_the_pairs_on_a_phone_and_a_joint_meeting_on_a_pc(page, joint_console,  # noqa: F811
                                                          tmp_path):
    base_url, pair_id, office_id = joint_console
    log_in(page, base_url, "county-it")
    page.goto(f"{base_url}/admin/joint")
    expect(page.locator("#joint-totals")).to_contain_text("结对 1 对")
    expect(page.locator("#joint-totals")).to_contain_text("联合开展组织生活 1 次")
    expect(page.locator("#joint-totals")).to_contain_text("机关党员参加 1 人")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "joint-390.png"), full_page=True)
    page.click("#joint-list a")
    expect(page.locator("#pair-summary")).to_contain_text("财政局机关党支部 参加 1 人：陈干部")
    expect(page.locator("#pair-summary")).to_contain_text("辽原村党支部 参加 1 人：张明")
    page.fill("#item-text", "帮村里建冷库")
    page.fill("#item-owner", "王局")
    page.fill("#item-deadline", "2027-03-31")
    page.click("#item-form button.primary")
    expect(page.locator("#pair-items")).to_contain_text("帮村里建冷库")
    page.fill("#pair-items input[name=note]", "冷库已建成")
    page.click("#pair-items button")
    expect(page.locator("#pair-items")).to_contain_text("已销号")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "pair-390.png"), full_page=True)

    page.context.clear_cookies()
    page.set_viewport_size(PC)
    log_in(page, base_url, "office")
    page.goto(f"{base_url}/admin/branch/{office_id}/meetings/new")
    page.select_option("#kind", "party_lecture")
    page.fill("#day", "2026-12-09")
    page.fill("#start", "15:00")
    page.fill("#place", "村委会")
    page.fill("#topic", "机关支部进村讲党课")
    page.check("#paired-box input[name=paired]")
    page.screenshot(path=str(tmp_path / "form-1280.png"), full_page=True)
    page.click("button.primary")
    expect(page.locator("body")).to_contain_text("签到码", timeout=15_000)  # after the POST
    expect(page.locator("main")).to_contain_text("联合召开：辽原村党支部")
    page.goto(f"{base_url}/admin/joint/{pair_id}")
    expect(page.locator("#pair-sessions")).to_contain_text("财政局机关党支部")
    assert page.evaluate("document.documentElement.scrollWidth") <= PC["width"]
    page.screenshot(path=str(tmp_path / "pair-1280.png"), full_page=True)

