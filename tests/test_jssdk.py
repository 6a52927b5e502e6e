"""The JS-SDK's ticket and signing (issue 26): WeChat's documented signature sample, the
fake's getticket and its errors, and one ticket shared by two processes on one database,
fetched once, by the scheduler's job, and only read by pages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import requests

from core.jssdk import config_for, signature, strip_fragment
from models.delivery.jsapi_ticket import JsapiTicket
from schedules.runtime import build_runtime
from schedules.tokens import refresh_jsapi_ticket

SAMPLE_TICKET = ("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-"
                 "HhTdfl2fzFy1AOcHKP7qg")


def test_the_signature_of_wechats_documented_sample():
    assert signature(SAMPLE_TICKET, "Wm3WZYTPz0wzccnW", 1414587457,
                     "http://mp.weixin.qq.com?params=value") \
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_fragment_is_not_signed_and_the_config_carries_what_wx_config_needs():
    url = "http://mp.weixin.qq.com?params=value"
    assert strip_fragment(url + "#/meetings") == url
    when = datetime.fromtimestamp(1414587457, UTC)
    config = config_for("wx123", SAMPLE_TICKET, url + "#top", now=when,
                        nonce="Wm3WZYTPz0wzccnW", open_tag_list=["wx-open-subscribe"])
    assert config == {"debug": False, "appId": "wx123", "timestamp": 1414587457,
                      "nonceStr": "Wm3WZYTPz0wzccnW",
                      "signature": "0f9de62fce790f9a083d5c99e95740ceb90c27ed",
                      "jsApiList": ["getLocation"], "openTagList": ["wx-open-subscribe"]}
    fresh = config_for("wx123", SAMPLE_TICKET, url, now=when)
    assert fresh["nonceStr"] != config_for("wx123", SAMPLE_TICKET, url, now=when)["nonceStr"]
    assert "openTagList" not in fresh


def _token(fake) -> str:  # type: ignore[no-untyped-def]
    return requests.get(f"{fake.base_url}/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": "wx1", "secret": "s"}).json()["access_token"]


def test_the_fakes_getticket_answers_as_wechat_does(fake):  # type: ignore[no-untyped-def]
    url = f"{fake.base_url}/cgi-bin/ticket/getticket"
    assert requests.get(url, params={"type": "jsapi"}).json()["errcode"] == 40001
    assert requests.get(url, params={"type": "jsapi", "access_token": "made-up"}) \
        .json()["errcode"] == 40001
    token = _token(fake)
    assert requests.get(url, params={"type": "nonsense", "access_token": token}) \
        .json() == {"errcode": 40097, "errmsg": "invalid args"}
    answer = requests.get(url, params={"type": "jsapi", "access_token": token}).json()
    assert answer["errcode"] == 0 and answer["errmsg"] == "ok"
    assert answer["expires_in"] == 7200 and answer["ticket"].startswith("fake-ticket-")
    fake.state.expire_tokens()
    assert requests.get(url, params={"type": "jsapi", "access_token": token}) \
        .json()["errcode"] == 42001
    fake.fail(endpoint="ticket/getticket", errcode=45009)  # the misbehave hook
    token = _token(fake)
    assert requests.get(url, params={"type": "jsapi", "access_token": token}) \
        .json()["errcode"] == 45009


def test_two_processes_share_one_ticket_fetched_once(api_settings, fake, clock):  # type: ignore[no-untyped-def]
    web, scheduler, other_scheduler = (build_runtime(api_settings, clock) for _ in range(3))
    try:
        # a page before any ticket: nothing to sign with, and WeChat is not asked
        assert web.jsapi_ticket.usable() is None
        assert fake.state.calls["ticket/getticket"] == 0
        results: list[bool] = []
        threads = [threading.Thread(target=lambda r=r: results.append(refresh_jsapi_ticket(r)))
                   for r in (scheduler, other_scheduler)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [True, True]  # both see a (new) ticket stored ...
        assert fake.state.calls["ticket/getticket"] == 1  # ... which one of them fetched
        assert scheduler.jsapi_ticket.fetches + other_scheduler.jsapi_ticket.fetches == 1
        ticket = web.jsapi_ticket.usable()
        assert ticket is not None and ticket in fake.state.jsapi_tickets
        assert other_scheduler.jsapi_ticket.usable() == ticket
        with web.sessions() as session:
            row = session.get(JsapiTicket, api_settings.effective_app_id)
            assert row is not None and row.ticket == ticket and row.source == "getticket"
        # an hour later nothing is due; 1 h 55 min later the job fetches a new one
        clock.advance(hours=1)
        assert refresh_jsapi_ticket(scheduler) is False
        clock.advance(minutes=55)
        assert refresh_jsapi_ticket(other_scheduler) is True
        assert fake.state.calls["ticket/getticket"] == 2
        clock.advance(seconds=61)  # the web process re-reads within a minute
        assert web.jsapi_ticket.usable() not in (None, ticket)
        # past the end with no scheduler: pages get nothing (and never fetch)
        clock.advance(hours=2)
        assert web.jsapi_ticket.usable() is None
        assert fake.state.calls["ticket/getticket"] == 2
    finally:
        for runtime in (web, scheduler, other_scheduler):
            runtime.dispose()


def test_a_refused_ticket_is_logged_and_nothing_is_stored(api_settings, fake, clock, caplog):  # type: ignore[no-untyped-def]
    runtime = build_runtime(api_settings, clock)
    try:
        fake.fail(endpoint="ticket/getticket", errcode=40164, times=-1)
        assert refresh_jsapi_ticket(runtime) is False
        assert "jsapi_ticket refresh failed: WeChat refused a jsapi_ticket: errcode 40164" \
            in caplog.text
        assert runtime.jsapi_ticket.usable() is None
        fake.state.faults.clear()
        fake.fail(endpoint="ticket/getticket", drop=True)
        assert refresh_jsapi_ticket(runtime) is False
        assert runtime.jsapi_ticket.usable() is None
        assert refresh_jsapi_ticket(runtime) is True
        assert runtime.jsapi_ticket.usable() is not None
        assert clock() + timedelta(seconds=7100) < _expiry(runtime, api_settings)
    finally:
        runtime.dispose()


def _expiry(runtime, settings) -> datetime:  # type: ignore[no-untyped-def]
    with runtime.sessions() as session:
        row = session.get(JsapiTicket, settings.effective_app_id)
        assert row is not None
        return row.expires_at


def _stored_ticket(app) -> str:  # type: ignore[no-untyped-def]
    from bot.services import services_of

    services = services_of(app)
    with services.sessions() as session:
        session.add(JsapiTicket(app_id=services.settings.effective_app_id, ticket=SAMPLE_TICKET,
                                expires_at=services.clock() + timedelta(hours=2),
                                fetched_at=services.clock(), source="getticket"))
        session.commit()
    return SAMPLE_TICKET


def test_a_page_gets_the_stub_in_the_sandbox_and_a_config_once_a_ticket_is_stored(app, clock):  # type: ignore[no-untyped-def]
    from bot.jssdk_page import jssdk_context, jssdk_tags, page_url

    with app.test_request_context("/m/meetings?name=%E5%BC%A0&x=a+b"):
        assert page_url() == "http://localhost/m/meetings?name=%E5%BC%A0&x=a+b"  # as sent
    with app.test_request_context("/m/meetings?x=1"):
        url = page_url()
        assert url == "http://localhost/m/meetings?x=1"
        none = jssdk_context(url)
        assert none == {"script": "/sandbox/jssdk/jweixin.js", "config": None}
        assert jssdk_tags(none) == ""
    _stored_ticket(app)
    with app.test_request_context("/m/meetings?x=1"):
        context = jssdk_context(url, open_tag_list=["wx-open-subscribe"])
        config = context["config"]
        assert config["signature"] == signature(SAMPLE_TICKET, config["nonceStr"],
                                                config["timestamp"], url)
        assert config["timestamp"] == int(clock().timestamp())
        assert config["appId"] == "wxsandbox00000000"
        tags = str(jssdk_tags(context))
        assert tags.startswith('<script src="/sandbox/jssdk/jweixin.js"></script>')
        assert '<script type="application/json" id="wx-config">{' in tags


def test_production_pages_load_wechats_script_from_the_public_address(settings, clock):  # type: ignore[no-untyped-def]
    from bot import create_app
    from bot.jssdk_page import WECHAT_JSSDK, jssdk_context, page_url
    from bot.services import services_of

    real = settings.with_overrides(app_id="wx1234567890", app_secret="s",
                                   wechat_token_configured=True,
                                   public_url="https://party.example.cn")
    app = create_app(real, clock=clock)
    try:
        _stored_ticket(app)
        with app.test_request_context("/m/meetings", base_url="http://10.0.0.5:8000"):
            assert page_url() == "https://party.example.cn/m/meetings"
            context = jssdk_context(page_url())
        assert context["script"] == WECHAT_JSSDK
        assert context["config"]["appId"] == "wx1234567890"
        response = app.test_client().get("/m/nothing-here")
        assert "script-src 'self' https://res.wx.qq.com;" in \
            response.headers["Content-Security-Policy"]
        assert app.test_client().get("/sandbox/jssdk/jweixin.js").status_code == 404
        assert "res.wx.qq.com" not in \
            app.test_client().get("/admin/login").headers["Content-Security-Policy"]
    finally:
        services_of(app).dispose()


def test_the_sandbox_checks_a_signature_as_wechat_does(app, client, clock):  # type: ignore[no-untyped-def]
    url = "http://localhost/m/meetings"
    when = int(clock().timestamp())
    body = {"appId": "wxsandbox00000000", "timestamp": when, "nonceStr": "n1", "url": url,
            "signature": signature(SAMPLE_TICKET, "n1", when, url), "jsApiList": ["getLocation"]}
    verify = "/sandbox/jssdk/verify"
    assert client.post(verify, json=body).json == {"errMsg": "config:invalid signature"}
    _stored_ticket(app)  # the scheduler fetched it
    assert client.post(verify, json=body).json == {"errMsg": "config:ok"}
    assert client.post(verify, json={**body, "url": url + "?other=1"}).json \
        == {"errMsg": "config:invalid signature"}
    assert client.post(verify, json={**body, "appId": "wxother"}).json \
        == {"errMsg": "config:invalid appid"}
    assert client.post(verify, json={**body, "signature": None}).json \
        == {"errMsg": "config:invalid signature"}
    assert client.post(verify, data="not json").status_code == 400
    stub = client.get("/sandbox/jssdk/jweixin.js")
    assert stub.status_code == 200 and stub.mimetype == "application/javascript"
    assert "window.__wxStubWords" in stub.get_data(as_text=True)
