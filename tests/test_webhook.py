"""The webhook's doors: verification, signatures, timestamps, sizes, malformed bodies."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from bot.simulator import event_xml, message_xml, text_xml
from core.signing import sign
from tests.conftest import TOKEN


def _signed_query(clock, token: str = TOKEN, **extra: str) -> str:
    ts = str(int(clock().timestamp()))
    return urlencode({"signature": sign(token, ts, "42"), "timestamp": ts, "nonce": "42", **extra})


def test_url_verification_echoes(client, clock):
    response = client.get(f"/wechat?{_signed_query(clock, echostr='hello123')}")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello123"


def test_url_verification_bad_signature_403(client, clock):
    response = client.get(f"/wechat?{_signed_query(clock, token='other', echostr='x')}")
    assert response.status_code == 403


def test_url_verification_missing_params_400(client):
    assert client.get("/wechat?echostr=x").status_code == 400


def test_text_message_gets_text_reply(chat):
    assert "绑定" in chat.say("o-stranger", "帮助")


def test_bad_signature_403_and_handler_not_run(client, clock, chat):
    body = text_xml("o1", "帮助").encode()
    response = client.post(f"/wechat?{_signed_query(clock, token='wrong')}", data=body)
    assert response.status_code == 403
    assert b"Traceback" not in response.data


def test_missing_signature_400(client):
    response = client.post("/wechat", data=text_xml("o1", "帮助").encode())
    assert response.status_code == 400


def test_stale_timestamp_403(chat, clock):
    response = chat.post_xml(text_xml("o1", "帮助"), timestamp=int(clock().timestamp()) - 301)
    assert response.status_code == 403
    response = chat.post_xml(text_xml("o1", "帮助"), timestamp=int(clock().timestamp()) + 301)
    assert response.status_code == 403


def test_timestamp_check_can_be_turned_off(settings, clock):
    from bot import create_app
    from bot.simulator import WeChatSide
    from tests.conftest import Chat

    app = create_app(settings.with_overrides(timestamp_tolerance=0), clock=clock)
    old_chat = Chat(app.test_client(), WeChatSide(TOKEN), clock)
    response = old_chat.post_xml(text_xml("o1", "帮助"), timestamp=1_000_000_000)
    assert response.status_code == 200


def test_oversized_body_413(client, clock):
    body = text_xml("o1", "x" * (64 * 1024)).encode()
    response = client.post(f"/wechat?{_signed_query(clock)}", data=body)
    assert response.status_code == 413


BAD_BODIES = {
    "not xml": b"hello there",
    "empty": b"",
    "truncated": text_xml("o1", "帮助").encode()[:-10],
    "no MsgType": b"<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime></xml>",
    "no sender": b"<xml><MsgType>text</MsgType><CreateTime>1</CreateTime></xml>",
    "bad CreateTime": b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType>"
                      b"<CreateTime>soon</CreateTime></xml>",
    "invalid utf-8": b"<xml><FromUserName>\xff\xfe</FromUserName><MsgType>text</MsgType></xml>",
    "wrong root": b"<message><MsgType>text</MsgType></message>",
    "too deep": b"<xml><a><b><c>1</c></b></a><MsgType>text</MsgType></xml>",
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType>"
        b"<CreateTime>1</CreateTime><Content>&lol3;</Content></xml>"
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType>"
        b"<CreateTime>1</CreateTime><Content>&xxe;</Content></xml>"
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://evil.example/x.dtd">'
        b"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType>"
        b"<CreateTime>1</CreateTime></xml>"
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_malformed_body_400(client, clock, name):
    response = client.post(f"/wechat?{_signed_query(clock)}", data=BAD_BODIES[name])
    assert response.status_code == 400, name
    assert b"Traceback" not in response.data
    assert b"passwd" not in response.data


@pytest.mark.parametrize("msg_type", ["file", "miniprogrampage"])
def test_unknown_message_types_get_success(chat, msg_type):
    reply = chat.send_xml(message_xml("o1", msg_type, {"Title": "t"}))
    assert reply.is_success


def test_unknown_event_gets_success(chat):
    assert chat.send_xml(event_xml("o1", "VIEW", "https://example.com")).is_success


def test_reply_cannot_be_broken_by_cdata_end(chat):
    reply = chat.say("o1", "]]><evil/>")
    assert "]]><evil/>" in reply


def test_rejects_are_logged_with_reason(client, clock, caplog):
    client.post(f"/wechat?{_signed_query(clock, token='bad')}", data=b"<xml/>")
    assert any("signature mismatch" in r.getMessage() for r in caplog.records)
