"""Safe (AES) and compatible mode, and WeChat's own sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import create_app
from bot.services import services_of
from bot.simulator import WeChatSide, text_xml
from core.config import Settings
from core.signing import BadSignature, Envelope
from tests.conftest import AES_KEY, TOKEN, Chat

# A verbatim copy of ../shared/wechat/official-sample.json (CI clones only this repo).
SAMPLE = json.loads((Path(__file__).parent / "data" / "official-sample.json").read_text())
APP_ID = "wx0123456789abcdef"


@pytest.fixture
def aes_app(settings: Settings, clock):
    app = create_app(
        settings.with_overrides(encoding_aes_key=AES_KEY, app_id=APP_ID, app_secret="s"),
        clock=clock,
    )
    yield app
    services_of(app).dispose()


@pytest.fixture
def aes_chat(aes_app, clock) -> Chat:
    return Chat(aes_app.test_client(), WeChatSide(TOKEN, AES_KEY, APP_ID), clock)


def test_safe_mode_round_trip(aes_chat):
    response = aes_chat.post_xml(text_xml("o-safe", "帮助"))
    assert response.status_code == 200
    assert b"<Encrypt>" in response.data  # the reply is encrypted back
    assert "绑定" in aes_chat.side.open_reply(response.data).content


def test_compatible_mode_round_trip(aes_chat):
    reply = aes_chat.send_xml(text_xml("o-compat", "帮助"), compatible=True)
    assert "绑定" in reply.content


def test_safe_mode_wrong_msg_signature_403(aes_chat, clock):
    signed = aes_chat.side.sign_request(text_xml("o1", "帮助"), timestamp=int(clock().timestamp()))
    query = signed.query.replace("msg_signature=", "msg_signature=0")
    response = aes_chat.client.post(f"/wechat?{query}", data=signed.body)
    assert response.status_code == 403


def test_safe_mode_garbage_ciphertext_400(aes_chat, clock):
    from urllib.parse import urlencode

    from core.signing import sign

    ts, nonce, encrypt = str(int(clock().timestamp())), "7", "bm90IGEgY2lwaGVydGV4dA=="
    query = urlencode({"timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
                       "msg_signature": sign(TOKEN, ts, nonce, encrypt)})
    body = f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()
    response = aes_chat.client.post(f"/wechat?{query}", data=body)
    assert response.status_code == 400


def test_encrypted_message_without_key_configured_400(client, clock):
    side = WeChatSide(TOKEN, AES_KEY, APP_ID)
    signed = side.sign_request(text_xml("o1", "帮助"), timestamp=int(clock().timestamp()))
    assert client.post(f"/wechat?{signed.query}", data=signed.body).status_code == 400


def test_plain_message_refused_when_key_configured(aes_app, clock, caplog):
    """Safe mode means safe: a plaintext POST (no encrypt_type) is refused, not handled
    as plain mode."""
    plain = Chat(aes_app.test_client(), WeChatSide(TOKEN), clock)
    response = plain.post_xml(text_xml("o1", "帮助"))
    assert response.status_code == 403
    assert "plaintext" in caplog.text


def test_reused_safe_mode_query_with_plaintext_scan_refused(aes_chat, clock):
    """The query string of a real encrypted message (from an access log) carries a valid
    plain `signature`; replayed without encrypt_type over a forged plaintext SCAN it
    must not reach a handler."""
    from urllib.parse import parse_qsl, urlencode

    from bot.simulator import event_xml

    now = int(clock().timestamp())
    real = aes_chat.side.sign_request(text_xml("o-admin", "帮助"), timestamp=now)
    assert aes_chat.client.post(f"/wechat?{real.query}", data=real.body).status_code == 200
    stripped = urlencode([(k, v) for k, v in parse_qsl(real.query)
                          if k not in ("encrypt_type", "msg_signature")])
    forged = event_xml("o-attacker", "SCAN", "login:whatever", create_time=now)
    response = aes_chat.client.post(f"/wechat?{stripped}", data=forged.encode())
    assert response.status_code == 403


@pytest.fixture
def compat_app(settings: Settings, clock):
    app = create_app(
        settings.with_overrides(encoding_aes_key=AES_KEY, app_id=APP_ID, app_secret="s",
                                compatible_mode=True),
        clock=clock,
    )
    yield app
    services_of(app).dispose()


def test_plain_message_accepted_in_explicit_compatible_mode(compat_app, clock):
    plain = Chat(compat_app.test_client(), WeChatSide(TOKEN), clock)
    assert "绑定" in plain.say("o1", "帮助")


def test_compatible_mode_binds_the_query_to_the_encrypted_message(compat_app, clock):
    """Even with plaintext allowed, the signed query of an encrypted message cannot be
    reused for another (plaintext) message."""
    from urllib.parse import parse_qsl, urlencode

    client = compat_app.test_client()
    side = WeChatSide(TOKEN, AES_KEY, APP_ID)
    now = int(clock().timestamp())
    real = side.sign_request(text_xml("o-admin", "帮助", create_time=now), timestamp=now)
    assert client.post(f"/wechat?{real.query}", data=real.body).status_code == 200
    stripped = urlencode([(k, v) for k, v in parse_qsl(real.query)
                          if k not in ("encrypt_type", "msg_signature")])
    forged = text_xml("o-attacker", "帮助", create_time=now)
    assert client.post(f"/wechat?{stripped}", data=forged.encode()).status_code == 403


# WeChat's own sample (../shared/wechat/official-sample.json)

def test_official_sample_decrypts_exactly():
    envelope = Envelope(SAMPLE["token"], SAMPLE["encoding_aes_key"], SAMPLE["app_id"])
    plain = envelope.open(SAMPLE["encrypt"], SAMPLE["msg_signature"], SAMPLE["timestamp"],
                          SAMPLE["nonce"])
    assert plain.decode("utf-8") == SAMPLE["plaintext"]


def test_official_sample_rejects_changed_signature_and_other_app_id():
    envelope = Envelope(SAMPLE["token"], SAMPLE["encoding_aes_key"], SAMPLE["app_id"])
    with pytest.raises(BadSignature):
        envelope.open(SAMPLE["encrypt"], "0" + SAMPLE["msg_signature"][1:], SAMPLE["timestamp"],
                      SAMPLE["nonce"])
    other = Envelope(SAMPLE["token"], SAMPLE["encoding_aes_key"], "wx0000000000000000")
    with pytest.raises(BadSignature):
        other.open(SAMPLE["encrypt"], SAMPLE["msg_signature"], SAMPLE["timestamp"],
                   SAMPLE["nonce"])


@pytest.fixture
def sample_app(settings: Settings, clock):
    app = create_app(settings.with_overrides(
        wechat_token=SAMPLE["token"], encoding_aes_key=SAMPLE["encoding_aes_key"],
        app_id=SAMPLE["app_id"], app_secret="s", timestamp_tolerance=0,
    ), clock=clock)
    yield app
    services_of(app).dispose()


def _post_sample(app, msg_signature: str):
    from urllib.parse import urlencode

    query = urlencode({"timestamp": SAMPLE["timestamp"], "nonce": SAMPLE["nonce"],
                       "encrypt_type": "aes", "msg_signature": msg_signature})
    return app.test_client().post(f"/wechat?{query}", data=SAMPLE["body_compatible_mode"])


def test_official_sample_through_the_webhook(sample_app):
    response = _post_sample(sample_app, SAMPLE["msg_signature"])
    assert response.status_code == 200
    side = WeChatSide(SAMPLE["token"], SAMPLE["encoding_aes_key"], SAMPLE["app_id"])
    reply = side.open_reply(response.data)
    assert "oyORnuP8q7ou2gfYjqLzSIWZf0rs" in reply.xml  # answered to the sample's sender
    assert "帮助" in reply.content  # "abcdteT" is not a command: pointed to 帮助


def test_official_sample_changed_signature_403(sample_app):
    bad = "1" + SAMPLE["msg_signature"][1:]
    assert _post_sample(sample_app, bad).status_code == 403


def test_official_sample_other_app_id_403(settings, clock):
    app = create_app(settings.with_overrides(
        wechat_token=SAMPLE["token"], encoding_aes_key=SAMPLE["encoding_aes_key"],
        app_id="wx0000000000000000", app_secret="s", timestamp_tolerance=0,
    ), clock=clock)
    assert _post_sample(app, SAMPLE["msg_signature"]).status_code == 403
    services_of(app).dispose()
