"""A stranger opens the member pages in the sandbox (Chromium at 390x844 and at 320 px):
the fake web authorization asks who is opening the link, the binding page binds them,
home shows the next meeting and today's study item, and 特大 stays after a reload.
Screenshots go to $PARTYBOT_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide
from tests import test_browser
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect

NARROW = {"width": 320, "height": 640}


@pytest.fixture
def member_pages(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at its own /sandbox; 刘芳 is on the roster, unbound."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001",
                                    openid="o-admin", is_admin=True)
            make_member(session, branch, "刘芳", "13800000003")
            make_meeting(session, branch, clock() + timedelta(days=1, hours=3),
                         place="辽原村村委会二楼会议室", topic="学习新修订的党章",
                         host_id=secretary.id)
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("PARTYBOT_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits(tab) -> None:  # type: ignore[no-untyped-def]
    """Nothing pushes the page sideways."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], width


def test_a_stranger_binds_on_the_page_and_keeps_the_largest_font(
        page, member_pages, clock, tmp_path):  # type: ignore[no-untyped-def]
    base_url = member_pages.config["BASE_URL"]
    folder = shots(tmp_path)
    chat = Chat(member_pages.test_client(), WeChatSide(TOKEN), clock)
    assert "已发布" in chat.say("o-admin", "发布 学习党章第一章\n请各位党员认真学习。")
    page.goto(f"{base_url}/m/")
    # the sandbox's authorize page: who is opening the link (WeChat would know)
    expect(page.locator("h1")).to_contain_text("沙盒")
    page.fill("#sandbox_openid", "o-new-phone")
    page.click("text=以这个 openid 打开")
    expect(page.locator("h1")).to_have_text("绑定党员身份")
    assert page.url.startswith(f"{base_url}/m/bind")
    expect(page.locator("nav.bottom")).to_have_count(0)
    fits(page)
    page.screenshot(path=str(folder / "bind-390.png"), full_page=True)
    page.fill("#name", "刘芳")
    page.fill("#phone", "1234")
    page.click("button.primary")
    expect(page.get_by_role("alert")).to_contain_text("还可以试4次")
    expect(page.locator("#name")).to_have_value("刘芳")  # what was typed is kept
    page.screenshot(path=str(folder / "bind-wrong-390.png"), full_page=True)
    page.fill("#phone", "0003")
    page.click("button.primary")
    expect(page.locator(".flash")).to_contain_text("绑定成功！刘芳")
    assert page.url == f"{base_url}/m/"
    expect(page.locator("#meeting")).to_contain_text("辽原村村委会二楼会议室")
    expect(page.locator("#meeting")).to_contain_text("李书记")
    expect(page.locator("#study a.item")).to_contain_text("学习党章第一章")
    expect(page.locator("nav.bottom a.active")).to_have_text("首页")
    fits(page)
    page.screenshot(path=str(folder / "home-390.png"), full_page=True)
    # the font switch: 特大, remembered after a reload
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click(".font-switch button.size-xlarge")
    expect(page.locator("html")).to_have_class("font-xlarge")
    page.reload()
    expect(page.locator("html")).to_have_class("font-xlarge")
    bigger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert bigger > size * 1.3
    expect(page.locator(".font-switch button.size-xlarge")).to_have_attribute(
        "aria-pressed", "true")
    fits(page)
    page.screenshot(path=str(folder / "home-xlarge-390.png"), full_page=True)
    # every tap target is at least 44 px high
    heights = page.evaluate(
        "[...document.querySelectorAll('nav.bottom a, .font-switch button, a.more')]"
        ".map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights
    # at 320 px, the largest font still fits
    page.set_viewport_size(NARROW)
    page.reload()
    fits(page)
    page.screenshot(path=str(folder / "home-xlarge-320.png"), full_page=True)
    page.click(".font-switch button.size-standard")
    expect(page.locator("html")).to_have_class("font-standard")
    fits(page)
    page.screenshot(path=str(folder / "home-320.png"), full_page=True)
