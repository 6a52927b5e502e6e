"""通知设置 (/m/notices, issue 26 §1): the account's 订阅通知 templates with the member's
state on each (已订阅，还可收到 N 条 / 未订阅 / 已拒绝 / used up), WeChat's open tag
`wx-open-subscribe` signed for the page, or — without a jsapi_ticket — one line on how
else the member is reached; a stranger goes to the binding page; the page is a plain GET
and records nothing itself (the webhook event does)."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, subscription_event_xml
from core import texts
from core.jssdk import signature
from core.subscribe_messages import MINIPROGRAM, SubscribeSpec
from core.template_messages import Keyword, TemplateSpec
from models.delivery.subscriptions import SubscriptionCredit, spend
from schedules.tokens import refresh_jsapi_ticket
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_member, make_township
from tests.test_pages_login import open_as

MEETING = "sandbox-sub-meeting_reminder"
STUDY = "sandbox-sub-study_push"


@pytest.fixture
def pages_app(api_settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(api_settings, clock=clock)
    with services_of(app).sessions() as session:
        branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
        make_member(session, branch, "张明", "13800000002", openid="o-zm")
        session.commit()
    yield app
    services_of(app).dispose()


def popup(app, clock, *items: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    """WeChat tells the webhook what 张明 chose in its popup."""
    chat = Chat(app.test_client(), WeChatSide(TOKEN), clock)
    assert chat.send_xml(subscription_event_xml("o-zm", "subscribe_msg_popup_event", [
        {"TemplateId": t, "SubscribeStatusString": s, "PopupScene": "0"} for t, s in items],
        create_time=int(clock().timestamp()))).is_success
    clock.advance(seconds=1)


def states(page: str) -> dict[str, str]:
    """template id -> the state line shown for it."""
    return {tid: html.unescape(line) for tid, line in re.findall(
        r'<li data-template="([^"]+)"[^>]*>\s*<span class="title">[^<]*</span>\s*'
        r'<span class="state[^"]*">([^<]*)</span>', page)}


def test_without_a_ticket_the_page_lists_the_templates_and_says_how_else(pages_app, fake):
    phone, _ = open_as(pages_app, fake, "o-zm")
    answer = phone.get("/m/notices")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "通知设置" in page
    assert texts.PAGES_NOTICES_INTRO.split("：")[0] in page
    shown = states(page)
    assert shown[MEETING] == "未订阅" and shown[STUDY] == "未订阅" and len(shown) == 7
    assert "会议提醒" in page and "学习提醒" in page
    # no ticket: no open tag, no JS-SDK, the fallback line shown (not hidden)
    assert "<wx-open-subscribe" not in page and "wx-config" not in page
    assert re.search(r'<p id="no-tag" class="muted">' + re.escape(html.escape(
        texts.PAGES_NOTICES_NO_TAG, quote=False)), page)


def test_the_state_lines_and_the_signed_open_tag(pages_app, fake, clock):
    popup(pages_app, clock, (MEETING, "accept"), (STUDY, "reject"))
    popup(pages_app, clock, (MEETING, "accept"))
    assert refresh_jsapi_ticket(services_of(pages_app)) is True  # the scheduler's job
    phone, _ = open_as(pages_app, fake, "o-zm")
    answer = phone.get("/m/notices?from=menu")
    page = answer.get_data(as_text=True)
    shown = states(page)
    assert shown[MEETING] == "已订阅，还可收到 2 条"
    assert shown[STUDY] == "已拒绝"
    assert shown["sandbox-sub-meeting_notice"] == "未订阅"
    tag = re.search(r'<wx-open-subscribe template="([^"]+)" id="subscribe-btn">\s*'
                    r'<script type="text/wxtag-template">(.*?)</script>', page, re.S)
    assert tag, page
    assert tag.group(1).split(",") == list(shown)  # every offered template, in order
    assert '<button class="btn">订阅这些通知</button>' in tag.group(2)
    # wx.config for this very address, listing the open tag
    config = json.loads(re.search(r'<script type="application/json" id="wx-config">(.*?)'
                                  r'</script>', page, re.S).group(1))
    assert config["openTagList"] == ["wx-open-subscribe"] and config["jsApiList"]
    with services_of(pages_app).sessions():
        ticket = services_of(pages_app).jsapi_ticket.usable()
    assert config["signature"] == signature(ticket, config["nonceStr"], config["timestamp"],
                                            "http://localhost/m/notices?from=menu")
    assert '<p id="no-tag" class="muted" hidden>' in page
    assert '<script src="/sandbox/jssdk/jweixin.js">' in page  # (sandbox mode: the stub)
    assert "/m/static/notices.js" in page
    # the fallback line says in words where the tag is unavailable
    script = phone.get("/m/static/notices.js")
    assert script.status_code == 200 and b"WeixinOpenTagsError" in script.data


def test_a_spent_credit_and_a_refused_one_are_said(pages_app, fake, clock):
    popup(pages_app, clock, (MEETING, "accept"), (STUDY, "accept"))
    with services_of(pages_app).sessions() as session:
        assert spend(session, "account", MEETING, None, "o-zm", clock()) is not None
        row = session.scalar(select(SubscriptionCredit).where(
            SubscriptionCredit.template_id == STUDY))
        row.credits, row.status = 0, "refused"  # WeChat answered 43101
        session.commit()
    phone, _ = open_as(pages_app, fake, "o-zm")
    shown = states(phone.get("/m/notices").get_data(as_text=True))
    assert shown[MEETING] == texts.PAGES_NOTICE_USED_UP
    assert shown[STUDY] == texts.PAGES_NOTICE_REFUSED


def test_the_page_is_a_plain_get_and_records_nothing(pages_app, fake, clock):
    popup(pages_app, clock, (MEETING, "accept"))
    refresh_jsapi_ticket(services_of(pages_app))
    phone, _ = open_as(pages_app, fake, "o-zm")
    for _ in range(3):  # the script reads the page again after `success`: no side effect
        page = phone.get("/m/notices").get_data(as_text=True)
    assert states(page)[MEETING] == "已订阅，还可收到 1 条"
    forms = re.findall(r'<form[^>]*action="([^"]+)"', page)
    assert forms == ["/m/font"]  # the frame's font switch only: nothing to post here
    assert phone.post("/m/notices").status_code in (400, 405)
    with services_of(pages_app).sessions() as session:
        assert session.scalar(select(func.sum(SubscriptionCredit.credits))) == 1


def test_a_stranger_goes_to_the_binding_page_and_a_visitor_to_wechat(pages_app, fake):
    phone, _ = open_as(pages_app, fake, "o-new")
    refused = phone.get("/m/notices")
    assert refused.status_code == 302
    assert refused.location == "/m/bind?next=/m/notices"
    anonymous = pages_app.test_client().get("/m/notices")
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.location).path == "/connect/oauth2/authorize"


def test_home_links_to_the_page(pages_app, fake):
    phone, _ = open_as(pages_app, fake, "o-zm")
    home = phone.get("/m/").get_data(as_text=True)
    assert "<title>首页</title>" in home
    link = re.search(r'<section class="card" id="notices-link">\s*<a class="more" '
                     r'href="/m/notices">([^<]+)</a>', home.split("<main>")[1])
    assert link and link.group(1) == texts.PAGES_HOME_NOTICES


def test_an_account_without_subscription_templates_says_so(api_settings, clock, fake):
    """Only the mini-program has subscription templates: nothing for the account's page."""
    mini = SubscribeSpec(MINIPROGRAM, TemplateSpec("meeting_reminder", "MP-MEET", "会议提醒", (
        Keyword("thing1", "meeting", "会议名称"),)), "pages/meetings/index")
    app = create_app(api_settings.with_overrides(
        configured_subscriptions={"meeting_reminder": (mini,)}), clock=clock)
    try:
        with services_of(app).sessions() as session:
            make_member(session, make_branch(session), "张明", "13800000002", openid="o-zm")
            session.commit()
        phone, _ = open_as(app, fake, "o-zm")
        page = phone.get("/m/notices").get_data(as_text=True)
        assert texts.PAGES_NOTICES_NONE_OFFERED in page
        assert "<wx-open-subscribe" not in page and "notice-list" not in page
    finally:
        services_of(app).dispose()


def test_page_weight(pages_app, fake, clock):
    refresh_jsapi_ticket(services_of(pages_app))
    phone, _ = open_as(pages_app, fake, "o-zm")
    page = phone.get("/m/notices")
    parts = [phone.get(f"/m/static/{name}") for name in ("pages.css", "notices.js")]
    total = len(page.data) + sum(len(p.data) for p in parts)
    print(f"page weight: notices {len(page.data)} + css {len(parts[0].data)} + js "
          f"{len(parts[1].data)} = {total} bytes (WeChat's jweixin script not counted)")
    assert total < 60_000


def test_the_sandbox_js_sdk_knows_who_the_browser_is(pages_app, fake):
    """As WeChat knows its user: the stub's open tag sends the event for this openid."""
    assert b"window.__wxStubUser = {};" in pages_app.test_client().get(
        "/sandbox/jssdk/jweixin.js").data
    phone, _ = open_as(pages_app, fake, "o-zm")
    stub = phone.get("/sandbox/jssdk/jweixin.js")
    assert stub.status_code == 200 and stub.mimetype == "application/javascript"
    assert b'window.__wxStubUser = {"openid": "o-zm"};' in stub.data
    assert "允许".encode() in stub.data or b"\\u5141\\u8bb8" in stub.data
