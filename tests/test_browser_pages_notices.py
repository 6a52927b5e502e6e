"""通知设置 end to end in Chromium at 390x844 and 320 px (issue 26, "Done when": a
subscription is accepted and the next reminder goes as 订阅通知).

王大爷 is bound but no longer follows the account, so no category template reaches him
(as tests/test_subscriptions_sandbox.py arranges it). He opens /m/notices in the sandbox,
taps WeChat's open tag (the stub JS-SDK draws it and its 允许 / 取消 popup), allows; the
webhook records the acceptance and the page, reading itself again, shows 已订阅. A meeting
is then due: the reminder job and the delivery loop send the reminder through
message/subscribe/bizsend, and the page shows the credit spent. Screenshots go to
$PARTYBOT_SHOTS (default /tmp/h10-shots)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import create_app
from bot.sandbox.fake_http import STATE_KEY
from bot.services import services_of
from models.delivery.outbox import Channel, Outbox
from models.members.tables import Member
from schedules.delivery_loop import DeliveryWorker
from schedules.meetings import send_reminders
from schedules.tokens import refresh_jsapi_ticket
from tests import test_browser
from tests.browser_support import wait_until
from tests.factories import make_branch, make_meeting, make_member, make_township
from tests.live import serving_own_sandbox

page = test_browser.page  # Chromium at 390x844; fails on anything the CSP blocked
expect = test_browser.expect

MEETING = "sandbox-sub-meeting_reminder"
STUDY = "sandbox-sub-study_push"


@pytest.fixture
def sandbox(settings, clock) -> Iterator[tuple[Any, str]]:  # type: ignore[no-untyped-def]
    """The app over HTTP, its WeChat API its own /sandbox; 王大爷 bound, not following."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0,
                                                 send_rate=1000.0), clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                        is_admin=True)
            wang = make_member(session, branch, "王大爷", "13800000009", openid="o-wang")
            wang.subscribed = False
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        yield app, base_url
    services_of(made[0]).dispose()


