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
