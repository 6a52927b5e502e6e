"""The 会议 page in Chromium (issue 26 §1, at 390x844 and 320 px): one member checks in
with one tap by location (the sandbox's JS-SDK asks the browser, which stands 130 m from
the village hall), another with the 签到码, a third asks for leave; each sees the answer
and their state on the list. Screenshots go to $PARTYBOT_SHOTS (default: tmp dir)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.meetings.actions import close_meeting
from schedules.tokens import refresh_jsapi_ticket
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox
from tests.test_browser import CHROMIUM, PHONE
from tests.test_browser_pages_bind import NARROW, fits, shots

if not CHROMIUM.exists():  # (tests.test_browser skips itself, and so this module, before)
    pytest.skip("browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

VILLAGE = {"latitude": 47.92, "longitude": 129.58}
NEAR_THE_HALL = {"latitude": 47.9215, "longitude": 129.5810}  # about 130 m away


@pytest.fixture
def meeting_pages(settings, clock):  # type: ignore[no-untyped-def]
    """The app over HTTP, its WeChat API its own /sandbox (no jsapi_ticket yet); an
    assembly opening for check-in in half an hour (with the hall's coordinates) and a
    lecture in two days."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0),
                         clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            secretary = make_member(session, branch, "李书记", "13800000001",
                                    openid="o-admin", is_admin=True)
            for name, phone, openid in (("张明", "13800000002", "o-zm"),
                                        ("刘芳", "13800000003", "o-lf"),
                                        ("王刚", "13800000004", "o-wg")):
                make_member(session, branch, name, phone, openid=openid)
            opening = make_meeting(session, branch, clock() + timedelta(minutes=30),
                                   place="辽原村村委会二楼会议室", topic="学习新修订的党章",
                                   host_id=secretary.id, **VILLAGE)
            make_meeting(session, branch, clock() + timedelta(days=2), kind="party_lecture",
                         place="村文化室", topic="乡村振兴")
            held = make_meeting(session, branch, clock() - timedelta(days=3),
                                kind="theme_day", place="村委会", topic="清扫村道")
            close_meeting(session, Actor.member(secretary.id, secretary.name), held,
                          clock() - timedelta(days=2))
            session.commit()
            app.config["CODE"] = opening.code
            app.config["OPENING"] = opening.id
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        app.config["BASE_URL"] = base_url
        yield app
    services_of(made[0]).dispose()


def _phone(browser: Browser, **context: Any) -> Iterator[Page]:
    """A fresh phone (its own cookies); fails on anything the CSP blocked."""
    opened = browser.new_context(viewport=PHONE, locale="zh-CN", **context)
    tab = opened.new_page()
    blocked: list[str] = []
    tab.on("console", lambda message: blocked.append(message.text)
           if "Content Security Policy" in message.text else None)
    try:
        yield tab
    finally:
        opened.close()
    assert not blocked, blocked


@pytest.fixture
def located(browser: Browser) -> Iterator[Page]:
    """A phone whose browser gives its position: near the village hall."""
    yield from _phone(browser, geolocation=NEAR_THE_HALL, permissions=["geolocation"])


@pytest.fixture
def second(browser: Browser) -> Iterator[Page]:
    yield from _phone(browser)


@pytest.fixture
def third(browser: Browser) -> Iterator[Page]:
    yield from _phone(browser)


def log_in(tab: Page, base_url: str, openid: str) -> None:
    """Open /m/meetings; the sandbox's authorize page asks who is opening it."""
    tab.goto(f"{base_url}/m/meetings")
    tab.fill("#sandbox_openid", openid)
    tab.click("text=以这个 openid 打开")
    expect(tab.locator("h1")).to_have_text("我的会议")
    assert tab.url.split("#")[0] == f"{base_url}/m/meetings"


def tap_targets(tab: Page) -> list[float]:
    heights: list[float] = tab.evaluate(
        "[...document.querySelectorAll('main button, main summary, main input:not([type=hidden])"
        ", nav.bottom a')].filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
    return heights


def test_location_code_and_leave_on_the_page(located, second, third, meeting_pages,
                                             tmp_path):  # type: ignore[no-untyped-def]
    base_url = meeting_pages.config["BASE_URL"]
    opening = f"#m{meeting_pages.config['OPENING']}"
    folder = shots(tmp_path)
    assert refresh_jsapi_ticket(services_of(meeting_pages)) is True  # the scheduler's job
    # 张明: one tap, where he stands
    log_in(located, base_url, "o-zm")
    card = located.locator(opening)
    expect(card).to_contain_text("还没有签到")
    expect(card.locator("button.locate")).to_be_visible()  # wx.config passed
    expect(card.locator(".location-off")).to_be_hidden()
    fits(located)
    assert min(tap_targets(located)) >= 44
    located.screenshot(path=str(folder / "meetings-390.png"), full_page=True)
    card.locator("button.locate").click()
    expect(located.locator(".flash")).to_contain_text("签到成功！支部党员大会")
    expect(located.locator(opening)).to_contain_text("已签到（位置，")
    expect(located.locator(opening).locator("button.locate")).to_have_count(0)
    fits(located)
    located.screenshot(path=str(folder / "meetings-located-390.png"), full_page=True)
    # 刘芳: the 签到码, a wrong one first
    log_in(second, base_url, "o-lf")
    code = meeting_pages.config["CODE"]
    wrong = "0000" if code != "0000" else "1111"
    second.locator(f"{opening} input[name=code]").fill(wrong)
    second.locator(f"{opening} .code-form button").click()
    expect(second.get_by_role("alert")).to_contain_text(f"没有找到签到码为 {wrong} 的会议")
    expect(second.locator(f"{opening} input[name=code]")).to_have_value(wrong)
    second.screenshot(path=str(folder / "meetings-wrong-code-390.png"), full_page=True)
    second.locator(f"{opening} input[name=code]").fill(code)
    second.locator(f"{opening} .code-form button").click()
    expect(second.locator(".flash")).to_contain_text("签到成功！支部党员大会")
    expect(second.locator(opening)).to_contain_text("已签到（签到码，")
    # 王刚, at 320 px and the largest font: leave for the lecture
    third.set_viewport_size(NARROW)
    log_in(third, base_url, "o-wg")
    third.click(".font-switch button.size-xlarge")
    expect(third.locator("html")).to_have_class("font-xlarge")
    lecture = third.locator("section.meeting").nth(1)
    expect(lecture).to_contain_text("开放签到")
    lecture.locator("summary").click()
    lecture.locator("input[name=reason]").fill("外出务工，赶不回来")
    fits(third)
    third.screenshot(path=str(folder / "meetings-leave-320.png"), full_page=True)
    lecture.locator("button.primary").click()
    expect(third.locator(".flash")).to_contain_text("请假成功：党课")
    expect(third.locator("section.meeting").nth(1)).to_contain_text(
        "已请假，原因：外出务工，赶不回来")
    fits(third)
    assert min(tap_targets(third)) >= 44
    third.screenshot(path=str(folder / "meetings-after-leave-320.png"), full_page=True)


def test_without_a_ticket_the_page_asks_for_the_code(second, meeting_pages, tmp_path):  # type: ignore[no-untyped-def]
    base_url = meeting_pages.config["BASE_URL"]
    opening = second.locator(f"#m{meeting_pages.config['OPENING']}")
    second.set_viewport_size(NARROW)
    log_in(second, base_url, "o-zm")
    expect(opening.locator(".location-off")).to_have_text("这里不能按位置签到，请填签到码签到。")
    expect(opening.locator("button.locate")).to_be_hidden()
    expect(opening.locator("input[name=code]")).to_be_visible()
    fits(second)
    second.screenshot(path=str(shots(tmp_path) / "meetings-no-ticket-320.png"), full_page=True)
