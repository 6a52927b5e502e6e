"""POST /api/v1/login, /bind, /logout and GET /me, against the fake WeChat API over real
HTTP: wx.login codes exchanged at sns/jscode2session, WeChat's errors (40029, 40163,
45011, a busy -1, an outage), partybot's own tokens (hashed, 2 hours, revocable), binding
with the chat's rules and limit, linking by unionid, and the session_key never leaving."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from models.actors import Actor
from models.api.tables import ApiToken, MiniProgramUser
from models.api.tokens import token_hash
from models.console.audit import AuditEntry
from models.delivery.outbox import ChannelPolicy
from models.members.actions import unbind_wechat
from models.members.tables import Member
from tests.api_support import bearer, bound_token, log_in, problem, wx_login


@pytest.fixture
def app(api_settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app, its WeChat API the fake (the mini-program's login goes there)."""
    app = create_app(api_settings, clock=clock)
    yield app
    services_of(app).dispose()


def test_a_code_becomes_partybots_own_token(client, fake, county):
    answer = log_in(client, fake.base_url, "mp-stranger")
    assert answer["expires_in"] == 7200 and answer["bound"] is False
    assert len(answer["token"]) >= 40
    assert fake.state.calls["sns/jscode2session"] == 1
    # not bound yet: who am I is "bind first", in the catalog's words
    body = problem(client.get("/api/v1/me", headers=bearer(answer["token"])), 403, "not-bound")
    assert "绑定" in body["detail"]


def test_the_token_is_stored_hashed(client, fake, county, session):
    token = log_in(client, fake.base_url, "mp-hash")["token"]
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [token_hash(token)] and token not in stored


def test_a_bad_or_used_code_is_401(client, fake, county):
    problem(client.post("/api/v1/login", json={"code": "made-up"}), 401, "bad-code")
    code = wx_login(fake.base_url, "mp-twice")
    assert client.post("/api/v1/login", json={"code": code}).status_code == 200
    body = problem(client.post("/api/v1/login", json={"code": code}), 401, "bad-code")
    assert "重新打开小程序" in body["detail"]


@pytest.mark.parametrize("payload", [
    None, "code", [], {}, {"code": ""}, {"code": 5}, {"code": None}, {"code": "a", "x": 1},
    {"code": "a\x00b"}, {"code": "a" * 129}])
def test_a_malformed_body_is_400(client, fake, county, payload):
    if payload is None:
        response = client.post("/api/v1/login", data=b"{not json",
                               content_type="application/json")
    else:
        response = client.post("/api/v1/login", json=payload)
    problem(response, 400, "bad-request")
    assert fake.state.calls["sns/jscode2session"] == 0


def test_a_lone_surrogate_is_400_not_a_database_error(client, fake, county):
    token = log_in(client, fake.base_url, "mp-surrogate")["token"]
    response = client.post("/api/v1/bind", data='{"name": "\\ud800", "phone_tail": "0002"}',
                           content_type="application/json", headers=bearer(token))
    problem(response, 400, "bad-request")


def test_wechat_rate_limit_is_429_with_retry_after(client, fake, county):
    fake.fail(endpoint="sns/jscode2session", errcode=45011)
    response = client.post("/api/v1/login", json={"code": wx_login(fake.base_url, "mp-busy")})
    problem(response, 429, "rate-limited")
    assert int(response.headers["Retry-After"]) > 0


def test_wechat_busy_once_is_retried(client, fake, county):
    fake.fail(endpoint="sns/jscode2session", errcode=-1)
    code = wx_login(fake.base_url, "mp-retry")
    assert client.post("/api/v1/login", json={"code": code}).status_code == 200
    assert fake.state.calls["sns/jscode2session"] == 2


def test_wechat_down_is_502_not_500(client, fake, county):
    fake.fail(endpoint="sns/jscode2session", http_status=503, times=2)
    response = client.post("/api/v1/login", json={"code": wx_login(fake.base_url, "mp-down")})
    problem(response, 502, "wechat-unavailable")


def test_without_a_configured_mini_program_login_is_503(fake, county, api_settings, clock):
    real = api_settings.with_overrides(app_id="wxreal", app_secret="s")
    app = create_app(real, clock=clock)
    try:
        response = app.test_client().post("/api/v1/login", json={"code": "x"})
        problem(response, 503, "not-configured")
    finally:
        services_of(app).dispose()


