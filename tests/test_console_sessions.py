"""Console sessions live on the server (issue 23, item 4): logging out ends the session
even for a copied cookie, 「退出所有设备」 ends every session of the account, and a session
ends 12 hours after login however busy it is (besides 2 hours idle)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from models.console.sessions import ConsoleSession
from tests.conftest import CONSOLE_PASSWORD


def csrf(client: FlaskClient, path: str = "/admin/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def log_in(client: FlaskClient, login: str = "east-it") -> None:
    answer = client.post("/admin/login", data={"login": login, "password": CONSOLE_PASSWORD,
                                               "csrf_token": csrf(client)})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def copy_of(app, client: FlaskClient) -> FlaskClient:  # type: ignore[no-untyped-def]
    """Another browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def logged_in(client: FlaskClient) -> bool:
    return client.get("/admin/").status_code == 200


def test_a_copied_cookie_stops_working_at_logout(app, client, county):
    log_in(client)
    assert logged_in(copy_of(app, client))  # a copy works while the session lives
    token = csrf(client, "/admin/")
    thief = copy_of(app, client)
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert not logged_in(client)
    # the copy made before the logout posts a form with the CSRF token it holds
    saved = thief.post("/admin/logout/all", data={"csrf_token": token})
    assert saved.status_code == 302 and "/admin/login" in saved.headers["Location"]
    assert not logged_in(thief)


def test_log_out_everywhere_ends_every_session_of_the_account(app, client, county, session):
    log_in(client)
    phone, other_account = app.test_client(), app.test_client()
    log_in(phone)
    log_in(other_account, "west-it")
    page = client.get("/admin/").get_data(as_text=True)
    assert "退出所有设备" in page
    answer = client.post("/admin/logout/all", data={"csrf_token": csrf(client, "/admin/")})
    assert answer.status_code == 302
    assert not logged_in(client) and not logged_in(phone)
    assert logged_in(other_account)  # another account is not touched
    ended = session.scalars(select(ConsoleSession).where(
        ConsoleSession.account_key.like("user:%"), ConsoleSession.ended_at.is_not(None)))
    assert len(list(ended)) == 2


def test_a_session_ends_twelve_hours_after_login_however_busy(client, county, clock):
    log_in(client)
    for _ in range(11):
        clock.advance(hours=1)
        assert logged_in(client)
    clock.advance(minutes=59)
    assert logged_in(client)
    clock.advance(minutes=2)
    answer = client.get("/admin/")
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


def test_idle_two_hours_ends_the_session_on_the_server_too(app, client, county, clock):
    log_in(client)
    thief = copy_of(app, client)
    clock.advance(hours=2, minutes=1)
    assert not logged_in(client) and not logged_in(thief)


def test_a_cookie_without_a_server_session_is_not_logged_in(app, county):
    """An old-style cookie that names the account itself (signed with the same key)."""
    browser = app.test_client()
    with browser.session_transaction("/admin/") as cookie:
        cookie["account"] = "user:1"
        cookie["seen"] = 10 ** 12
    assert not logged_in(browser)


def test_a_new_password_ends_every_session_of_the_account(client, county, database_url,
                                                          tmp_path, monkeypatch):
    from click.testing import CliRunner

    from bot.cli.main import main
    from tests.procs import command_env

    log_in(client)
    for name, value in command_env(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    changed = CliRunner().invoke(main, ["console-user", "password", "east-it"],
                                 input="a brand new secret\n")
    assert changed.exit_code == 0, changed.output
    assert "1 个登录都已退出" in changed.output and "a brand new secret" not in changed.output
    assert not logged_in(client)
    old = client.post("/admin/login", data={"login": "east-it", "password": CONSOLE_PASSWORD,
                                            "csrf_token": csrf(client)})
    assert old.status_code == 401
    new = client.post("/admin/login", data={"login": "east-it", "password": "a brand new secret",
                                            "csrf_token": csrf(client)})
    assert new.status_code == 302
    unknown = CliRunner().invoke(main, ["console-user", "password", "nobody"],
                                 input="a brand new secret\n")
    assert unknown.exit_code != 0 and "没有账号「nobody」" in unknown.output


def test_the_phone_ends_the_password_sessions_of_its_member_too(app, county, chat):
    browser = app.test_client()
    log_in(browser, "liaoyuan")  # the password account linked to 李书记 (o-admin)
    assert browser.get("/admin/orgs").status_code == 200
    assert "1 个登录" in chat.say("o-admin", "退出电脑端")
    assert browser.get("/admin/orgs").status_code == 302
