"""The fake WeChat's state: tokens, delivered messages, menus, tags, QR codes, user
allowances and the faults it is told to show; thread-safe.

Every faked endpoint (bot/sandbox/fake_*.py) reads and changes this one object, kept in
`app.extensions["fake_wechat"]`; nothing else holds the fake's state.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core import texts, words
from core.service_allowance import OVER_LIMIT, WINDOW_CLOSED, Opening
from core.template_messages import KIND_FIELDS, TemplateSpec

# What the fake records a 订阅通知 as: the account's (bizsend), the mini-program's (send).
SUBSCRIBE_CHANNELS = ("subscribe", "subscribe_mp")
TOKEN_TTL = 7200
OLD_TOKEN_GRACE = 300  # a replaced token keeps working for 5 minutes


@dataclass
class Fault:
    """A rule for misbehaving: which endpoint, what to do, how many times."""

    endpoint: str = "*"  # e.g. "message/template/send"; "*" for every API call
    errcode: int | None = None
    http_status: int | None = None
    drop: bool = False  # close the connection without answering
    latency: float = 0.0  # seconds, on top of the global latency
    times: int = 1  # how many calls it applies to; -1 = until cleared
    probability: float = 1.0
    openid: str | None = None  # only messages to this user


@dataclass
class Delivered:
    """A message the fake accepted."""

    id: int
    openid: str
    channel: str  # "custom" or "template"
    body: dict[str, Any]
    msgid: int
    at: float

    title: str = ""  # a template's title, as WeChat shows it above the keywords
    keyword_names: dict[str, str] = field(default_factory=dict)  # thing1 -> its name

    @property
    def text(self) -> str:
        """Human-readable content: the text, or a template as WeChat shows it (its
        title, then each keyword's name and value on a line)."""
        if self.channel == "custom":
            if self.body.get("msgtype") == "text":
                return str(self.body.get("text", {}).get("content", ""))
            if self.body.get("msgtype") == "news":  # a card: title, words, picture, link
                return "\n".join(_card_lines(self.body.get("news", {}).get("articles", [])))
            return json.dumps(self.body.get(self.body.get("msgtype", ""), {}), ensure_ascii=False)
        lines = [texts.SANDBOX_TEMPLATE_LINE.format(name=f["name"], value=f["value"])
                 for f in self.fields]
        if self.channel in SUBSCRIBE_CHANNELS and not self.title:
            return "\n".join([words.CHANNEL_SUBSCRIBE, *lines])
        return "\n".join([self.title or texts.SANDBOX_TEMPLATE_UNTITLED, *lines])


    @property
    def fields(self) -> list[dict[str, str]]:
        """A template's keywords in the template's order: key, name and value."""
        data: dict[str, Any] = (self.body.get("data") or {}) \
            if self.channel in ("template", *SUBSCRIBE_CHANNELS) else {}
        order = [key for key in self.keyword_names if key in data] + \
            [str(key) for key in data if key not in self.keyword_names]
        return [{"key": key, "name": self.keyword_names.get(key) or key,
                 "value": str((data.get(key) or {}).get("value", ""))} for key in order]


@dataclass(frozen=True)
class TemplateShape:
    """A template as the account added it: title and keyword names (thing1 -> 会议名称)."""

    title: str
    keywords: dict[str, str]


CLIENT_MSG_ID_SECONDS = 600


@dataclass
class FakeWeChat:
    """The fake's state; thread-safe."""

    latency: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    delivered: list[Delivered] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (epoch)
    stable_token: str | None = None
    calls: Counter[str] = field(default_factory=Counter)
    menu: dict[str, Any] | None = None
    # Conditional menus, oldest first: (menuid, the menu with its matchrule).
    conditional_menus: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    tags: dict[int, str] = field(default_factory=dict)  # tag id -> name
    user_tags: dict[str, set[int]] = field(default_factory=dict)  # openid -> tag ids
    unknown_openids: set[str] = field(default_factory=set)  # tagging them answers 40003
    qrcodes: list[dict[str, Any]] = field(default_factory=list)
    clock: Any = field(default=time.time, repr=False)  # seconds since the epoch
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # serial numbers: delivered messages and conditional menus draw from `ids`
    ids: Any = field(default_factory=lambda: itertools.count(1), repr=False)
    msgids: Any = field(default_factory=lambda: itertools.count(1_000_000_001), repr=False)
    # (openid, client_msg_id) -> the template send it first came with (WeChat: 10 min)
    client_msg_ids: dict[tuple[str, str], Delivered] = field(default_factory=dict, repr=False)
    duplicates_dropped: int = 0
    # Customer-service allowances: openid -> [messages left, until (epoch seconds)].
    allowances: dict[str, list[float]] = field(default_factory=dict)
    refused: Counter[int] = field(default_factory=Counter)  # 45047 / 45015 answers given
    templates: dict[str, TemplateShape] = field(default_factory=dict)  # by template id
    enforce_allowance: bool = True  # off only for tests about something else (tokens)
    # Web authorization: code -> (openid, issued at); each code works once, 5 minutes.
    oauth_codes: dict[str, tuple[str, float]] = field(default_factory=dict)
    # Who follows the account, as (openid, name): the sandbox's authorize page offers
    # them (the app sets this to its bound members).
    followers: Any = field(default=lambda: [], repr=False)
    # 订阅通知 (bot/sandbox/fake_subscribe.py): (openid, template id) -> messages the user
    # accepted and not yet received; each send spends one, none left answers 43101.
    subscriptions: Counter[tuple[str, str]] = field(default_factory=Counter)
    # The account's AppSecret: when set, token requests with another secret are refused
    # as WeChat refuses them (40125 stable_token, 40001 the classic one); None takes any.
    app_secret: str | None = None

    def know_templates(self, specs: Mapping[str, TemplateSpec]) -> None:
        """The account's templates (the sandbox's own configuration), to show pushes
        with their titles and keyword names."""
        for kind in [*KIND_FIELDS, *specs]:
            spec = specs.get(kind)
            if spec is not None:
                self.templates[spec.template_id] = TemplateShape(
                    spec.title, {k.key: k.name or k.key for k in spec.keywords})

    def user_acted(self, openid: str, opening: Opening) -> None:
        """A user action (message, click, scan, follow): the allowance is reset to it."""
        with self.lock:
            self.allowances[openid] = [opening.count,
                                       self.clock() + opening.window.total_seconds()]

    def take_allowance(self, openid: str) -> int | None:
        """Count one customer-service message; None if allowed, else WeChat's errcode."""
        with self.lock:
            if not self.enforce_allowance:
                return None
            allowance = self.allowances.get(openid)
            if allowance is None or allowance[1] <= self.clock():
                code = WINDOW_CLOSED
            elif allowance[0] <= 0:
                code = OVER_LIMIT
            else:
                allowance[0] -= 1
                return None
            self.refused[code] += 1
            return code

    def reset(self) -> None:
        """Forget everything (tokens, messages, faults, counters)."""
        with self.lock:
            self.latency = 0.0
            self.faults.clear()
            self.delivered.clear()
            self.tokens.clear()
            self.stable_token = None
            self.calls.clear()
            self.menu = None
            self.conditional_menus.clear()
            self.tags.clear()
            self.user_tags.clear()
            self.qrcodes.clear()
            self.oauth_codes.clear()
            self.client_msg_ids.clear()
            self.duplicates_dropped = 0
            self.allowances.clear()
            self.refused.clear()
            self.subscriptions.clear()

    def issue_token(self, now: float, replace_stable: bool = True) -> str:
        """A new token; earlier ones stop working after OLD_TOKEN_GRACE seconds."""
        with self.lock:
            for token, expiry in list(self.tokens.items()):
                self.tokens[token] = min(expiry, now + OLD_TOKEN_GRACE)
            token = "fake-" + secrets.token_urlsafe(24)
            self.tokens[token] = now + TOKEN_TTL
            if replace_stable:
                self.stable_token = token
            return token

    def token_error(self, token: str | None, now: float) -> tuple[int, str] | None:
        """None if the token is valid now; else WeChat's errcode and message."""
        with self.lock:
            expiry = self.tokens.get(token or "")
        if expiry is None:
            return 40001, "invalid credential, access_token is invalid or not latest"
        if expiry <= now:
            return 42001, "access_token expired"
        return None

    def expire_tokens(self) -> None:
        """Make every issued token expired (as if 2 hours had passed)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def pick_fault(self, endpoint: str, openid: str | None) -> Fault | None:
        """The first rule that applies to this call (its count is used up)."""
        with self.lock:
            for fault in self.faults:
                if fault.endpoint not in ("*", endpoint):
                    continue
                if fault.openid is not None and fault.openid != openid:
                    continue
                if fault.probability < 1.0 and random.random() >= fault.probability:
                    continue
                if fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                return fault
        return None

    def deliver(self, openid: str, channel: str, body: dict[str, Any]) -> Delivered:
        """Record a delivered message; a template send repeating a client_msg_id within
        10 minutes is dropped (WeChat answers as if it sent it, with the first msgid)."""
        with self.lock:
            now = self.clock()
            guard = body.get("client_msg_id") if channel == "template" else None
            if guard:
                first = self.client_msg_ids.get((openid, str(guard)))
                if first is not None and now - first.at < CLIENT_MSG_ID_SECONDS:
                    self.duplicates_dropped += 1
                    return first
            shape = self.templates.get(str(body.get("template_id")))
            item = Delivered(next(self.ids), openid, channel, body, next(self.msgids), now,
                             shape.title if shape else "", dict(shape.keywords) if shape else {})
            self.delivered.append(item)
            if guard:
                self.client_msg_ids[(openid, str(guard))] = item
            return item

    def menu_for(self, openid: str) -> tuple[str, dict[str, Any] | None]:
        """The menu WeChat shows `openid`: the newest conditional menu whose tag the user
        has, else the default one; with the name of the one chosen."""
        with self.lock:
            mine = self.user_tags.get(openid, set())
            for menuid, menu in reversed(self.conditional_menus):
                tag_id = str((menu.get("matchrule") or {}).get("tag_id", ""))
                if tag_id.isdigit() and int(tag_id) in mine:
                    return self.tags.get(int(tag_id), menuid), menu
            return "default", self.menu

    def messages_for(self, openid: str | None = None, after: int = 0) -> list[Delivered]:
        """Delivered messages (to one user), with id greater than `after`."""
        with self.lock:
            return [m for m in self.delivered
                    if m.id > after and (openid is None or m.openid == openid)]


def scene_of_ticket(state: FakeWeChat, ticket: str) -> str | None:
    """What scanning the QR code of `ticket` sends (None: unknown or expired), as
    WeChat resolves the picture a user scans."""
    with state.lock:
        for code in state.qrcodes:
            if code["ticket"] == ticket:
                expires = code.get("expire_seconds")
                if expires is not None and code["at"] + expires <= state.clock():
                    return None
                return str(code["scene"])
    return None


def _card_lines(articles: list[dict[str, str]]) -> list[str]:
    """A news message's articles as lines of text (the sandbox's chat page)."""
    lines: list[str] = []
    for article in articles:
        lines += [article.get("title", ""), article.get("description", "")]
        if article.get("picurl"):
            lines.append(texts.SANDBOX_NEWS_PICTURE.format(url=article["picurl"]))
        lines.append(article.get("url", ""))
    return [line for line in lines if line]
