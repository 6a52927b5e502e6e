"""Issue 23, item 12: the pages people open send security headers (branch pages list
phone numbers), scripts run only from this origin or with the response's nonce, and an
oversized body is refused before a byte of it is parsed."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from bot import create_app
from bot.services import services_of
from core import texts
from tests.live import serving
from tests.test_console_meetings import logged_in


def assert_protected(response) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert headers["Cache-Control"] == "no-store"


def test_console_pages_json_and_exports_send_the_headers(app, county):
    assert_protected(app.test_client().get("/admin/login"))
    secretary = logged_in(app, "liaoyuan")
    assert_protected(secretary.get(f"/admin/branch/{county['liaoyuan']}"))
    assert_protected(secretary.get("/admin/login/qr/state"))
    listing = secretary.get(f"/admin/branch/{county['liaoyuan']}/members.xlsx")
    assert listing.status_code == 200
    assert_protected(listing)  # names and phone numbers
    assert_protected(secretary.get("/admin/meeting/12345"))  # a 404 too


def test_the_sandbox_pages_send_the_headers(settings, clock):
    app = create_app(settings.with_overrides(wechat_token="partybot-sandbox"), clock=clock)
    try:
        assert_protected(app.test_client().get("/sandbox/"))
    finally:
        services_of(app).dispose()


def test_the_webhook_and_health_are_left_alone(client):
    assert "Content-Security-Policy" not in client.get("/healthz").headers


def nonces_of(page: str) -> set[str]:
    return set(re.findall(r'<script nonce="([^"]+)"', page))


def test_inline_scripts_carry_this_responses_nonce_and_no_page_has_inline_handlers(
        app, county):
    secretary = logged_in(app, "liaoyuan")
    branch = county["liaoyuan"]
    for path in ["/admin/login", f"/admin/branch/{branch}", f"/admin/branch/{branch}/meetings",
                 f"/admin/branch/{branch}/meetings/new", f"/admin/branch/{branch}/pairs",
                 f"/admin/org/{branch}/study/new", "/admin/orgs"]:
        answer = secretary.get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        assert not re.search(r"<[^>]+\son[a-z]+=", page), path  # onclick=… would not run
        scripts = re.findall(r"<script\b[^>]*>", page)
        policy = answer.headers["Content-Security-Policy"]
        for tag in scripts:
            found = re.search(r'nonce="([^"]+)"', tag)
            assert 'src="/admin/static/' in tag or (found and f"'nonce-{found[1]}'" in policy)
    first = nonces_of(secretary.get(f"/admin/branch/{branch}/meetings/new").get_data(True))
    again = nonces_of(secretary.get(f"/admin/branch/{branch}/meetings/new").get_data(True))
    assert len(first) == 1 and first != again
    script = secretary.get("/admin/static/console.js")
    assert script.status_code == 200 and "data-confirm" in script.get_data(as_text=True)


def test_photos_keep_their_own_caching(app, county, clock):
    from tests.test_console_meetings import create, local_form, png_bytes

    secretary = logged_in(app, "liaoyuan")
    create(secretary, county["liaoyuan"], local_form(clock, app))
    meeting = secretary.get(f"/admin/branch/{county['liaoyuan']}/meetings")
    meeting_id = re.findall(r"/admin/meeting/(\d+)", meeting.get_data(as_text=True))[0]
    url = f"/admin/meeting/{meeting_id}/photos"
    secretary.post(url, data={"csrf_token": secretary.token,
                              "photo": (io.BytesIO(png_bytes()), "a.png")})
    page = secretary.get(f"/admin/meeting/{meeting_id}").get_data(as_text=True)
    photo = re.findall(rf"{url}/[A-Za-z0-9_-]+\.png", page)[0]
    served = secretary.get(photo)
    assert served.status_code == 200 and served.headers["Cache-Control"].startswith("private")


class CountingStream(io.RawIOBase):
    """A request body that counts what the app read of it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0  # the test client measures and rewinds what it is given

    def tell(self) -> int:
        return 0

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.left)
        buffer[:n] = b"a" * n
        self.left -= n
        self.read_bytes += n
        return n


SEVENTY_MB = 70 * 1024 * 1024


@pytest.mark.parametrize("path", ["/admin/login", "/admin/org/1/study/new", "/admin/roster"])
def test_a_strangers_70_mb_body_is_refused_before_it_is_read(client, path, caplog):
    body = CountingStream(SEVENTY_MB)
    answer = client.post(path, input_stream=body, content_type="multipart/form-data; boundary=x",
                         environ_overrides={"CONTENT_LENGTH": str(SEVENTY_MB)})
    assert answer.status_code == 413
    assert "太大" in answer.get_data(as_text=True)
    assert body.read_bytes == 0
    assert any("over the limit" in r.getMessage() for r in caplog.records)


def test_a_secretary_without_the_csrf_token_gets_no_more_than_the_upload_limit(app, county):
    secretary = logged_in(app, "liaoyuan")
    body = CountingStream(80 * 1024 * 1024)  # over the study form's 9 photos of 8 MB
    answer = secretary.post(f"/admin/org/{county['liaoyuan']}/study/new", input_stream=body,
                            content_type="multipart/form-data; boundary=x",
                            environ_overrides={"CONTENT_LENGTH": str(80 * 1024 * 1024)})
    assert answer.status_code == 413 and body.read_bytes == 0


def test_a_chunked_body_past_the_limit_is_cut_off(app):
    with serving(app) as base:
        where = urlsplit(base)
        with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
            sock.sendall(b"POST /admin/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
            chunk = b"login=" + b"a" * 65536
            try:
                for _ in range(32):  # 2 MB, far past the 64 KiB limit
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # refused before the end: fine
            answer = sock.recv(4096).decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


# The login flood: one password check at a time per machine, a bucket of 20 then 5/s.
def wrong_password(browser, login: str = "nobody"):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      browser.get("/admin/login").get_data(as_text=True))
    assert token
    return browser.post("/admin/login", data={"login": login, "password": "wrong",
                                              "csrf_token": token[1]})


def test_a_password_check_running_elsewhere_turns_the_next_away(app, settings, county,
                                                                caplog):
    from bot.console.password_gate import password_gate

    lock = password_gate(settings.instance_path).path
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_GATE, str(lock)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        answer = wrong_password(app.test_client())
    finally:
        holder.kill()
        holder.wait()
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "2"
    assert texts.CONSOLE_LOGIN_BUSY in answer.get_data(as_text=True)
    assert any("turned away" in r.getMessage() for r in caplog.records)
    assert wrong_password(app.test_client()).status_code == 401  # free again: checked


HOLD_THE_GATE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_after_a_burst_of_twenty_checks_the_rest_wait_their_turn(app, county, monkeypatch):
    from bot.console import password_gate

    monkeypatch.setattr(password_gate, "RATE", 0.0)  # no refill during the test
    browser = app.test_client()
    answers = [wrong_password(browser, f"guess-{n}").status_code for n in range(22)]
    assert answers == [401] * 20 + [429] * 2