def test_the_session_key_never_leaves_nor_is_logged(client, fake, county, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/api/v1/login", json={"code": wx_login(fake.base_url, "mp-key")})
    assert response.status_code == 200
    assert "session_key" not in response.get_data(as_text=True)
    assert "fake-session-key" not in response.get_data(as_text=True)
    assert "fake-session-key" not in caplog.text and "session_key" not in caplog.text


def test_redaction_covers_the_mini_program_secrets():
    from core.redact import redact

    line = "GET /sns/jscode2session?appid=wx1&secret=S3&js_code=C0DE&grant_type=x"
    assert redact(line) == "GET /sns/jscode2session?appid=wx1&secret=***&js_code=***" \
        "&grant_type=x"


def test_binding_follows_the_chats_rules(client, fake, county, session):
    token = log_in(client, fake.base_url, "mp-zm")["token"]
    wrong = problem(client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "9999"},
                                headers=bearer(token)), 404, "bind-no-match")
    assert wrong["tries_left"] == 4 and "4" in wrong["detail"]
    answer = client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "0002"},
                         headers=bearer(token))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["me"]["name"] == "张明"
    assert "绑定成功" in answer.get_json()["message"]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["branch"]["name"] == "辽原村党支部" and me["group"]["name"] == "第一党小组"
    assert me["roles"] == ["member"]
    # the chat's binding is untouched: the mini-program's openid is not the account's
    member = session.scalar(select(Member).where(Member.name == "张明"))
    assert member.openid == "o-zm"
    # the audit log says who, and that it came from the mini-program
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.bind")).one()
    assert entry.surface == "api" and entry.actor_key == f"member:{member.id}"
    # the same user logging in again is bound at once
    assert log_in(client, fake.base_url, "mp-zm")["bound"] is True
    # binding again: already bound
    again = client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "0002"},
                        headers=bearer(token))
    assert again.status_code == 200 and "不用再绑定" in again.get_json()["message"]


def test_the_secretary_sees_her_roles(client, fake, county):
    token = bound_token(client, fake.base_url, "mp-sec", "李书记", "0001")
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["roles"] == ["member", "branch_admin"] and me["committee_posts"] == ["书记"]


def test_wrong_guesses_lock_the_mini_program_user_like_chat(client, fake, county):
    token = log_in(client, fake.base_url, "mp-guess")["token"]
    for _ in range(4):
        problem(client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "1111"},
                            headers=bearer(token)), 404, "bind-no-match")
    locked = client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "1111"},
                         headers=bearer(token))
    assert locked.status_code in (404, 429)
    # now even the right answer waits
    response = client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "0002"},
                           headers=bearer(token))
    body = problem(response, 429, "rate-limited")
    assert "尝试次数太多" in body["detail"] and int(response.headers["Retry-After"]) > 0
    # another mini-program user is not locked by this one's guesses
    other = log_in(client, fake.base_url, "mp-other")["token"]
    assert client.post("/api/v1/bind", json={"name": "张明", "phone_tail": "0002"},
                       headers=bearer(other)).status_code == 200


def test_a_member_bound_in_another_mini_program_is_refused(client, fake, county):
    bound_token(client, fake.base_url, "mp-first", "刘芳", "0003")
    token = log_in(client, fake.base_url, "mp-second")["token"]
    body = problem(client.post("/api/v1/bind", json={"name": "刘芳", "phone_tail": "0003"},
                               headers=bearer(token)), 409, "refused")
    assert "另一个微信" in body["detail"]


def test_unionid_links_without_binding(client, fake, county, session):
    member = session.scalar(select(Member).where(Member.name == "刘芳"))
    member.unionid = "union-lf"
    session.commit()
    answer = log_in(client, fake.base_url, "mp-lf", unionid="union-lf")
    assert answer["bound"] is True
    me = client.get("/api/v1/me", headers=bearer(answer["token"])).get_json()
    assert me["name"] == "刘芳"
    session.expire_all()
    user = session.get(MiniProgramUser, "mp-lf")
    assert user.member_id == member.id and user.unionid == "union-lf"