def shots() -> Path:
    folder = Path(os.environ.get("PARTYBOT_SHOTS") or "/tmp/h10-shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits(tab) -> None:  # type: ignore[no-untyped-def]
    """Nothing pushes the page sideways."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], width


def log_in(tab, base: str, openid: str = "o-wang") -> None:  # type: ignore[no-untyped-def]
    """Open /m/notices; the sandbox's authorize page asks who is opening it."""
    tab.goto(f"{base}/m/notices")
    tab.fill("#sandbox_openid", openid)
    tab.click("text=以这个 openid 打开")
    expect(tab.locator("h1")).to_have_text("通知设置")


def state(tab, template_id: str):  # type: ignore[no-untyped-def]
    return tab.locator(f'#notice-list li[data-template="{template_id}"] .state')


def reminder_is_due_and_delivered(app, clock) -> list[Outbox]:  # type: ignore[no-untyped-def]
    """A meeting tomorrow morning: the reminder job, then the delivery loop."""
    services = services_of(app)
    with services.sessions() as session:
        wang = session.scalar(select(Member).where(Member.openid == "o-wang"))
        make_meeting(session, wang.branch, clock() + timedelta(hours=20),
                     place="辽原村村委会", topic="学习党章", created=clock())
        session.commit()
    assert send_reminders(services) >= 1
    worker = DeliveryWorker(services, services.wechat, owner="h10-test", batch_size=10)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    with services.sessions() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


@pytest.mark.parametrize("width", [390, 320])
def test_a_subscription_is_accepted_and_the_next_reminder_goes_as_subscription(
        page, sandbox, clock, width):  # type: ignore[no-untyped-def]
    app, base = sandbox
    folder = shots()
    page.set_viewport_size({"width": width, "height": 844})
    assert refresh_jsapi_ticket(services_of(app)) is True  # the scheduler's job
    log_in(page, base)
    expect(state(page, MEETING)).to_have_text("未订阅")
    # the stub drew WeChat's button from the tag's template (wx.config listed the tag)
    button = page.locator("#subscribe-btn button.btn")
    expect(button).to_have_text("订阅这些通知")
    expect(page.locator("#no-tag")).to_be_hidden()
    height = button.evaluate("b => b.getBoundingClientRect().height")
    assert height >= 44, height
    fits(page)
    page.screenshot(path=str(folder / f"notices-{width}.png"), full_page=True)
    button.click()
    sheet = page.get_by_role("dialog")
    expect(sheet).to_contain_text("会议提醒")
    expect(sheet).to_contain_text("学习提醒")
    fits(page)
    page.screenshot(path=str(folder / f"notices-popup-{width}.png"), full_page=True)
    sheet.locator(f'input[data-template="{STUDY}"]').uncheck()  # not this one
    page.evaluate("""() => document.getElementById('subscribe-btn').addEventListener(
        'success', e => { window.subscribed = e.detail; }, {once: true})""")
    page.click("#wx-stub-allow")
    detail = wait_until(page, "() => window.subscribed")
    assert detail["errMsg"] == "subscribe:ok"
    chosen = {k: json.loads(v) for k, v in json.loads(detail["subscribeDetails"]).items()}
    assert chosen[MEETING] == {"status": "accept"} and chosen[STUDY] == {"status": "reject"}
    # the page reads itself again: the webhook's record, not the tag's report
    expect(state(page, MEETING)).to_have_text("已订阅，还可收到 1 条", timeout=10_000)
    expect(state(page, STUDY)).to_have_text("已拒绝")
    expect(page.locator("#subscribe-status")).to_have_text("订阅状态已更新。")
    fits(page)
    page.screenshot(path=str(folder / f"notices-subscribed-{width}.png"), full_page=True)
    # the reminder is due: it goes as 订阅通知, through message/subscribe/bizsend
    rows = reminder_is_due_and_delivered(app, clock)
    reminders = [r for r in rows if r.openid == "o-wang"]
    assert [(r.kind, r.channel, r.status) for r in reminders] == [
        ("meeting_reminder", Channel.SUBSCRIBE, "sent")]
    sent = app.extensions[STATE_KEY].messages_for("o-wang")
    assert [(m.channel, m.body["template_id"]) for m in sent] == [("subscribe", MEETING)]
    assert "学习党章" in json.dumps(sent[0].body, ensure_ascii=False)
    page.reload()
    expect(state(page, MEETING)).to_have_text("订阅的通知已收到，要再收请再订阅")
    expect(state(page, "sandbox-sub-meeting_notice")).to_have_text("已订阅，还可收到 1 条")
    fits(page)
    page.screenshot(path=str(folder / f"notices-spent-{width}.png"), full_page=True)
    # 取消 in the popup: WeChat reports reject for each, and the page says so
    page.click("#subscribe-btn button.btn")
    page.click("#wx-stub-deny")
    expect(page.locator("#subscribe-status")).to_have_text("你没有订阅这些通知。")
    expect(state(page, "sandbox-sub-meeting_notice")).to_have_text("已拒绝", timeout=10_000)


def test_without_the_tag_in_open_tag_list_the_stub_draws_nothing(page, sandbox):  # type: ignore[no-untyped-def]
    app, base = sandbox
    refresh_jsapi_ticket(services_of(app))

    def without_open_tags(route):  # type: ignore[no-untyped-def]
        response = route.fetch()
        body = re.sub(r', "openTagList": \[[^\]]*\]', "", response.text())
        route.fulfill(response=response, body=body)

    log_in(page, base)
    expect(page.locator("#subscribe-btn button.btn")).to_be_visible()
    page.route(re.compile(r".*/m/notices$"), without_open_tags)
    page.reload()
    expect(state(page, MEETING)).to_have_text("未订阅")
    wait_until(page, "() => document.getElementById('wx-config') && window.wx")
    page.wait_for_timeout(500)  # (wx.config answered meanwhile)
    expect(page.locator("#subscribe-btn button.btn")).to_have_count(0)


def test_a_refused_config_shows_the_fallback_line(page, sandbox, tmp_path):  # type: ignore[no-untyped-def]
    app, base = sandbox
    refresh_jsapi_ticket(services_of(app))

    def badly_signed(route):  # type: ignore[no-untyped-def]
        response = route.fetch()
        body = re.sub(r'"signature": "[0-9a-f]+"', '"signature": "0000"', response.text())
        route.fulfill(response=response, body=body)

    log_in(page, base)
    page.route(re.compile(r".*/m/notices$"), badly_signed)
    page.reload()
    expect(page.locator("#no-tag")).to_be_visible()
    expect(page.locator("#no-tag")).to_contain_text("给公众号发任意一条消息")
    expect(page.locator("#subscribe-btn button.btn")).to_have_count(0)
    page.set_viewport_size({"width": 320, "height": 640})
    fits(page)
    page.screenshot(path=str(shots() / "notices-fallback-320.png"), full_page=True)


def test_an_old_wechat_gets_the_fallback_line_at_the_largest_font(browser, sandbox):  # type: ignore[no-untyped-def]
    app, base = sandbox
    refresh_jsapi_ticket(services_of(app))
    old = ("Mozilla/5.0 (Linux; Android 7.1.2; vivo Y55A) AppleWebKit/537.36 (KHTML, like "
           "Gecko) Chrome/57.0.2987.132 Mobile Safari/537.36 MicroMessenger/7.0.10.1580")
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN",
                                  user_agent=old)
    try:
        tab = context.new_page()
        log_in(tab, base)
        tab.click(".font-switch button.size-xlarge")
        expect(tab.locator("html")).to_have_class("font-xlarge")
        expect(tab.locator("#no-tag")).to_be_visible()
        expect(tab.locator("#subscribe-btn")).to_be_hidden()
        fits(tab)
        tab.screenshot(path=str(shots() / "notices-old-wechat-xlarge-320.png"), full_page=True)
    finally:
        context.close()


def test_a_new_wechat_draws_the_button_at_the_largest_font(page, sandbox):  # type: ignore[no-untyped-def]
    app, base = sandbox
    refresh_jsapi_ticket(services_of(app))
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, base)
    page.click(".font-switch button.size-xlarge")
    button = page.locator("#subscribe-btn button.btn")
    expect(button).to_be_visible()
    assert button.evaluate("b => getComputedStyle(b).fontSize") == "25px"
    fits(page)
    page.screenshot(path=str(shots() / "notices-xlarge-320.png"), full_page=True)
