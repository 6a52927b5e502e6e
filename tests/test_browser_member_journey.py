"""One member's whole morning on the member pages, in Chromium at 390x844 (issue 26,
"Done when"): a stranger binds on the page, reads an item with its photos at 特大, taps
已学, sends a 心得 photo, checks in by location (the sandbox's JS-SDK asks the browser,
which stands by the village hall), asks leave for the next meeting — and then sees all of
it on 我的, each line saying who acted. Then at 320 px the same 我的 still fits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import create_app
from bot.services import services_of
from schedules.tokens import refresh_jsapi_ticket
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser import CHROMIUM, PHONE
from tests.test_browser_pages_bind import NARROW, fits, shots
from tests.test_pages_study import picture, post_item

if not CHROMIUM.exists():  # (tests.test_browser skips itself, and so this module, before)
    pytest.skip("browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

from tests.browser_support import wait_until

HALL = {"latitude": 47.92, "longitude": 129.58}
BY_THE_HALL = {"latitude": 47.9212, "longitude": 129.5806}  # about 100 m away


@pytest.fixture
def village(settings, clock):  # type: ignore[no-untyped-def]
    """The app over HTTP with its WeChat API at its own /sandbox: 刘芳 is on the roster
    but not bound; an item with two kept photos; an assembly opening for check-in in
    half an hour at the hall, a lecture in two days."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001",
                                    openid="o-admin", is_admin=True)
            make_member(session, branch, "刘芳", "13800000003")
            item = post_item(session, branch.id, "学习新修订的党章总纲",
                             clock() - timedelta(minutes=20),
                             body="党的基层组织是党在社会基层组织中的战斗堡垒。",
                             photos=(picture("darkred"), picture("navy", (900, 1200))),
                             root=settings.instance_path)
            assembly = make_meeting(session, branch, clock() + timedelta(minutes=30),
                                    place="村委会二楼会议室", topic="学习党章",
                                    host_id=secretary.id, **HALL)
            lecture = make_meeting(session, branch, clock() + timedelta(days=2),
                                   kind="party_lecture", place="村文化室", topic="乡村振兴")
            session.commit()
            app.config.update(ITEM=item.id, ASSEMBLY=assembly.id, LECTURE=lecture.id)
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """Her phone, standing by the hall; fails on anything the CSP blocked."""
    opened = browser.new_context(viewport=PHONE, locale="zh-CN", geolocation=BY_THE_HALL,
                                 permissions=["geolocation"])
    tab = opened.new_page()
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    try:
        yield tab
    finally:
        opened.close()
    assert not blocked, blocked


def test_a_stranger_binds_reads_checks_in_asks_leave_and_sees_it_all_on_my_page(
        phone, village, tmp_path):  # type: ignore[no-untyped-def]
    base_url, config = village.config["BASE_URL"], village.config
    folder = shots(tmp_path)
    assert refresh_jsapi_ticket(services_of(village)) is True  # the scheduler's job
    # a stranger opens the pages: WeChat (the sandbox) says who, the page asks her to bind
    phone.goto(f"{base_url}/m/study/{config['ITEM']}")
    phone.fill("#sandbox_openid", "o-liufang")
    phone.click("text=以这个 openid 打开")
    expect(phone.locator("h1")).to_have_text("绑定党员身份")
    phone.fill("#name", "刘芳")
    phone.fill("#phone", "0003")
    phone.click("button.primary")
    expect(phone.locator(".flash")).to_contain_text("绑定成功！刘芳")
    # back on the item she first opened: 特大, the photos in line, 已学, a 心得 photo
    expect(phone.locator("h1")).to_have_text("学习新修订的党章总纲")
    phone.click(".font-switch button.size-xlarge")
    expect(phone.locator("html")).to_have_class("font-xlarge")
    wait_until(phone, "[...document.querySelectorAll('#article img')]"
                            ".every(i => i.complete && i.naturalWidth > 0)")
    expect(phone.locator("#article figure.photo img")).to_have_count(2)
    phone.click("#mark-studied")
    expect(phone.locator("#studied")).to_contain_text("已学")
    photo = tmp_path / "IMG_0930.png"
    photo.write_bytes(picture("olive", (1200, 900)))
    phone.set_input_files("#photo", str(photo))
    phone.click("#send-feedback")
    expect(phone.locator(".flash")).to_contain_text("心得收到了")
    fits(phone)
    phone.screenshot(path=str(folder / "journey-study-390.png"), full_page=True)
    # 会议: one tap where she stands, then leave for the lecture
    phone.click("nav.bottom >> text=会议")
    assembly = phone.locator(f"#m{config['ASSEMBLY']}")
    expect(assembly.locator("button.locate")).to_be_visible()  # wx.config passed
    assembly.locator("button.locate").click()
    expect(phone.locator(".flash")).to_contain_text("签到成功！支部党员大会")
    lecture = phone.locator(f"#m{config['LECTURE']}")
    lecture.locator("summary").click()
    lecture.locator("input[name=reason]").fill("去县医院复查")
    lecture.locator("button.primary").click()
    expect(phone.locator(".flash")).to_contain_text("请假成功：党课")
    fits(phone)
    # 我的: all of it, each line saying who acted
    phone.click("nav.bottom >> text=我的")
    mine = phone.locator("main")
    expect(mine).to_contain_text("学习新修订的党章总纲")
    expect(mine).to_contain_text("已学 · 本人")
    expect(mine).to_contain_text("出席 · 本人定位签到")
    expect(mine).to_contain_text("请假（去县医院复查） · 本人")
    fits(phone)
    phone.screenshot(path=str(folder / "journey-me-390.png"), full_page=True)
    phone.set_viewport_size(NARROW)
    fits(phone)
    phone.screenshot(path=str(folder / "journey-me-320.png"), full_page=True)
