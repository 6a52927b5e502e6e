"""The member pages' login (/m/): WeChat web authorization (snsapi_base) against the
fake API over real HTTP, the binding page with the chat's rules, and the checks every
page relies on (CSRF, a member unbound meanwhile, the session's lifetime)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide
from models.console.audit import AuditEntry
from models.members.binding import unbind_openid
from models.members.tables import Member
from tests.conftest import TOKEN, Chat
from tests.factories import make_branch, make_meeting, make_member, make_township


@pytest.fixture
def pages_app(api_settings, clock):  # type: ignore[no-untyped-def]
    app = create_app(api_settings, clock=clock)
    with services_of(app).sessions() as session:
        branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
        secretary = make_member(session, branch, "李书记", "13800000001", openid="o-admin",
                                is_admin=True)
        make_member(session, branch, "张明", "13800000002", openid="o-zm")
        make_member(session, branch, "刘芳", "13800000003")  # not bound yet
        make_meeting(session, branch, clock() + timedelta(days=2), place="村委会二楼",
                     topic="学习党章", host_id=secretary.id)
        session.commit()
    yield app
    services_of(app).dispose()


def authorize_in_fake(location: str, openid: str) -> str:
    """What WeChat does in its browser: straight back to redirect_uri with a code."""
    import requests

    answer = requests.get(location, params={"sandbox_openid": openid},
                          allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def open_as(app, fake, openid: str, page: str = "/m/"):  # type: ignore[no-untyped-def]
    """A phone opens `page`: WeChat authorizes it as `openid`; returns the browser and
    where the callback sent it."""
    phone = app.test_client()
    first = phone.get(page)
    assert first.status_code == 302
    back = urlsplit(authorize_in_fake(first.location, openid))
    landed = phone.get(f"{back.path}?{back.query}")
    return phone, landed


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_a_page_asks_wechat_who_it_is_and_comes_back_to_the_page_first_asked(
        pages_app, fake):
    phone = pages_app.test_client()
    first = phone.get("/m/?week=2")
    assert first.status_code == 302
    assert first.location.startswith(fake.base_url + "/connect/oauth2/authorize?")
    query = parse_qs(urlsplit(first.location).query)
    assert query["scope"] == ["snsapi_base"] and query["appid"] and query["state"]
    assert query["redirect_uri"][0] == "http://localhost/m/oauth/callback"
    back = urlsplit(authorize_in_fake(first.location, "o-zm"))
    assert parse_qs(back.query)["state"] == query["state"]
    landed = phone.get(f"{back.path}?{back.query}")
    assert landed.status_code == 302 and landed.location == "/m/?week=2"
    home = phone.get("/m/")
    page = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "张明 · 辽原村党支部" in page
    assert "下一次会议" in page and "村委会二楼" in page and "学习党章" in page
    assert "主持" in page and "李书记" in page
    assert home.headers["Cache-Control"] == "no-store"
    css = phone.get("/m/static/pages.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    print(f"page weight: home {len(home.data)} bytes, css {len(css.data)} bytes")
    assert len(home.data) + len(css.data) < 12_000  # issue 26: < 60 KB a page
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]


def test_the_callback_uses_the_public_address_and_never_leaves_the_pages(
        api_settings, clock, fake):
    app = create_app(api_settings.with_overrides(public_url="https://dj.example.cn"),
                     clock=clock)
    try:
        phone = app.test_client()
        first = phone.get("/m/?x=1")
        redirect_uri = parse_qs(urlsplit(first.location).query)["redirect_uri"][0]
        assert redirect_uri == "https://dj.example.cn/m/oauth/callback"
        # a next that is not a member page (or is protocol-relative) goes home instead
        with app.test_request_context("/m/"):
            from bot.pages.access import safe_next
            assert safe_next("//evil.example/m/") == "/m/"
            assert safe_next("https://evil.example/") == "/m/"
            assert safe_next("/admin/") == "/m/"
            assert safe_next("/metrics") == "/m/"
            assert safe_next("/m/study/3") == "/m/study/3"
    finally:
        services_of(app).dispose()


def test_a_callback_without_our_state_is_refused(pages_app, fake):
    browser = pages_app.test_client()
    location = browser.get("/m/").location
    back = urlsplit(authorize_in_fake(location, "o-zm"))
    forged = pages_app.test_client().get(f"{back.path}?{back.query}")  # another browser
    assert forged.status_code == 400
    assert "没能从微信确认你的身份" in forged.get_data(as_text=True)
    assert pages_app.test_client().get("/m/oauth/callback").status_code == 400
    wrong = browser.get(back.path, query_string={"code": "x", "state": "not-ours"})
    assert wrong.status_code == 400
    # the forged callback logged nobody in
    assert browser.get("/m/").status_code == 302


def test_a_used_code_is_refused_with_wechats_reason(pages_app, fake):
    _, landed = open_as(pages_app, fake, "o-zm")
    code = parse_qs(urlsplit(landed.request.url).query)["code"][0]
    again = pages_app.test_client()
    state = parse_qs(urlsplit(again.get("/m/").location).query)["state"][0]
    reused = again.get("/m/oauth/callback", query_string={"code": code, "state": state})
    assert reused.status_code == 502 and "40163" in reused.get_data(as_text=True)


def test_a_stranger_sees_only_the_binding_page_and_binds_with_the_chats_words(
        pages_app, fake):
    phone, landed = open_as(pages_app, fake, "o-new", "/m/?from=menu")
    assert landed.status_code == 302
    to_bind = urlsplit(landed.location)
    assert to_bind.path == "/m/bind" and parse_qs(to_bind.query)["next"] == ["/m/?from=menu"]
    for page in ("/m/", "/m/?x=1"):
        refused = phone.get(page)
        assert refused.status_code == 302 and refused.location.startswith("/m/bind?next=")
    form = phone.get(landed.location)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "绑定党员身份" in html
    assert "nav" not in html.split("</main>")[1]  # no menu for a stranger
    token = csrf_of(html)
    # a format mistake is said and costs no try
    missing = phone.post("/m/bind", data={"csrf_token": token, "name": "刘芳", "phone": "12",
                                          "next": "/m/?from=menu"})
    assert missing.status_code == 400
    assert "请填写手机后四位" in missing.get_data(as_text=True)
    # no CSRF token: refused, nothing tried
    forged = phone.post("/m/bind", data={"name": "刘芳", "phone": "0003"})
    assert forged.status_code == 400 and "失效" in forged.get_data(as_text=True)
    wrong = phone.post("/m/bind", data={"csrf_token": token, "name": "刘芳", "phone": "9999",
                                        "next": "/m/?from=menu"})
    assert wrong.status_code == 400
    assert "还可以试4次" in wrong.get_data(as_text=True)  # the chat's sentence, 5 tries
    bound = phone.post("/m/bind", data={"csrf_token": token, "name": "刘芳",
                                        "phone": "１３８００００００３", "next": "/m/?from=menu"})
    assert bound.status_code == 302 and bound.location == "/m/?from=menu"
    home = phone.get("/m/").get_data(as_text=True)
    assert "绑定成功！刘芳，你已是辽原村党支部的党员。" in home  # flashed
    assert "刘芳 · 辽原村党支部" in home
    assert phone.get("/m/bind").status_code == 302  # nothing more to bind
    with services_of(pages_app).sessions() as session:
        member = session.scalars(select(Member).where(Member.name == "刘芳")).one()
        assert member.openid == "o-new"
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "member.bind")).one()
        assert entry.surface == "page" and entry.actor_name == "刘芳"


def test_wrong_guesses_lock_the_page_like_the_chat(pages_app, fake, clock):
    phone, landed = open_as(pages_app, fake, "o-guesser")
    token = csrf_of(phone.get(landed.location).get_data(as_text=True))
    answers = [phone.post("/m/bind", data={"csrf_token": token, "name": "刘芳",
                                           "phone": f"{9990 + n}"}).get_data(as_text=True)
               for n in range(5)]
    assert "还可以试1次" in answers[3]
    assert "尝试次数太多" in answers[4]
    right = phone.post("/m/bind", data={"csrf_token": token, "name": "刘芳", "phone": "0003"})
    assert right.status_code == 400 and "尝试次数太多" in right.get_data(as_text=True)
    # the chat shares the limit: the same openid is locked there too
    chat = Chat(pages_app.test_client(), WeChatSide(TOKEN), clock)
    assert "尝试次数太多" in chat.say("o-guesser", "绑定 刘芳 0003")
    clock.advance(hours=1, minutes=1)
    assert "绑定成功" in chat.say("o-guesser", "绑定 刘芳 0003")


def test_a_member_unbound_meanwhile_is_a_stranger_on_the_next_page(pages_app, fake, clock):
    phone, _ = open_as(pages_app, fake, "o-zm")
    assert phone.get("/m/").status_code == 200
    with services_of(pages_app).sessions() as session:
        unbind_openid(session, "o-zm", clock())
        session.commit()
    again = phone.get("/m/")
    assert again.status_code == 302 and again.location.startswith("/m/bind")


def test_the_login_lasts_twelve_hours(pages_app, fake, clock):
    phone, _ = open_as(pages_app, fake, "o-zm")
    clock.advance(hours=11, minutes=59)
    assert phone.get("/m/").status_code == 200
    clock.advance(minutes=2)
    expired = phone.get("/m/")
    assert expired.status_code == 302 and expired.location.startswith(fake.base_url)


def test_the_font_size_is_remembered_per_member(pages_app, fake):
    phone, _ = open_as(pages_app, fake, "o-zm")
    page = phone.get("/m/").get_data(as_text=True)
    assert '<html lang="zh-CN" class="font-standard">' in page
    chosen = phone.post("/m/font", data={"csrf_token": csrf_of(page), "size": "xlarge",
                                         "next": "/m/?from=font"})
    assert chosen.status_code == 302 and chosen.location == "/m/?from=font"
    assert 'class="font-xlarge"' in phone.get("/m/").get_data(as_text=True)
    # another phone of the same member (logged in afresh) sees the same size
    other, _ = open_as(pages_app, fake, "o-zm")
    assert 'class="font-xlarge"' in other.get("/m/").get_data(as_text=True)
    # nonsense is the standard size, never a 500
    phone.post("/m/font", data={"csrf_token": csrf_of(page), "size": "<huge>"})
    assert 'class="font-standard"' in phone.get("/m/").get_data(as_text=True)
    # someone else is unaffected
    admin, _ = open_as(pages_app, fake, "o-admin")
    assert 'class="font-standard"' in admin.get("/m/").get_data(as_text=True)


def test_the_nav_marks_the_page_and_shows_helping_only_to_helpers(pages_app, fake):
    phone, _ = open_as(pages_app, fake, "o-zm")
    page = phone.get("/m/").get_data(as_text=True)
    assert '<a href="/m/" class="active" aria-current="page">首页</a>' in page
    assert '<a href="/m/study">学习</a>' in page and "帮扶" not in page
    with services_of(pages_app).sessions() as session:
        session.scalars(select(Member).where(Member.name == "张明")).one().is_helper = True
        session.commit()
    assert '<a href="/m/helper">帮扶</a>' in phone.get("/m/").get_data(as_text=True)


def test_home_shows_todays_study_item(pages_app, fake, clock):
    chat = Chat(pages_app.test_client(), WeChatSide(TOKEN), clock)
    assert "已发布" in chat.say("o-admin", "发布 学习党章第一章\n请各位党员认真学习。")
    phone, _ = open_as(pages_app, fake, "o-zm")
    page = phone.get("/m/").get_data(as_text=True)
    found = re.search(r'<a class="item" href="/m/study/(\d+)">', page)
    assert found and "学习党章第一章" in page


def test_a_refused_action_is_flashed_and_a_missing_thing_is_a_chinese_404(
        api_settings, clock, fake, monkeypatch):
    """What a page helper's area gets for free: a DomainError rolled back and its
    sentence flashed on the page the form was on; abort(404) as a page in the frame."""
    from types import SimpleNamespace

    from flask import Blueprint, abort

    import bot.pages
    from bot.console.request_db import db
    from bot.pages.access import current_member, member_required
    from models.errors import StudyError

    area = Blueprint("trial", __name__)

    @area.post("/trial")
    @member_required
    def trial():  # type: ignore[no-untyped-def]
        current_member().name = "改掉的名字"
        db().flush()
        raise StudyError("PAGES_NO_STUDY")

    @area.get("/trial/<int:number>")
    @member_required
    def missing(number: int):  # type: ignore[no-untyped-def]
        abort(404)

    monkeypatch.setattr(bot.pages, "AREAS", (*bot.pages.AREAS, SimpleNamespace(bp=area)))
    app = create_app(api_settings, clock=clock)
    try:
        with services_of(app).sessions() as session:
            branch = make_branch(session, "辽原村党支部", make_township(session, "东乡党委"))
            make_member(session, branch, "张明", "13800000002", openid="o-zm")
            session.commit()
        phone, _ = open_as(app, fake, "o-zm")
        token = csrf_of(phone.get("/m/").get_data(as_text=True))
        refused = phone.post("/m/trial", data={"csrf_token": token},
                             headers={"Referer": "http://localhost/m/?tab=2"})
        assert refused.status_code == 302 and refused.location == "/m/?tab=2"
        flashed = '<p class="flash" role="status">还没有学习内容。</p>'
        assert flashed in phone.get("/m/").get_data(as_text=True)
        with services_of(app).sessions() as session:  # rolled back
            assert session.scalars(select(Member.name)).all() == ["张明"]
        missing = phone.get("/m/trial/7")
        assert missing.status_code == 404
        assert "没有找到这个页面" in missing.get_data(as_text=True)
    finally:
        services_of(app).dispose()


def test_two_links_opened_at_once_both_come_back(pages_app, fake):
    phone = pages_app.test_client()
    first = phone.get("/m/?link=1").location
    second = phone.get("/m/?link=2").location
    back_second = urlsplit(authorize_in_fake(second, "o-zm"))
    back_first = urlsplit(authorize_in_fake(first, "o-zm"))
    landed = phone.get(f"{back_first.path}?{back_first.query}")
    assert landed.status_code == 302 and landed.location == "/m/?link=1"
    landed = phone.get(f"{back_second.path}?{back_second.query}")
    assert landed.status_code == 302 and landed.location == "/m/?link=2"
    # each state works once
    again = phone.get(f"{back_second.path}?{back_second.query}")
    assert again.status_code == 400
