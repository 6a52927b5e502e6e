"""Building messages the way WeChat's servers do: for `partybot chat`, tests, benchmarks.

`WeChatSide` makes a user's message XML, signs it (and encrypts it when an AES key is
given) into the query string and body WeChat would POST, and opens the reply.
"""

from __future__ import annotations

import itertools
import random
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from core import texts
from core.signing import Envelope, sign
from core.wxml import cdata

ACCOUNT = "gh_partybot"
_msg_ids = itertools.count(int(time.time() * 1000) * 1000 + random.randrange(1000))


def next_msg_id() -> str:
    """A fresh MsgId (unique within this process, unlikely to clash across runs)."""
    return str(next(_msg_ids))


def message_xml(openid: str, msg_type: str, fields: dict[str, str], create_time: int | None = None,
                msg_id: str | None = None, to_user: str = ACCOUNT) -> str:
    """The XML of one user message or event, as WeChat sends it."""
    parts = [
        f"<ToUserName>{cdata(to_user)}</ToUserName>",
        f"<FromUserName>{cdata(openid)}</FromUserName>",
        f"<CreateTime>{int(time.time()) if create_time is None else create_time}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    parts += [f"<{name}>{cdata(value)}</{name}>" for name, value in fields.items()]
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id or next_msg_id()}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(openid: str, content: str, **kwargs: object) -> str:
    """A text message."""
    return message_xml(openid, "text", {"Content": content}, **kwargs)  # type: ignore[arg-type]


def event_xml(openid: str, event: str, event_key: str | None = None, **kwargs: object) -> str:
    """An event (subscribe, unsubscribe, CLICK, SCAN, ...)."""
    fields = {"Event": event}
    if event_key is not None:
        fields["EventKey"] = event_key
    return message_xml(openid, "event", fields, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Signed:
    """A request ready to POST: query string and body."""

    query: str
    body: bytes


@dataclass(frozen=True)
class Reply:
    """An opened reply: the raw XML and its main fields."""

    xml: str
    msg_type: str
    content: str  # text content, or the news titles, pictures and urls joined by newlines

    @property
    def is_success(self) -> bool:
        """WeChat's "nothing to say"."""
        return self.xml in ("success", "")


class WeChatSide:
    """Signs (and in safe mode encrypts) requests for one account configuration."""

    def __init__(self, token: str, aes_key: str | None = None, app_id: str = "") -> None:
        self.token = token
        self.envelope = Envelope(token, aes_key, app_id) if aes_key else None

    def sign_request(self, xml: str, timestamp: int | None = None, nonce: str | None = None,
                     compatible: bool = False) -> Signed:
        """Query and body as WeChat would POST them (AES when a key is configured)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        # secrets, not random: a test framework that seeds `random` (hypothesis) would
        # repeat nonces, and a repeated signature with another body is refused.
        nonce = nonce or str(10**9 + secrets.randbelow(9 * 10**9))
        signature = sign(self.token, ts, nonce)
        params = {"signature": signature, "timestamp": ts, "nonce": nonce, "openid": "x"}
        if self.envelope is None:
            return Signed(urlencode(params), xml.encode("utf-8"))
        sealed = ET.fromstring(self.envelope.seal(xml, nonce, ts))
        encrypt = sealed.findtext("Encrypt") or ""
        params.update(encrypt_type="aes", msg_signature=sign(self.token, ts, nonce, encrypt))
        if compatible:  # compatible mode: plaintext fields and <Encrypt> side by side
            body = xml.replace("</xml>", f"<Encrypt>{cdata(encrypt)}</Encrypt></xml>")
        else:
            root = ET.fromstring(xml)
            to_user = root.findtext("ToUserName") or ""
            body = f"<xml><ToUserName>{cdata(to_user)}</ToUserName>" \
                   f"<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        return Signed(urlencode(params), body.encode("utf-8"))

    def open_reply(self, body: bytes | str) -> Reply:
        """Decrypt (in safe mode) and read a passive reply."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if text in ("success", ""):
            return Reply(text, "", "")
        root = ET.fromstring(text)
        if self.envelope is not None and root.find("Encrypt") is not None:
            inner = self.envelope.open(
                root.findtext("Encrypt") or "", root.findtext("MsgSignature") or "",
                root.findtext("TimeStamp") or "", root.findtext("Nonce") or "",
            ).decode("utf-8")
            text = inner
            root = ET.fromstring(inner)
        msg_type = root.findtext("MsgType") or ""
        if msg_type == "news":
            lines = []
            for item in root.iter("item"):
                lines.append(item.findtext("Title") or "")
                if item.findtext("Description"):
                    lines.append(item.findtext("Description") or "")
                if item.findtext("PicUrl"):  # the card's picture, as a link to open
                    lines.append(texts.SANDBOX_NEWS_PICTURE.format(url=item.findtext("PicUrl")))
                if item.findtext("Url"):
                    lines.append(item.findtext("Url") or "")
            return Reply(text, msg_type, "\n".join(lines))
        return Reply(text, msg_type, root.findtext("Content") or "")


# Issue 26: 订阅通知 events carry a list of items, one <List> per template.
SUBSCRIBE_EVENT_CONTAINERS = {"subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
                              "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
                              "subscribe_msg_sent_event": "SubscribeMsgSentEvent"}


def subscription_event_xml(openid: str, event: str, items: list[dict[str, str]],
                           create_time: int | None = None, to_user: str = ACCOUNT) -> str:
    """A subscription event as WeChat sends it: `items` are the <List> entries (e.g.
    {"TemplateId": …, "SubscribeStatusString": "accept", "PopupScene": "2"})."""
    container = SUBSCRIBE_EVENT_CONTAINERS[event]
    listed = "".join("<List>" + "".join(f"<{k}>{cdata(v)}</{k}>" for k, v in item.items())
                     + "</List>" for item in items)
    return message_xml(openid, "event", {"Event": event}, create_time=create_time,
                       to_user=to_user).replace(
        "</xml>", f"<{container}>{listed}</{container}></xml>")
