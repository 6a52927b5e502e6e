"""The sandbox's stand-in for WeChat's JS-SDK in Chromium (issue 26, §4): wx.config is
checked against the stored jsapi_ticket and the page's own address; wx.getLocation answers
from the browser's position, or from a typed one when the browser gives none."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot import create_app
from bot.services import services_of
from schedules.tokens import refresh_jsapi_ticket
from tests.live import serving_own_sandbox
from tests.test_browser import CHROMIUM, PHONE

if not CHROMIUM.exists():  # (tests.test_browser skips itself, and so this module, before)
    pytest.skip("browser tests need Debian's chromium", allow_module_level=True)

from playwright.sync_api import Page, expect

VILLAGE = {"latitude": 47.92, "longitude": 129.58}


@pytest.fixture
def sandbox(settings, clock) -> Iterator[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    """The app over HTTP, its WeChat API its own /sandbox; no ticket yet."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=2.0),
                         clock=clock)
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        yield base_url, services_of(app)
    services_of(made[0]).dispose()


def _page(browser, **context: Any) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    opened = browser.new_context(viewport=PHONE, locale="zh-CN", **context)
    try:
        yield opened.new_page()
    finally:
        opened.close()


@pytest.fixture
def located(browser) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A phone whose browser gives its position (at the village)."""
    yield from _page(browser, geolocation=VILLAGE, permissions=["geolocation"])


@pytest.fixture
def unlocated(browser) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A phone whose browser refuses to give its position."""
    yield from _page(browser, permissions=[])


def test_get_location_answers_from_the_browsers_position(located, sandbox, tmp_path):  # type: ignore[no-untyped-def]
    base_url, services = sandbox
    located.goto(f"{base_url}/sandbox/jssdk/try")
    expect(located.locator("#status")).to_contain_text("还没有 jsapi_ticket")
    expect(located.locator("#locate")).to_be_hidden()
    assert refresh_jsapi_ticket(services) is True  # the scheduler's job
    located.goto(f"{base_url}/sandbox/jssdk/try?from=%E5%BC%A0%E6%98%8E&a=b+c")
    expect(located.locator("#status")).to_have_text("wx.config 验证通过")
    located.click("#locate")
    expect(located.locator("#result")).to_contain_text('"errMsg":"getLocation:ok"')
    answer = located.evaluate("JSON.parse(document.getElementById('result').textContent)")
    assert (answer["latitude"], answer["longitude"]) == (47.92, 129.58)
    located.screenshot(path=str(tmp_path / "jssdk-try-390.png"), full_page=True)


def test_a_wrong_signature_fails_as_wechat_says(located, sandbox):  # type: ignore[no-untyped-def]
    base_url, services = sandbox
    refresh_jsapi_ticket(services)
    located.goto(f"{base_url}/sandbox/jssdk/try?broken=1")
    expect(located.locator("#status")).to_have_text("config:invalid signature")
    expect(located.locator("#locate")).to_be_hidden()
    denied = located.evaluate("""() => new Promise(done => wx.getLocation({
        type: 'gcj02', success: done, fail: done, cancel: done}))""")
    assert denied == {"errMsg": "getLocation:permission denied"}


def test_with_the_position_denied_a_typed_one_answers(unlocated, sandbox, tmp_path):  # type: ignore[no-untyped-def]
    base_url, services = sandbox
    refresh_jsapi_ticket(services)
    page = unlocated
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{base_url}/sandbox/jssdk/try")
    expect(page.locator("#status")).to_have_text("wx.config 验证通过")
    page.click("#locate")
    box = page.get_by_role("dialog")
    expect(box).to_contain_text("模拟定位")
    page.fill("#wx-stub-latitude", "95")
    page.fill("#wx-stub-longitude", "129.58")
    page.click("#wx-stub-ok")
    expect(page.locator("#wx-stub-note")).to_contain_text("有效的纬度")
    page.screenshot(path=str(tmp_path / "jssdk-box-320.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.fill("#wx-stub-latitude", "47.9213")
    page.click("#wx-stub-ok")
    expect(box).to_have_count(0)
    answer = page.evaluate("JSON.parse(document.getElementById('result').textContent)")
    assert answer == {"latitude": 47.9213, "longitude": 129.58, "speed": 0, "accuracy": 0,
                      "errMsg": "getLocation:ok"}
    page.click("#locate")
    page.click("#wx-stub-cancel")
    expect(page.locator("#result")).to_have_text('{"errMsg":"getLocation:cancel"}')
