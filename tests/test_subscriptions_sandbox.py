"""The sandbox's 订阅通知 (issue 26 §4): its buttons send WeChat's subscription events to
the webhook for a member, the fake learns the acceptance and serves
message/subscribe/bizsend, and the next reminder shows as 订阅通知 — over real HTTP and
in Chromium at phone widths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.delivery.outbox import Channel, Notice, Outbox
from models.delivery.subscriptions import SubscriptionCredit
from models.members.tables import Member
from schedules.delivery_loop import DeliveryWorker
from tests.factories import make_branch, make_member
from tests.live import serving_own_sandbox

TEMPLATE = "sandbox-sub-meeting_reminder"
FIELDS = {"meeting": "支部党员大会", "time": "2026年12月5日 09:00", "place": "村委会",
          "code": "4821"}
SHOTS = Path("/tmp/h4-shots")


@pytest.fixture
def sandbox(settings, clock) -> Iterator[tuple[object, str]]:
    """The app with its WeChat API pointed at its own /sandbox (as `partybot run`); 王大爷
    is bound but no longer follows the account, so no template reaches him."""
    made = []

    def make(api_base_url: str):  # type: ignore[no-untyped-def]
        app = create_app(settings.with_overrides(api_base_url=api_base_url, api_timeout=3.0,
                                                 send_rate=1000.0), clock=clock)
        with services_of(app).sessions() as session:
            branch = make_branch(session)
            wang = make_member(session, branch, "王大爷", "13800000009", openid="o-wang")
            wang.subscribed = False
            session.commit()
        made.append(app)
        return app

    with serving_own_sandbox(make) as (app, base_url):
        yield app, base_url
    services_of(made[0]).dispose()


def remind_and_deliver(app, clock) -> list[Outbox]:
    services = services_of(app)
    clock.advance(seconds=1)
    with services.sessions() as session:
        wang = session.scalar(select(Member).where(Member.openid == "o-wang"))
        services.outbox.enqueue(session, f"remind:{clock().timestamp()}", wang,
                                Notice("meeting_reminder", "明天上午9点开支部党员大会",
                                       fields=FIELDS), clock())
        session.commit()
    worker = DeliveryWorker(services, services.wechat, owner="sandbox-test", batch_size=5)
    try:
        worker.drain(max_seconds=10)
    finally:
        worker.close()
    with services.sessions() as session:
        return list(session.scalars(select(Outbox).order_by(Outbox.id)))


def test_the_sandbox_sends_subscription_events_and_the_fake_serves_bizsend(sandbox, clock):
    app, base = sandbox
    listed = requests.get(f"{base}/sandbox/subscriptions", params={"openid": "o-wang"},
                          timeout=10).json()["templates"]
    assert {"kind": "meeting_reminder", "template_id": TEMPLATE, "title": "会议提醒",
            "remaining": 0} in listed
    answer = requests.post(f"{base}/sandbox/subscribe", json={
        "openid": "o-wang", "action": "accept", "template_id": TEMPLATE}, timeout=10)
    assert answer.status_code == 200, answer.text
    listed = requests.get(f"{base}/sandbox/subscriptions", params={"openid": "o-wang"},
                          timeout=10).json()["templates"]
    assert next(t for t in listed if t["template_id"] == TEMPLATE)["remaining"] == 1
    (row,) = remind_and_deliver(app, clock)
    assert row.channel == Channel.SUBSCRIBE and row.status == "sent"
    (shown,) = requests.get(f"{base}/sandbox/_fake/messages", params={"openid": "o-wang"},
                            timeout=10).json()["messages"]
    assert shown["channel"] == "subscribe" and shown["title"] == "会议提醒"
    assert shown["text"].startswith("会议提醒\n会议名称：支部党员大会")
    # WeChat's report that it arrived
    assert requests.post(f"{base}/sandbox/subscribe", json={
        "openid": "o-wang", "action": "sent", "template_id": TEMPLATE}, timeout=10).ok
    with services_of(app).sessions() as session:
        assert session.scalar(select(Outbox.report)) == "delivered"
    # no credit left: the next one has no channel (no helper, not following)
    second = remind_and_deliver(app, clock)[-1]
    assert second.channel != Channel.SUBSCRIBE
    # rejecting (or turning it off) leaves nothing, in partybot and at the fake
    for action in ("accept", "change"):
        assert requests.post(f"{base}/sandbox/subscribe", json={
            "openid": "o-wang", "action": action, "template_id": TEMPLATE}, timeout=10).ok
    with services_of(app).sessions() as session:
        assert session.scalar(select(SubscriptionCredit.credits)) == 0
    listed = requests.get(f"{base}/sandbox/subscriptions", params={"openid": "o-wang"},
                          timeout=10).json()["templates"]
    assert next(t for t in listed if t["template_id"] == TEMPLATE)["remaining"] == 0


def test_the_sandbox_refuses_nonsense(sandbox):
    _, base = sandbox
    for body in ({"openid": "o-wang", "action": "maybe", "template_id": TEMPLATE},
                 {"openid": "", "action": "accept", "template_id": TEMPLATE},
                 {"openid": "o-wang", "action": "accept"}):
        assert requests.post(f"{base}/sandbox/subscribe", json=body, timeout=10).status_code \
            == 400
    # nothing was sent yet: no sent event to report
    assert requests.post(f"{base}/sandbox/subscribe", json={
        "openid": "o-wang", "action": "sent", "template_id": TEMPLATE},
        timeout=10).status_code == 404


def test_the_fakes_control_takes_json_only_and_counts(fake):
    control = f"{fake.base_url}/_fake/subscriptions"
    assert requests.post(control, data="openid=o&template_id=T", timeout=10).status_code == 415
    assert requests.post(control, json={"openid": "o", "template_id": "T"},
                         timeout=10).json()["remaining"] == 1
    assert requests.post(control, json={"openid": "o", "template_id": "T", "count": 2},
                         timeout=10).json()["remaining"] == 3
    assert requests.post(control, json={"openid": "o", "template_id": "T", "count": -1},
                         timeout=10).status_code == 400
    assert requests.get(control, params={"openid": "o"}, timeout=10).json() == {
        "subscriptions": [{"openid": "o", "template_id": "T", "remaining": 3}]}
    assert requests.post(control, json={"openid": "o", "template_id": "T",
                                        "status": "reject"}, timeout=10).json()["remaining"] == 0


def test_the_fake_answers_as_wechat(fake):
    token = requests.get(f"{fake.base_url}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": "wx", "secret": "s"}, timeout=10).json()
    url = f"{fake.base_url}/cgi-bin/message/subscribe/bizsend"
    params = {"access_token": token["access_token"]}
    good = {"touser": "o", "template_id": "T", "data": {"thing1": {"value": "支部党员大会"}}}

    def send(body: dict, endpoint: str = url) -> int:
        return requests.post(endpoint, params=params, json=body, timeout=10).json()["errcode"]

    assert send(good) == 43101  # nothing accepted
    requests.post(f"{fake.base_url}/_fake/subscriptions",
                  json={"openid": "o", "template_id": "T"}, timeout=10)
    assert send({**good, "touser": ""}) == 40003
    assert send({**good, "data": {"thing1": {"value": "长" * 21}}}) == 47003
    assert send({**good, "data": {"phrase1": {"value": "太长的词语了"}}}) == 47003
    assert send(good) == 0
    assert send(good) == 43101  # one acceptance, one message
    requests.post(f"{fake.base_url}/_fake/subscriptions",
                  json={"openid": "o-mp", "template_id": "M"}, timeout=10)
    assert send({"touser": "o-mp", "template_id": "M", "page": "pages/index",
                 "data": {"thing1": {"value": "学习"}}},
                f"{fake.base_url}/cgi-bin/message/subscribe/send") == 0
    assert [m.channel for m in fake.messages()] == ["subscribe", "subscribe_mp"]
    assert requests.post(url, json=good, timeout=10).json()["errcode"] == 40001  # no token


@pytest.mark.parametrize("width", [390, 320])
def test_the_sandbox_page_accepts_and_shows_the_subscription(browser, sandbox, clock, width):
    from playwright.sync_api import expect

    app, base = sandbox
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{base}/sandbox/")
        page.fill("#openid", "o-wang")
        page.dispatch_event("#openid", "change")
        expect(page.locator("#subtpl option", has_text="会议提醒")).to_have_count(1)
        page.select_option("#subtpl", TEMPLATE)
        page.click("#subs button[data-act=accept]")
        expect(page.locator("#substate")).to_contain_text("已发给公众号")
        expect(page.locator("#subtpl option", has_text="会议提醒（还可收1条）")).to_have_count(1)
        remind_and_deliver(app, clock)
        card = page.locator(".card", has_text="订阅通知（推送）")
        expect(card).to_contain_text("支部党员大会", timeout=10_000)
        # the credit was spent: the list says so
        expect(page.locator("#subtpl option", has_text="会议提醒（还可收0条）")).to_have_count(1)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"sandbox-subscribe-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
