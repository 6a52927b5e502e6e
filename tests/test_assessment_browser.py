"""党建考核 in Chromium at 390 px and 1280 px: the county's score list, a branch's sheet
(no column or button off-screen on a phone) and the close-the-year confirmation."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.assessment.actions import load_scheme
from models.console.accounts import add_console_user
from models.members.org_tables import Org
from tests import test_browser
from tests.assessment_support import PASSWORD, SCHEME_FILE, YEAR, build_county, local, member
from tests.live import serving

expect = test_browser.expect


@pytest.fixture
def served(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        year = build_county(session)
        add_console_user(session, "county-it", PASSWORD, session.get(Org, year.ids["county"]),
                         None, clock())
        add_console_user(session, "liaoyuan", PASSWORD, session.get(Org, year.ids["liaoyuan"]),
                         member(session, "李书记"), clock())
        load_scheme(session, Actor.cli("tester"), SCHEME_FILE.read_text("utf-8"),
                    local(YEAR, 12, 1))
        session.commit()
    with serving(app) as base_url:
        yield base_url, year.ids
    services.dispose()


@pytest.mark.parametrize("viewport", [test_browser.PHONE, test_browser.PC],
                         ids=["390px", "1280px"])
def test_score_sheets_at_phone_and_desktop_width(browser, served, viewport, tmp_path):
    base_url, _ = served
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        test_browser.log_in(page, base_url, "county-it")
        page.goto(f"{base_url}/admin/assess/{YEAR}?sort=total&desc=1")
        expect(page.locator("h1")).to_contain_text("2025年党建考核得分")
        expect(page.locator("table.scores")).to_contain_text("辽原村党支部")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(tmp_path / f"year-{viewport['width']}.png"), full_page=True)
        page.get_by_role("link", name="辽原村党支部").click()
        expect(page.locator("main")).to_contain_text("23/33 = 70%")
        expect(page.locator("main")).to_contain_text("合计：")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(tmp_path / f"sheet-{viewport['width']}.png"), full_page=True)
        page.goto(f"{base_url}/admin/assess/{YEAR}/close")
        button = page.get_by_role("button", name="确定关闭")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"]
        button.click()
        expect(page.locator("main")).to_contain_text("个组织的得分已固定")
        expect(page.locator("main")).to_contain_text("已关闭，得分已固定")
        # a branch secretary: straight to the own sheet, no list, no rank
        page.context.clear_cookies()
        test_browser.log_in(page, base_url, "liaoyuan")
        page.goto(f"{base_url}/admin/assess/{YEAR}")
        expect(page.locator("h1")).to_contain_text("辽原村党支部 2025年党建考核")
        expect(page.locator("main")).not_to_contain_text("名次")
        page.screenshot(path=str(tmp_path / f"branch-{viewport['width']}.png"), full_page=True)
        assert not blocked, blocked
    finally:
        context.close()