def test_binding_keeps_the_unionid_wechat_gave(client, fake, county, session):
    token = log_in(client, fake.base_url, "mp-zy", unionid="union-zy")["token"]
    assert client.post("/api/v1/bind", json={"name": "赵远", "phone_tail": "0004"},
                       headers=bearer(token)).status_code == 200
    assert session.scalar(select(Member.unionid).where(Member.name == "赵远")) == "union-zy"


def test_logout_revokes_the_token(client, fake, county):
    token = bound_token(client, fake.base_url, "mp-out", "张明", "0002")
    assert client.post("/api/v1/logout", headers=bearer(token)).get_json() == {"revoked": True}
    problem(client.get("/api/v1/me", headers=bearer(token)), 401, "token-invalid")


def test_a_token_expires_after_two_hours(client, fake, county, clock):
    token = bound_token(client, fake.base_url, "mp-late", "张明", "0002")
    clock.advance(hours=1, minutes=59)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock.advance(minutes=1)
    body = problem(client.get("/api/v1/me", headers=bearer(token)), 401, "token-invalid")
    assert "重新登录" in body["detail"]


def test_unbinding_a_member_revokes_their_tokens(client, fake, county, session, clock, app):
    token = bound_token(client, fake.base_url, "mp-lost", "张明", "0002")
    member = session.scalar(select(Member).where(Member.name == "张明"))
    outbox: ChannelPolicy = services_of(app).outbox
    assert unbind_wechat(session, Actor.cli("admin"), member, outbox, clock())
    session.commit()
    problem(client.get("/api/v1/me", headers=bearer(token)), 401, "token-invalid")
    # the mini-program user must bind again
    fresh = log_in(client, fake.base_url, "mp-lost")
    assert fresh["bound"] is False


def test_a_member_bound_only_in_the_mini_program_can_be_unbound(client, fake, county, session,
                                                                clock, app):
    member = session.scalar(select(Member).where(Member.name == "刘芳"))
    member.openid = None
    session.commit()
    token = bound_token(client, fake.base_url, "mp-only", "刘芳", "0003")
    assert unbind_wechat(session, Actor.cli("admin"), member, services_of(app).outbox, clock())
    session.commit()
    problem(client.get("/api/v1/me", headers=bearer(token)), 401, "token-invalid")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer nope",
                                    "Bearer " + "x" * 300, "Bearer a\tb"])
