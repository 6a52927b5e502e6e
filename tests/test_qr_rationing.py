"""QR codes cost a WeChat call and a row: the login page's are rationed per client
address, stale login tickets go, and a meeting's sign-in sheet makes its code once
(issue 23, item 9)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from bot import create_app
from bot.services import services_of
from core import texts
from models.console.logins import LoginTicket
from models.meetings.tables import Meeting
from tests.test_console_meetings import create, local_form, logged_in

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def qr_app(api_settings, clock, county) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(api_settings.with_overrides(login_qr_per_minute=5), clock=clock)
    yield app
    services_of(app).dispose()


def _tickets(app: Flask) -> int:
    with services_of(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(LoginTicket)) or 0


def test_cookieless_login_qr_requests_are_rationed_per_address(qr_app, fake, clock, caplog):
    """A loop without cookies: 5 codes a minute for one address, then 429 in Chinese."""
    answers = [qr_app.test_client(use_cookies=False).get("/admin/login/qr", environ_base=REMOTE)
               for _ in range(40)]
    assert [a.status_code for a in answers].count(200) == 5
    refused = answers[-1]
    assert refused.status_code == 429 and refused.get_json()["error"] == texts.CONSOLE_QR_TOO_MANY
    assert fake.state.calls["qrcode/create"] == 5 and _tickets(qr_app) == 5
    assert "203.0.113.9" in caplog.text and "too many login QR codes" in caplog.text
    # another address is not held up by this one
    other = qr_app.test_client().get("/admin/login/qr",
                                     environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert other.status_code == 200
    clock.advance(seconds=61)
    again = qr_app.test_client().get("/admin/login/qr", environ_base=REMOTE)
    assert again.status_code == 200


def test_a_browser_with_its_cookie_never_hits_the_limit(qr_app, fake):
    browser = qr_app.test_client()
    for _ in range(20):
        assert browser.get("/admin/login/qr", environ_base=REMOTE).status_code == 200
    assert fake.state.calls["qrcode/create"] == 1


def test_stale_login_tickets_are_deleted(qr_app, fake, clock):
    for _ in range(3):
        qr_app.test_client(use_cookies=False).get("/admin/login/qr")
    assert _tickets(qr_app) == 3
    clock.advance(minutes=10)  # long past scanning, confirming and claiming
    qr_app.test_client().get("/admin/login/qr")
    assert _tickets(qr_app) == 1


def test_the_sign_in_sheet_makes_its_code_once_per_meeting(qr_app, fake, clock, county):
    browser = logged_in(qr_app, "liaoyuan")
    assert create(browser, county["liaoyuan"], local_form(clock, qr_app)).status_code == 302
    with services_of(qr_app).sessions() as session:
        meeting = session.scalars(select(Meeting)).one()
    before = fake.state.calls["qrcode/create"]
    pages = [browser.get(f"/admin/meeting/{meeting.id}/sheet").get_data(as_text=True)
             for _ in range(5)]
    assert fake.state.calls["qrcode/create"] == before + 1
    assert all("<svg" in page for page in pages) and len(set(pages)) == 1
    # moved a week later: the code no longer lasts to the meeting, so a new one, once
    with services_of(qr_app).sessions() as session:
        moved = session.get(Meeting, meeting.id)
        assert moved is not None
        moved.starts_at += timedelta(days=7)
        moved.ends_at += timedelta(days=7)
        session.commit()
    for _ in range(3):
        browser.get(f"/admin/meeting/{meeting.id}/sheet")
    assert fake.state.calls["qrcode/create"] == before + 2


def test_behind_a_trusted_proxy_the_ration_is_per_real_client(settings, clock, fake):
    """Behind nginx every request comes from 127.0.0.1: without PARTYBOT_PROXIES one client
    could spend everyone's login codes (and a sandbox would serve the world)."""
    from bot import create_app
    from bot.services import services_of

    app = create_app(settings.with_overrides(api_base_url=fake.base_url, api_timeout=0.5,
                                             proxies=1), clock=clock)
    try:
        def ask(client_address: str) -> int:
            browser = app.test_client()
            return browser.get("/admin/login/qr", headers={
                "X-Forwarded-For": client_address}).status_code

        assert [ask("198.51.100.7") for _ in range(6)][-1] == 429
        assert ask("198.51.100.8") == 200  # another person behind the same nginx
    finally:
        services_of(app).dispose()
