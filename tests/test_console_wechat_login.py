"""Logging in to the console with WeChat: scanning the login QR code on a PC (the
webhook sees the scan, the waiting page logs in), and web authorization (snsapi_base)
inside WeChat's browser — against the fake API over real HTTP."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide
from models.members.org_tables import OrgAdmin
from models.members.tables import Member
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_member, make_township

WECHAT_UA = "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 MicroMessenger/8.0.40"


@pytest.fixture
def console_app(api_settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(api_settings, clock=clock)
    with services_of(app).sessions() as session:
        township = make_township(session, "东乡党委")
        branch = make_branch(session, "辽原村党支部", township)
        make_member(session, branch, "李书记", "13800000001", openid="o-admin", is_admin=True)
        make_member(session, branch, "张明", "13800000002", openid="o-member")
        officer = make_member(session, branch, "何委员", "13800000021", openid="o-officer")
        session.add(OrgAdmin(org_id=township.id, member_id=officer.id))
        session.commit()
        app.config["BRANCH_PAGE"] = f"/admin/branch/{branch.id}"
    yield app
    services_of(app).dispose()


@pytest.fixture
def wechat(console_app, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(console_app.test_client(), WeChatSide(TOKEN), clock)


def scene_of_latest_code(fake) -> str:  # type: ignore[no-untyped-def]
    return str(fake.state.qrcodes[-1]["scene"])


def test_scanning_the_login_code_and_confirming_on_the_phone_logs_the_page_in(
        console_app, wechat, fake):
    browser = console_app.test_client()
    answer = browser.get("/admin/login/qr").get_json()
    assert answer["svg"].startswith("<svg") and answer["expires_in"] == 120
    scene = scene_of_latest_code(fake)
    assert scene.startswith("login:") and len(scene) <= 64
    assert fake.state.qrcodes[-1]["expire_seconds"] == 120
    assert browser.get("/admin/login/qr/state").get_json() == {"state": "waiting"}
    assert browser.get("/admin/").status_code == 302  # not yet

    reply = wechat.event("o-admin", "SCAN", scene)
    assert "电脑端请求登录管理后台（辽原村党支部）" in reply
    assert "确认登录" in reply and "不是我" in reply
    # scanned, not confirmed: the page waits, nobody is logged in
    assert browser.get("/admin/login/qr/state").get_json() == {"state": "scanned"}
    assert browser.get("/admin/").status_code == 302

    assert "已登录电脑端管理后台（辽原村党支部）" in wechat.say("o-admin", "确认登录")
    other_browser = console_app.test_client()  # never asked for this code
    assert other_browser.get("/admin/login/qr/state").get_json()["state"] == "expired"
    branch_page = console_app.config["BRANCH_PAGE"]
    done = browser.get(f"/admin/login/qr/state?next={branch_page}").get_json()
    assert done == {"state": "done", "next": branch_page}
    page = browser.get("/admin/", follow_redirects=True).get_data(as_text=True)
    assert "辽原村党支部" in page and "李书记" in page
    # the ticket is used up: a second claim (another tab of the same session) gets nothing
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "expired"
    assert "没有等待确认" in wechat.say("o-admin", "确认登录")


def test_a_relayed_code_scanned_by_the_victim_logs_nobody_in_without_confirmation(
        console_app, wechat, fake, clock):
    attacker = console_app.test_client()
    attacker.get("/admin/login/qr")
    scene = scene_of_latest_code(fake)  # sent to the victim as "scan this to sign in"
    assert "确认登录" in wechat.event("o-admin", "SCAN", scene)
    assert "已取消" in wechat.say("o-admin", "不是我")
    assert attacker.get("/admin/login/qr/state").get_json()["state"] == "cancelled"
    assert "没有等待确认" in wechat.say("o-admin", "确认登录")  # too late to change one's mind
    assert attacker.get("/admin/").status_code == 302
    # scanned and never confirmed: nothing happens, and a late 确认登录 does nothing
    attacker = console_app.test_client()
    attacker.get("/admin/login/qr")
    wechat.event("o-admin", "SCAN", scene_of_latest_code(fake))
    clock.advance(minutes=3, seconds=1)
    assert "没有等待确认" in wechat.say("o-admin", "确认登录")
    assert attacker.get("/admin/login/qr/state").get_json()["state"] == "expired"
    assert attacker.get("/admin/").status_code == 302


def test_a_scan_to_follow_asks_for_confirmation_too(console_app, wechat, fake):
    browser = console_app.test_client()
    browser.get("/admin/login/qr")
    reply = wechat.event("o-officer", "subscribe", "qrscene_" + scene_of_latest_code(fake))
    assert "电脑端请求登录管理后台（东乡党委）" in reply
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "scanned"
    assert "已登录电脑端管理后台（东乡党委）" in wechat.say("o-officer", "确认登录")
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "done"
    assert "三会一课落实情况（东乡党委）" in browser.get("/admin/").get_data(as_text=True)


def test_the_phone_can_end_every_console_session_of_its_admin(console_app, wechat, fake):
    browser = console_app.test_client()
    browser.get("/admin/login/qr")
    wechat.event("o-admin", "SCAN", scene_of_latest_code(fake))
    wechat.say("o-admin", "确认登录")
    browser.get("/admin/login/qr/state")
    branch_page = console_app.config["BRANCH_PAGE"]
    assert browser.get(branch_page).status_code == 200
    assert "已退出电脑端管理后台的 1 个登录" in wechat.say("o-admin", "退出电脑端")
    assert browser.get(branch_page).status_code == 302


def test_members_strangers_and_late_scans_are_told_why_and_log_nobody_in(console_app, wechat,
                                                                         fake, clock):
    browser = console_app.test_client()
    browser.get("/admin/login/qr")
    scene = scene_of_latest_code(fake)
    assert "只有支部管理员和乡镇、县委的工作人员" in wechat.event("o-member", "SCAN", scene)
    assert "请先绑定党员身份" in wechat.event("o-stranger", "SCAN", scene)
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "waiting"
    clock.advance(minutes=3)
    assert "已过期" in wechat.event("o-admin", "SCAN", scene)
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "expired"
    assert browser.get("/admin/").status_code == 302


def test_reloading_the_login_page_reuses_its_code_while_it_has_time(console_app, fake,
                                                                     clock):
    browser = console_app.test_client()
    first = browser.get("/admin/login/qr").get_json()
    made = len(fake.state.qrcodes)
    clock.advance(seconds=60)
    again = browser.get("/admin/login/qr").get_json()
    assert len(fake.state.qrcodes) == made  # no second call to WeChat
    assert again["ticket"] == first["ticket"] and again["expires_in"] == 60
    clock.advance(seconds=35)  # 25 s left: too little to scan, a new code
    fresh = browser.get("/admin/login/qr").get_json()
    assert len(fake.state.qrcodes) == made + 1 and fresh["ticket"] != first["ticket"]
    assert fresh["expires_in"] == 120
    other = console_app.test_client().get("/admin/login/qr").get_json()  # another browser
    assert other["ticket"] != fresh["ticket"]


def test_one_code_logs_in_one_admin_only(console_app, wechat, fake):
    browser = console_app.test_client()
    browser.get("/admin/login/qr")
    scene = scene_of_latest_code(fake)
    assert "确认登录" in wechat.event("o-admin", "SCAN", scene)
    assert "已过期或已经用过了" in wechat.event("o-officer", "SCAN", scene)
    assert "没有等待确认" in wechat.say("o-officer", "确认登录")
    assert "已登录" in wechat.say("o-admin", "确认登录")
    browser.get("/admin/login/qr/state")
    assert "辽原村党支部" in browser.get("/admin/", follow_redirects=True).get_data(as_text=True)


def test_the_login_page_says_so_when_wechat_cannot_make_the_code(console_app, fake):
    fake.fail(endpoint="qrcode/create", errcode=45009, times=-1)
    answer = console_app.test_client().get("/admin/login/qr")
    assert answer.status_code == 503
    assert "扫码登录暂时用不了" in answer.get_json()["error"]
    page = console_app.test_client().get("/admin/login").get_data(as_text=True)
    assert 'name="password"' in page  # the password form is still there


def authorize_in_fake(location: str, openid: str) -> str:
    """What WeChat does in its browser: straight back to redirect_uri with a code."""
    answer = requests.get(location, params={"sandbox_openid": openid}, allow_redirects=False,
                          timeout=5)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def test_inside_wechat_a_bound_admin_is_logged_in_silently(console_app, fake):
    phone = console_app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = WECHAT_UA
    branch_page = console_app.config["BRANCH_PAGE"]
    first = phone.get(branch_page)
    assert first.status_code == 302 and first.location.startswith("/admin/oauth?next=")
    to_wechat = phone.get(first.location)
    location = to_wechat.location
    assert location.startswith(fake.base_url + "/connect/oauth2/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["scope"] == ["snsapi_base"] and query["appid"] and query["state"]
    assert query["redirect_uri"][0].endswith("/admin/oauth/callback")
    back = authorize_in_fake(location, "o-admin")
    callback = urlsplit(back)
    landed = phone.get(f"{callback.path}?{callback.query}")
    assert landed.status_code == 302 and landed.location == branch_page
    assert "李书记" in phone.get(branch_page).get_data(as_text=True)
    # a code works once: the same callback again is refused with WeChat's reason
    again = console_app.test_client()
    state = parse_qs(urlsplit(again.get("/admin/oauth").location).query)["state"][0]
    code = parse_qs(callback.query)["code"][0]
    reused = again.get(callback.path, query_string={"code": code, "state": state})
    assert reused.status_code == 502 and "40163" in reused.get_data(as_text=True)


def test_inside_wechat_a_member_without_an_admin_role_is_refused(console_app, fake):
    phone = console_app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = WECHAT_UA
    location = phone.get("/admin/oauth").location
    back = urlsplit(authorize_in_fake(location, "o-member"))
    refused = phone.get(f"{back.path}?{back.query}")
    assert refused.status_code == 403
    assert "没有绑定为支部管理员" in refused.get_data(as_text=True)
    assert phone.get("/admin/").status_code == 302


def test_a_callback_without_our_state_is_refused(console_app, fake):
    browser = console_app.test_client()
    location = browser.get("/admin/oauth").location
    back = urlsplit(authorize_in_fake(location, "o-admin"))
    forged = console_app.test_client().get(f"{back.path}?{back.query}")  # another browser
    assert forged.status_code == 400
    assert console_app.test_client().get("/admin/oauth/callback").status_code == 400


def test_the_fake_refuses_bad_authorize_requests_and_unknown_codes(fake):
    bad = requests.get(f"{fake.base_url}/connect/oauth2/authorize",
                       params={"appid": "wx1", "redirect_uri": "javascript:alert(1)",
                               "response_type": "code", "scope": "snsapi_base"}, timeout=5)
    assert bad.status_code == 400
    unknown = requests.get(f"{fake.base_url}/sns/oauth2/access_token",
                           params={"appid": "wx1", "secret": "s", "code": "nope",
                                   "grant_type": "authorization_code"}, timeout=5).json()
    assert unknown["errcode"] == 40029


def test_the_sandbox_scans_a_code_by_its_ticket(console_app, fake):
    browser = console_app.test_client()
    ticket = browser.get("/admin/login/qr").get_json()["ticket"]
    tool = console_app.test_client()
    # the sandbox's own fake is the one in-process, not the test's: make a code there
    unknown = tool.post("/sandbox/scan", json={"openid": "o-admin", "ticket": ticket})
    assert unknown.status_code == 410 and "过期" in unknown.get_json()["error"]
    assert tool.post("/sandbox/scan", json={}).status_code == 400


def _scanned_in(console_app, wechat, fake, openid):  # type: ignore[no-untyped-def]
    browser = console_app.test_client()
    browser.get("/admin/login/qr")
    wechat.event(openid, "SCAN", scene_of_latest_code(fake))
    wechat.say(openid, "确认登录")
    assert browser.get("/admin/login/qr/state").get_json()["state"] == "done"
    assert browser.get("/admin/orgs").status_code == 200
    return browser


def test_unbinding_a_lost_phone_ends_the_pc_sessions_it_started(console_app, wechat, fake):
    secretary = _scanned_in(console_app, wechat, fake, "o-admin")
    officer = _scanned_in(console_app, wechat, fake, "o-officer")
    with services_of(console_app).sessions() as session:
        member = session.scalars(select(Member).where(Member.name == "李书记")).one()
        branch_id, member_id = member.branch_id, member.id
    page = officer.get(f"/admin/branch/{branch_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    unbound = officer.post(f"/admin/branch/{branch_id}/member/{member_id}/unbind",
                           data={"csrf_token": token})
    assert unbound.status_code == 302
    # the old phone can no longer send 退出电脑端: the unbinding ends its PC sessions
    assert secretary.get("/admin/orgs").status_code == 302
    assert officer.get("/admin/orgs").status_code == 200


def test_unfollowing_ends_the_pc_sessions_of_that_wechat(console_app, wechat, fake):
    secretary = _scanned_in(console_app, wechat, fake, "o-admin")
    wechat.event("o-admin", "unsubscribe")
    assert secretary.get("/admin/orgs").status_code == 302
