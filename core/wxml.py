"""WeChat's XML: a strict, small parser for inbound messages and the reply renderer.

WeChat only ever sends a flat `<xml>` element whose children are text (a few events
nest one more level, e.g. SendLocationInfo; the subscription events nest two, a list of
`<List>` items: SubscribeMsgPopupEvent/List/TemplateId). Anything else is refused: a DOCTYPE or
entity declaration (billion laughs, external entities), another root, deeper
nesting, invalid UTF-8, truncation. The parser uses pyexpat directly; it is both
safer and several times faster than building a generic tree.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

MAX_DEPTH = 4  # <xml> / <Field> / <SubField> / <ListItemField>
# The widest value each field may have: WeChat's own are far shorter (an openid is 28
# characters, a MsgId 19 digits), and nothing longer may reach a database column.
FIELD_LIMITS = {"FromUserName": 64, "ToUserName": 64, "MsgType": 32, "MsgId": 64,
                "Event": 64}


class MalformedXML(ValueError):
    """The body is not a well-formed, acceptable WeChat message."""


def parse_xml(body: bytes) -> dict[str, Any]:
    """Parse a WeChat `<xml>` body into a dict of str (or dict for nested fields)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedXML("body is not valid UTF-8") from None

    parser = expat.ParserCreate("UTF-8")
    stack: list[tuple[str, dict[str, Any]]] = []
    texts: list[list[str]] = []
    result: dict[str, Any] = {}

    def forbid(*_args: Any) -> None:
        raise MalformedXML("DOCTYPE and entity declarations are not accepted")

    def start(name: str, _attrs: dict[str, str]) -> None:
        if not stack:
            if name != "xml" or result:
                raise MalformedXML(f"unexpected root element <{name}>")
        elif len(stack) >= MAX_DEPTH:
            raise MalformedXML("elements nested too deeply")
        stack.append((name, {}))
        texts.append([])

    def end(name: str) -> None:
        _, children = stack.pop()
        text = "".join(texts.pop())
        if not stack:
            result.update(children)
            result["__root__"] = True
            return
        parent = stack[-1][1]
        value = children if children else text
        if name in parent and len(stack) > 1:  # a repeated element (<List>…</List><List>)
            earlier = parent[name]
            parent[name] = [*earlier, value] if isinstance(earlier, list) else [earlier, value]
        else:
            parent[name] = value

    def chars(data: str) -> None:
        if texts:
            texts[-1].append(data)

    for handler in ("StartDoctypeDeclHandler", "EntityDeclHandler",
                    "UnparsedEntityDeclHandler", "ExternalEntityRefHandler"):
        setattr(parser, handler, forbid)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.buffer_text = True
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise MalformedXML(f"not well-formed XML: {exc}") from None
    if not result.pop("__root__", False):
        raise MalformedXML("no <xml> root element")
    return result


@dataclass(frozen=True)
class Inbound:
    """A parsed message or event, with the fields partybot uses by name."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str  # lower case: text, image, voice, location, event, ...
    msg_id: str | None
    event: str | None  # lower case, for msg_type == "event"
    fields: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def content(self) -> str:
        """The text of a text message ('' otherwise)."""
        value = self.fields.get("Content", "")
        return value if isinstance(value, str) else ""

    @property
    def event_key(self) -> str:
        """EventKey of an event ('' if none)."""
        value = self.fields.get("EventKey", "")
        return value if isinstance(value, str) else ""

    def get(self, name: str, default: str = "") -> str:
        """Any other top-level text field, by its WeChat name."""
        value = self.fields.get(name, default)
        return value if isinstance(value, str) else default

    def items(self, container: str) -> list[dict[str, str]]:
        """The `<List>` items of a list-shaped field (the subscription events:
        SubscribeMsgPopupEvent, SubscribeMsgChangeEvent, SubscribeMsgSentEvent), each as
        its text fields; items that are not such a group are left out."""
        value = self.fields.get(container)
        listed = value.get("List") if isinstance(value, dict) else None
        found = listed if isinstance(listed, list) else [listed]
        return [{k: v for k, v in item.items() if isinstance(v, str)}
                for item in found if isinstance(item, dict)]

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; sender + CreateTime + event (+ key, + MsgID) for events.

        TEMPLATESENDJOBFINISH reports carry MsgID (capital D), the message reported on:
        two reports to one user in the same second are different events.
        """
        if self.msg_id:
            return self.msg_id
        key = f"{self.from_user}:{self.create_time}:{self.event or self.msg_type}:" \
              f"{self.event_key}:{self.get('MsgID')}"
        if (self.event or "").startswith("subscribe_msg_"):
            # two subscription events in one second differ only in their <List> items
            key = "sha256:" + hashlib.sha256(
                (key + repr(sorted(self.fields.items(), key=str))).encode()).hexdigest()
        if len(key) > 160:  # the column's width; long EventKeys are hashed
            key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
        return key


def to_inbound(data: dict[str, Any]) -> Inbound:
    """Check the required fields and build an `Inbound`; MalformedXML if any is missing."""
    msg_type = data.get("MsgType")
    from_user = data.get("FromUserName")
    if not isinstance(msg_type, str) or not msg_type.strip():
        raise MalformedXML("no MsgType")
    if not isinstance(from_user, str) or not from_user.strip():
        raise MalformedXML("no FromUserName")
    create_raw = data.get("CreateTime", "")
    try:
        create_time = int(create_raw) if isinstance(create_raw, str) else -1
    except ValueError:
        create_time = -1
    if create_time < 0 or create_time > 2**63 - 1:
        raise MalformedXML("CreateTime is not a number")
    for name, limit in FIELD_LIMITS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value.strip()) > limit:
            raise MalformedXML(f"{name} too long ({len(value)} characters, limit {limit})")
    msg_id = data.get("MsgId")
    event = data.get("Event")
    msg_type = msg_type.strip().lower()
    return Inbound(
        to_user=str(data.get("ToUserName") or ""),
        from_user=from_user.strip(),
        create_time=create_time,
        msg_type=msg_type,
        msg_id=msg_id.strip() if isinstance(msg_id, str) and msg_id.strip() else None,
        event=event.strip().lower() if msg_type == "event" and isinstance(event, str) else None,
        fields=data,
    )


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any "]]>" so it cannot close the section early."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass(frozen=True)
class Article:
    """One entry of a news reply."""

    title: str
    description: str = ""
    url: str = ""
    picurl: str = ""


def render_text(to_user: str, from_user: str, content: str, now: int | None = None) -> str:
    """A passive text reply."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time()) if now is None else now}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}</Content></xml>"
    )


def render_news(
    to_user: str, from_user: str, articles: list[Article], now: int | None = None
) -> str:
    """A passive news (图文) reply; WeChat shows at most 1 article for passive replies."""
    items = "".join(
        f"<item><Title>{cdata(a.title)}</Title><Description>{cdata(a.description)}</Description>"
        f"<PicUrl>{cdata(a.picurl)}</PicUrl><Url>{cdata(a.url)}</Url></item>"
        for a in articles
    )
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time()) if now is None else now}</CreateTime>"
        f"<MsgType><![CDATA[news]]></MsgType><ArticleCount>{len(articles)}</ArticleCount>"
        f"<Articles>{items}</Articles></xml>"
    )