def test_no_or_a_bad_token_is_401(client, county, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_rate_limit_per_token_with_retry_after(fake, county, api_settings, clock):
    app = create_app(api_settings.with_overrides(api_rate_per_minute=3), clock=clock)
    try:
        client = app.test_client()
        token = log_in(client, fake.base_url, "mp-rate")["token"]
        other = log_in(client, fake.base_url, "mp-rate-2")["token"]
        for _ in range(3):
            assert client.get("/api/v1/me", headers=bearer(token)).status_code == 403
        response = client.get("/api/v1/me", headers=bearer(token))
        body = problem(response, 429, "rate-limited")
        assert response.headers["Retry-After"] == "60" and "60" in body["detail"]
        # per token: another token is not limited by this one
        assert client.get("/api/v1/me", headers=bearer(other)).status_code == 403
        clock.advance(seconds=30)
        assert client.get("/api/v1/me", headers=bearer(token)).headers["Retry-After"] == "30"
        clock.advance(seconds=30)
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 403
    finally:
        services_of(app).dispose()


def test_the_api_opens_no_cookie_session(client, fake, county):
    response = client.post("/api/v1/login", json={"code": wx_login(fake.base_url, "mp-c")})
    assert "Set-Cookie" not in response.headers


def test_unknown_paths_and_methods_are_problems(client):
    problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    response = client.get("/api/v1/login")
    problem(response, 405, "method-not-allowed")
    assert "POST" in response.headers["Allow"]
    problem(client.get("/api/v1/study/99999999999"), 404, "not-found")


def test_ended_tokens_are_pruned_by_upkeep(client, fake, county, session, clock, app):
    from schedules.upkeep import prune_inbound_keys

    old = log_in(client, fake.base_url, "mp-old")["token"]
    clock.advance(hours=2, days=1, seconds=1)
    fresh = log_in(client, fake.base_url, "mp-new")["token"]
    prune_inbound_keys(services_of(app))
    session.expire_all()
    assert session.scalars(select(ApiToken.token_hash)).all() == [token_hash(fresh)]
    assert token_hash(old) != token_hash(fresh)


def test_the_sandbox_serves_the_mini_program_login(tmp_path, database_url):
    """`partybot serve` in sandbox mode: the app's own /sandbox answers jscode2session,
    so a mini-program developer can log in without an account."""
    import requests

    from core.config import Settings
    from tests.live import serving_own_sandbox

    def make_app(base: str) -> Flask:
        return create_app(Settings(database_url=database_url, secret_key="s",
                                   instance_path=tmp_path / "instance", api_base_url=base))

    with serving_own_sandbox(make_app) as (sandbox_app, base):
        try:
            code = wx_login(f"{base}/sandbox", "mp-dev")
            answer = requests.post(f"{base}/api/v1/login", json={"code": code}, timeout=5)
            assert answer.status_code == 200 and answer.json()["bound"] is False
        finally:
            services_of(sandbox_app).dispose()


def test_a_chat_binding_learns_its_unionid_then_the_mini_program_needs_none(
        client, fake, county, session, chat, app):
    import requests

    from models.members.org_tables import Org
    from schedules.unionids import fill_unionids
    from tests.factories import make_member

    make_member(session, session.get(Org, county["liaoyuan"]), "王五", "13800000009")
    session.commit()
    assert "绑定成功" in chat.say("o-ww", "绑定 王五 0009")
    # WeChat knows the follower's unionid (the account and the mini-program share an
    # open platform account); the job asks within minutes of the binding
    requests.post(f"{fake.base_url}/_fake/miniprogram/unionid",
                  json={"openid": "o-ww", "unionid": "union-ww"}, timeout=5)
    assert fill_unionids(services_of(app)) == 1
    assert fake.state.calls["user/info/batchget"] == 1
    session.expire_all()
    assert session.scalar(select(Member.unionid).where(Member.name == "王五")) == "union-ww"
    assert fill_unionids(services_of(app)) == 0  # known now: not asked again
    answer = log_in(client, fake.base_url, "mp-ww", unionid="union-ww")
    assert answer["bound"] is True
    assert client.get("/api/v1/me", headers=bearer(answer["token"])).get_json()["name"] == "王五"


def test_the_unionid_job_survives_wechat_refusing(fake, county, session, chat, app, clock):
    from models.members.org_tables import Org
    from schedules.unionids import fill_unionids
    from tests.factories import make_member

    make_member(session, session.get(Org, county["liaoyuan"]), "王五", "13800000009")
    session.commit()
    chat.say("o-ww", "绑定 王五 0009")
    fake.fail(endpoint="user/info/batchget", errcode=45009)
    assert fill_unionids(services_of(app)) == 0
    clock.advance(hours=1, minutes=1)  # past the window: no one left to ask
    assert fill_unionids(services_of(app)) == 0
    assert fake.state.calls["user/info/batchget"] == 1


def test_a_body_too_large_is_413_problem(client, fake, county):
    response = client.post("/api/v1/login", data=b'{"code": "' + b"a" * 70_000 + b'"}',
                           content_type="application/json")
    problem(response, 413, "too-large")


def test_random_codes_from_one_address_are_stopped_before_wechat(client, fake, county, clock):
    for _ in range(20):
        problem(client.post("/api/v1/login", json={"code": "guessed"}), 401, "bad-code")
    assert fake.state.calls["sns/jscode2session"] == 20
    response = client.post("/api/v1/login", json={"code": wx_login(fake.base_url, "mp-late")})
    problem(response, 429, "rate-limited")
    assert int(response.headers["Retry-After"]) == 600
    assert fake.state.calls["sns/jscode2session"] == 20  # WeChat was not asked
    clock.advance(minutes=10, seconds=1)
    assert client.post("/api/v1/login", json={
        "code": wx_login(fake.base_url, "mp-late")}).status_code == 200


def test_good_logins_from_one_address_are_not_counted(client, fake, county):
    for number in range(25):  # a village behind one carrier address
        log_in(client, fake.base_url, f"mp-villager-{number}")
