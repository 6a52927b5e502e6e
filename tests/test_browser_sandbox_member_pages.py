"""The sandbox chat page opens "这位成员的页面" (issue 26 §4): a new tab that goes through
the member pages' real login (the fake web authorization with that member picked, the
callback, the code exchanged) and lands on /m/ as the member chatting; a menu's VIEW
button opens its page the same way. Chromium at 390x844 and 320 px; screenshots go to
$PARTYBOT_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import create_app
from bot.menu import publish_menus
from bot.services import services_of
from schedules.menu_tags import sync_menu_tags
from tests import test_browser
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser_pages_bind import NARROW, fits, shots

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect


@pytest.fixture
def sandbox(settings, clock):  # type: ignore[no-untyped-def]
    """The app with its WeChat API at its own /sandbox; 张明 and 刘芳 are bound, and the
    menus are published with VIEW buttons to this server's pages."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001",
                                    openid="o-admin", is_admin=True)
            make_member(session, branch, "张明", "13800000003", openid="o-zm")
            make_member(session, branch, "刘芳", "13800000004", openid="o-lf")
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


def test_the_chat_page_opens_this_members_pages_logged_in(page, sandbox, tmp_path):
    base_url = sandbox.config["BASE_URL"]
    folder = shots(tmp_path)
    page.goto(f"{base_url}/sandbox/")
    page.fill("#openid", "o-zm")
    page.press("#openid", "Tab")  # change: the link follows who is chatting
    link = page.get_by_role("link", name="这位成员的页面")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "member-pages?openid=o-zm")
    page.screenshot(path=str(folder / "sandbox-chat-link-390.png"))
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("header .who")).to_contain_text("张明 · 辽原村党支部")
    assert tab.url.split("#")[0] == f"{base_url}/m/"  # (WeChat's #wechat_redirect stays)
    expect(tab.locator("#meeting")).to_contain_text("辽原村村委会二楼会议室")
    fits(tab)
    tab.screenshot(path=str(folder / "sandbox-member-home-390.png"), full_page=True)
    tab.set_viewport_size(NARROW)
    tab.reload()
    fits(tab)
    tab.screenshot(path=str(folder / "sandbox-member-home-320.png"), full_page=True)
    # another member from the same chat page: the pages now show her, not him
    page.fill("#openid", "o-lf")
    page.press("#openid", "Tab")
    with page.context.expect_page() as second:
        page.get_by_role("link", name="这位成员的页面").click()
    her = second.value
    her.wait_for_load_state()
    expect(her.locator("header .who")).to_contain_text("刘芳")
    tab.reload()  # the same browser: one login to the pages at a time
    expect(tab.locator("header .who")).to_contain_text("刘芳")


def test_a_view_button_in_the_sandbox_menu_opens_its_page(page, sandbox, tmp_path):
    base_url = sandbox.config["BASE_URL"]
    services = services_of(sandbox)
    with services.sessions() as session:
        publish_menus(services.wechat, session, base_url)
        session.commit()
    assert sync_menu_tags(services).tagged == 3
    page.goto(f"{base_url}/sandbox/")
    page.fill("#openid", "o-admin")
    page.press("#openid", "Tab")
    expect(page.locator("#menuname")).to_contain_text("支部管理员")
    page.click("#menu button.top >> nth=0")  # ≡ 学习
    page.screenshot(path=str(shots(tmp_path) / "sandbox-menu-390.png"))
    with page.context.expect_page() as opened:
        page.click("#menu .subs.open button >> text=学习内容")  # a VIEW button
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.split("#")[0] == f"{base_url}/m/study"  # the study list (its own helper)
    tab.goto(f"{base_url}/m/")  # logged in on the way: as the admin chatting
    expect(tab.locator("header .who")).to_contain_text("李书记")
    # a click button still talks to the chat
    page.click("#menu button.top >> nth=0")
    page.click("#menu .subs.open button >> text=谁还没学")
    expect(page.locator("#log .msg.me").last).to_contain_text("谁还没学")


def test_the_member_pages_route_refuses_no_openid(client):
    answer = client.get("/sandbox/member-pages?openid=")
    assert answer.status_code == 400
    assert "openid" in answer.get_json()["error"]
