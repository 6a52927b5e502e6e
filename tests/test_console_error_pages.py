"""Issue 25, item 15: a wrong, refused or failed /admin page answers in Chinese inside
the console's frame with a way back (the webhook's machine answers stay as they were);
no English on the login page; on a phone, WeChat's own way in comes before the QR code."""

from __future__ import annotations

import re

import pytest

from tests.test_console_meetings import logged_in

ENGLISH_WORDS = re.compile(r">[^<]*\b(not found|forbidden|bad request|internal error|"
                           r"partybot|console-user)\b", re.IGNORECASE)

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
ANDROID_WECHAT = ("Mozilla/5.0 (Linux; Android 13; V2049A) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.44")
PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def visible_text(page: str) -> str:
    """What a reader sees: the body without scripts and styles."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def assert_console_error(answer, status: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    page = answer.get_data(as_text=True)
    assert answer.status_code == status
    assert answer.content_type.startswith("text/html")
    assert '<header>' in page and "党建管理后台" in page  # the console's frame
    assert not ENGLISH_WORDS.search(page), ENGLISH_WORDS.search(page)
    for word in words:
        assert word in visible_text(page), word


@pytest.mark.parametrize("path", ["/admin/no-such-page", "/admin/branch/99999",
                                  "/admin/meeting/abc", "/admin/org/123456789012"])
def test_a_wrong_address_gets_a_chinese_page_with_a_way_back(app, county, path):
    answer = logged_in(app, "east-it").get(path)
    assert_console_error(answer, 404, "找不到这个页面", "回到首页")
    assert 'href="/admin/"' in answer.get_data(as_text=True)


def test_out_of_scope_and_refused_pages_say_why_in_chinese(app, county):
    east = logged_in(app, "east-it")
    assert_console_error(east.get(f"/admin/branch/{county['far']}"), 404, "找不到这个页面",
                         "不在你的管理范围内")
    secretary = logged_in(app, "liaoyuan")
    refused = secretary.post(f"/admin/org/{county['liaoyuan']}/rename",
                             data={"name": "x村党支部", "csrf_token": secretary.token},
                             headers={"Referer": "http://localhost/admin/orgs"})
    assert_console_error(refused, 403, "没有权限", "组织架构只能由乡镇和县里的管理员调整",
                         "返回上一页")
    no_token = east.post(f"/admin/org/{county['liaoyuan']}/rename", data={"name": "某村"})
    assert_console_error(no_token, 400, "请求有误", "刷新后再试")
    wrong_method = east.put("/admin/orgs")
    assert_console_error(wrong_method, 405, "不要直接输入地址")


def test_a_stranger_is_offered_the_login_page(app, county):
    answer = app.test_client().get("/admin/nothing-here")
    assert_console_error(answer, 404, "去登录")
    assert 'href="/admin/login"' in answer.get_data(as_text=True)


def test_a_failure_inside_the_console_is_a_chinese_500(app, county, monkeypatch):
    from bot.console import overview

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(overview, "render_template", broken)
    answer = logged_in(app, "east-it").get("/admin/")
    assert_console_error(answer, 500, "出错了", "已记录下来")
    assert "boom" not in answer.get_data(as_text=True)


def test_machine_endpoints_keep_their_plain_answers(app):
    client = app.test_client()
    for path in ("/no-such-thing", "/wechat/nothing", "/administrator"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.get_data(as_text=True) == "not found"
        assert answer.content_type.startswith("text/plain")


def test_the_login_page_speaks_chinese_only(app):
    page = app.test_client().get("/admin/login").get_data(as_text=True)
    assert "partybot" not in visible_text(page) and "console-user" not in page
    assert "<title>登录 · 党建管理后台</title>" in page
    assert "请县里管理系统的同志开通。" in page


@pytest.mark.parametrize("agent", [IPHONE, ANDROID_WECHAT])
def test_on_a_phone_the_wechat_way_in_comes_before_the_qr_code(app, agent):
    page = app.test_client().get("/admin/login", headers={"User-Agent": agent}) \
        .get_data(as_text=True)
    assert 'class="login-ways phone"' in page
    assert page.index('id="wechat-way"') < page.index('id="scan"')
    assert "用微信直接进入" in page and "/admin/oauth" in page
    if "MicroMessenger" in agent:
        assert "你正在微信里" in page


def test_on_a_pc_the_qr_code_is_the_way_in(app):
    page = app.test_client().get("/admin/login", headers={"User-Agent": PC}) \
        .get_data(as_text=True)
    assert 'class="login-ways"' in page  # the WeChat card shows only on narrow screens


def test_every_console_page_title_is_chinese(app, county):
    east = logged_in(app, "east-it")
    for path in ("/admin/", "/admin/orgs", "/admin/audit",
                 f"/admin/branch/{county['liaoyuan']}"):
        page = east.get(path).get_data(as_text=True)
        assert "partybot" not in visible_text(page), path
        assert re.search(r"<title>[^<]*党建管理后台</title>", page), path
