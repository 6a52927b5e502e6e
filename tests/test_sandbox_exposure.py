"""Sandbox mode served on a public address (`partybot run --host 0.0.0.0`): the public
sandbox token, the follower list and the fake's controls stay with this machine
(issue 23, item 5)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, event_xml, text_xml
from core.config import ConfigError, Settings, load_settings
from tests.conftest import TOKEN

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def sandbox_app(api_settings: Settings, clock) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(api_settings.with_overrides(allowed_hosts=("partybot.lan",)),
                     clock=clock)
    yield app
    services_of(app).dispose()


def _signed(clock, xml: str) -> str:  # type: ignore[no-untyped-def]
    """The query WeChat would send; tests run the sandbox with conftest's TOKEN."""
    return WeChatSide(TOKEN).sign_request(xml, timestamp=int(clock().timestamp())).query


def test_remote_client_cannot_use_the_public_sandbox_token(sandbox_app, clock, county):
    """A forged SCAN signed with the well-known sandbox token, from another machine."""
    remote = sandbox_app.test_client()
    now = int(clock().timestamp())
    xml = event_xml("o-admin", "SCAN", "login:abc", create_time=now)
    response = remote.post(f"/wechat?{_signed(clock, xml)}", data=xml.encode(),
                           environ_base=REMOTE)
    assert response.status_code == 403
    local = sandbox_app.test_client()
    xml = text_xml("o-admin", "帮助", create_time=now)
    assert local.post(f"/wechat?{_signed(clock, xml)}", data=xml.encode()).status_code == 200


def test_login_page_lists_followers_to_loopback_clients_only(sandbox_app, county):
    remote_page = sandbox_app.test_client().get("/admin/login", environ_base=REMOTE)
    assert remote_page.status_code == 200
    assert "李书记" not in remote_page.get_data(as_text=True)
    assert 'id="scan-as"' not in remote_page.get_data(as_text=True)
    local_page = sandbox_app.test_client().get("/admin/login")
    assert "李书记" in local_page.get_data(as_text=True)


def test_login_qr_gives_its_ticket_to_loopback_clients_only(sandbox_app, county):
    remote = sandbox_app.test_client().get("/admin/login/qr", environ_base=REMOTE)
    assert remote.status_code == 200 and "ticket" not in remote.get_json()
    local = sandbox_app.test_client().get("/admin/login/qr")
    assert "ticket" in local.get_json()


@pytest.mark.parametrize("path", ["/sandbox/_fake/messages?openid=x", "/sandbox/",
                                  "/admin/login", "/wechat"])
def test_dns_rebound_host_is_refused(sandbox_app, path, caplog):
    """A page on evil.example resolved to 127.0.0.1 reaches us with its own Host."""
    client = sandbox_app.test_client()
    response = client.get(path, headers={"Host": "evil.example:5000"})
    assert response.status_code == 400
    assert "evil.example" in caplog.text


@pytest.mark.parametrize("host", ["localhost:5000", "127.0.0.1", "[::1]:5000",
                                  "partybot.lan:5000", "LOCALHOST"])
def test_loopback_and_configured_hosts_are_served(sandbox_app, host):
    client = sandbox_app.test_client()
    assert client.get("/sandbox/_fake/messages?openid=x",
                      headers={"Host": host}).status_code == 200


def test_fake_controls_take_json_only(sandbox_app):
    """A cross-site form or text/plain POST (no preflight) cannot drive the fake."""
    client: FlaskClient = sandbox_app.test_client()
    assert client.post("/sandbox/_fake/reset", data="{}",
                       content_type="text/plain").status_code == 415
    assert client.post("/sandbox/_fake/faults", data={"errcode": "45015"}).status_code == 415
    assert client.post("/sandbox/_fake/reset", json={}).status_code == 200


def test_real_account_has_no_host_check(settings, clock):
    """Behind a real domain the Host is the operator's business (and WeChat's)."""
    app = create_app(settings.with_overrides(app_id="wx1", app_secret="s",
                                             wechat_token="t", wechat_token_configured=True),
                     clock=clock)
    try:
        response = app.test_client().get("/healthz", headers={"Host": "bot.example.org"})
        assert response.status_code in (200, 503)
    finally:
        services_of(app).dispose()


def test_allowed_hosts_setting(tmp_path):
    settings = load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path),
                              "PARTYBOT_ALLOWED_HOSTS": " partybot.lan, 192.168.1.5 ,"},
                             dotenv_path=None)
    assert settings.allowed_hosts == ("partybot.lan", "192.168.1.5")
    with pytest.raises(ConfigError, match="PARTYBOT_ALLOWED_HOSTS"):
        load_settings({"PARTYBOT_INSTANCE_PATH": str(tmp_path),
                       "PARTYBOT_ALLOWED_HOSTS": "http://partybot.lan/"}, dotenv_path=None)


@pytest.mark.parametrize(("address", "local"), [
    ("127.0.0.1", True), ("127.3.4.5", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("::ffff:192.0.2.2", False), ("192.0.2.2", False), ("", False), (None, False),
    ("not an address", False)])
def test_which_client_addresses_are_this_machine(address, local):
    from bot.sandbox.exposure import is_loopback

    assert is_loopback(address) is local
