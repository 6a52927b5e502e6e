"""整顿台账 in Chromium: the county files a problem on a phone (390 px) and reads the
ledger; the township approves its 销号 on a PC (1280 px). Nothing runs off the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import create_app
from bot.services import services_of
from tests import test_browser
from tests.live import serving
from tests.rectify_support import build_county, file_problem

page = test_browser.page  # (it skips itself when Debian's chromium is missing)
expect = test_browser.expect


@pytest.fixture
def live_county(settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    services = services_of(app)
    with services.sessions() as session:
        ids = build_county(session, clock())
        due = (clock() + timedelta(days=120)).date()
        file_problem(session, ids, "liaoyuan", clock().year, due, clock(),
                     description="党员管理松散，流动党员长期失联")
        session.commit()
    with serving(app) as base_url:
        yield base_url, ids
    services.dispose()


def _fits(tab, width: int) -> None:  # type: ignore[no-untyped-def]
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


def test_county_on_a_phone_township_on_a_pc(page, browser, live_county, tmp_path, clock):
    base_url, ids = live_county
    test_browser.log_in(page, base_url, "county-it")
    page.get_by_role("link", name="整顿台账").click()
    expect(page.locator("#ledger")).to_contain_text("辽原村党支部")
    _fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "ledger-phone.png"), full_page=True)
    page.locator("#ledger a", has_text="辽原村党支部").click()
    page.locator("summary", has_text="登记问题").click()
    due = (clock() + timedelta(days=100)).date()
    page.select_option("select[name=category]", "阵地建设薄弱")
    page.locator("textarea[name=description]").fill("活动室漏雨，无法开会")
    page.locator("textarea[name=measures]").fill("维修屋顶，添置桌椅")
    page.locator("input[name=owner]").fill("李书记")
    page.locator("input[name=leader]").fill("王县长")
    page.locator("input[name=deadline]").fill(due.isoformat())
    page.get_by_role("button", name="登记").click()
    expect(page.locator("main")).to_contain_text("问题已登记")
    expect(page.locator("main")).to_contain_text("活动室漏雨，无法开会")
    _fits(page, test_browser.PHONE["width"])
    page.screenshot(path=str(tmp_path / "branch-phone.png"), full_page=True)

    context = browser.new_context(viewport=test_browser.PC, locale="zh-CN")
    pc = context.new_page()
    try:
        test_browser.log_in(pc, base_url, "east-it")
        pc.goto(f"{base_url}/admin/rectification")
        expect(pc.locator("#ledger")).to_contain_text("辽原村党支部")
        pc.goto(f"{base_url}/admin/branch/{ids['liaoyuan']}/rectification")
        problem = pc.locator(".problem", has_text="活动室漏雨")
        problem.locator("summary", has_text="销号").click()
        problem.locator("textarea[name=note]").fill("屋顶已修好，桌椅到位")
        problem.get_by_role("button", name="确认销号").click()
        expect(pc.locator("main")).to_contain_text("问题已销号")
        expect(pc.locator(".problem", has_text="活动室漏雨")).to_contain_text("已销号")
        _fits(pc, test_browser.PC["width"])
        pc.screenshot(path=str(tmp_path / "branch-pc.png"), full_page=True)
        pc.screenshot(path="/tmp/h25-branch-pc.png", full_page=True)
    finally:
        context.close()
    page.goto(f"{base_url}/admin/rectification")
    row = page.locator("#ledger tr", has_text="辽原村党支部")
    expect(row).to_contain_text("2")
    page.screenshot(path="/tmp/h25-ledger-phone.png", full_page=True)
    page.goto(f"{base_url}/admin/branch/{ids['liaoyuan']}/rectification")
    page.screenshot(path="/tmp/h25-branch-phone.png", full_page=True)
