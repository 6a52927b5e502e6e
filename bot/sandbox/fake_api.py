"""A fake of the WeChat API, served over real HTTP (tests, benchmarks, the sandbox).

It issues access tokens (and invalidates them the way WeChat does), records every
message it is asked to deliver, and can be told to misbehave: any errcode, HTTP 5xx,
latency, dropped connections, expired tokens. Endpoints, relative to its base URL:

    GET  /cgi-bin/token                 POST /cgi-bin/stable_token
    POST /cgi-bin/message/custom/send   POST /cgi-bin/message/template/send
    POST /cgi-bin/menu/create           POST /cgi-bin/qrcode/create
    POST /cgi-bin/menu/addconditional   GET  /cgi-bin/menu/delete
    POST /cgi-bin/tags/create           GET  /cgi-bin/tags/get
    POST /cgi-bin/tags/members/batchtagging   POST /cgi-bin/tags/members/batchuntagging
    GET  /cgi-bin/user/info
    GET  /connect/oauth2/authorize      GET  /sns/oauth2/access_token   (fake_oauth)

(mounted together by bot.sandbox.fake_server)

and the controls `/_fake/...` (faults, messages, stats, reset, user actions, templates,
the menu a user sees) used by tests, the sandbox page and `partybot chat`.

Like WeChat it counts customer-service messages: a user's message allows 5 within 48
hours, a click, scan or follow 3 within a minute, each action resetting the count
(core.service_allowance); past it, 45047; with none open, 45015. It learns user actions
from the sandbox's webhook (same process) or from `POST /_fake/user_action`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import random
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from core import texts
from core.service_allowance import EVENT, MESSAGE, OVER_LIMIT, WINDOW_CLOSED, Opening
from core.template_messages import KIND_FIELDS, TemplateSpec
from core.template_types import problem

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
            return json.dumps(self.body.get(self.body.get("msgtype", ""), {}), ensure_ascii=False)
        lines = [texts.SANDBOX_TEMPLATE_LINE.format(name=f["name"], value=f["value"])
                 for f in self.fields]
        return "\n".join([self.title or texts.SANDBOX_TEMPLATE_UNTITLED, *lines])


    @property
    def fields(self) -> list[dict[str, str]]:
        """A template's keywords in the template's order: key, name and value."""
        data: dict[str, Any] = (self.body.get("data") or {}) if self.channel == "template" \
            else {}
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
    _ids: Any = field(default_factory=lambda: itertools.count(1), repr=False)
    _msgids: Any = field(default_factory=lambda: itertools.count(1_000_000_001), repr=False)
    # (openid, client_msg_id) -> the template send it first came with (WeChat: 10 min)
    _client_msg_ids: dict[tuple[str, str], Delivered] = field(default_factory=dict, repr=False)
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
            self._client_msg_ids.clear()
            self.duplicates_dropped = 0
            self.allowances.clear()
            self.refused.clear()

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
                first = self._client_msg_ids.get((openid, str(guard)))
                if first is not None and now - first.at < CLIENT_MSG_ID_SECONDS:
                    self.duplicates_dropped += 1
                    return first
            shape = self.templates.get(str(body.get("template_id")))
            item = Delivered(next(self._ids), openid, channel, body, next(self._msgids), now,
                             shape.title if shape else "", dict(shape.keywords) if shape else {})
            self.delivered.append(item)
            if guard:
                self._client_msg_ids[(openid, str(guard))] = item
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


log = logging.getLogger(__name__)

bp = Blueprint("fake_wechat", __name__, template_folder="templates")


def _state() -> FakeWeChat:
    return current_app.extensions["fake_wechat"]


def _answer(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _drop_connection() -> Response:
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return _answer({"errcode": -1, "errmsg": "connection dropped"}, 502)


def _misbehave(endpoint: str, openid: str | None = None) -> Response | None:
    """Apply latency and the first matching fault; a response means "answer this"."""
    state = _state()
    state.calls[endpoint] += 1
    fault = state.pick_fault(endpoint, openid)
    delay = state.latency + (fault.latency if fault else 0.0)
    if delay:
        time.sleep(delay)
    if fault is None:
        return None
    if fault.drop:
        return _drop_connection()
    if fault.http_status:
        return _answer({"error": "injected"}, fault.http_status)
    if fault.errcode is not None:
        return _answer({"errcode": fault.errcode, "errmsg": f"injected error {fault.errcode}"})
    return None


def _check_token() -> Response | None:
    error = _state().token_error(request.args.get("access_token"), _state().clock())
    if error is not None:
        return _answer({"errcode": error[0], "errmsg": error[1]})
    return None


@bp.before_request
def _controls_take_json() -> Response | None:
    """The controls below change the fake's state: only a JSON POST (which a browser
    sends cross-site only after a CORS preflight we never answer) may call them."""
    if request.method == "POST" and "/_fake/" in request.path and not request.is_json:
        log.warning("refused POST %s: the fake's controls take application/json only",
                    request.path)
        return _answer({"errcode": 415, "errmsg": "send application/json"}, 415)
    return None


def _json_body() -> dict[str, Any]:
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}


@bp.get("/cgi-bin/token")
def token() -> Response:
    """Classic token: every call issues a new one (the old lasts 5 more minutes)."""
    if (fault := _misbehave("token")) is not None:
        return fault
    if request.args.get("grant_type") != "client_credential" or not request.args.get("appid"):
        return _answer({"errcode": 40013, "errmsg": "invalid appid"})
    state = _state()
    return _answer({"access_token": state.issue_token(state.clock()), "expires_in": TOKEN_TTL})


@bp.post("/cgi-bin/stable_token")
def stable_token() -> Response:
    """Stable token: the same token while it has over 5 minutes left, unless forced."""
    if (fault := _misbehave("stable_token")) is not None:
        return fault
    body = _json_body()
    if body.get("grant_type") != "client_credential" or not body.get("appid"):
        return _answer({"errcode": 40013, "errmsg": "invalid appid"})
    state = _state()
    now = state.clock()
    current = state.stable_token
    expiry = state.tokens.get(current or "", 0.0)
    if current and expiry - now > OLD_TOKEN_GRACE and not body.get("force_refresh"):
        return _answer({"access_token": current, "expires_in": int(expiry - now)})
    return _answer({"access_token": state.issue_token(now), "expires_in": TOKEN_TTL})


@bp.post("/cgi-bin/message/custom/send")
def custom_send() -> Response:
    """A customer-service message."""
    body = _json_body()
    openid = body.get("touser")
    if (fault := _misbehave("message/custom/send", openid)) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    if not openid or body.get("msgtype") not in ("text", "news", "image", "voice"):
        return _answer({"errcode": 40003 if not openid else 40008, "errmsg": "invalid request"})
    if body.get("msgtype") == "text" and \
            len(str((body.get("text") or {}).get("content", "")).encode()) > 2048:
        return _answer({"errcode": 45002, "errmsg": "content size out of limit"})
    refused = _state().take_allowance(openid)
    if refused == OVER_LIMIT:
        return _answer({"errcode": OVER_LIMIT, "errmsg": "out of response count limit"})
    if refused == WINDOW_CLOSED:
        return _answer({"errcode": WINDOW_CLOSED, "errmsg": "response out of time limit or "
                                                            "subscription is canceled"})
    _state().deliver(openid, "custom", body)
    return _answer({"errcode": 0, "errmsg": "ok"})


@bp.post("/cgi-bin/message/template/send")
def template_send() -> Response:
    """A template message; answers with its msgid."""
    body = _json_body()
    openid = body.get("touser")
    if (fault := _misbehave("message/template/send", openid)) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    if not openid or not body.get("template_id"):
        return _answer({"errcode": 40003 if not openid else 40037, "errmsg": "invalid request"})
    shapes = _state().templates
    if shapes and str(body.get("template_id")) not in shapes:
        return _answer({"errcode": 40037, "errmsg": "invalid template_id"})
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        return _answer({"errcode": 47003, "errmsg": "argument invalid! data is empty"})
    for keyword, entry in data.items():  # category templates: typed keywords only
        value = entry.get("value") if isinstance(entry, dict) else None
        reason = problem(str(keyword), value if isinstance(value, str) else "")
        if reason is not None:
            return _answer({"errcode": 47003, "errmsg": f"argument invalid! {reason}"})
    item = _state().deliver(openid, "template", body)
    return _answer({"errcode": 0, "errmsg": "ok", "msgid": item.msgid})


@bp.post("/cgi-bin/menu/create")
def menu_create() -> Response:
    """Store the default menu after checking WeChat's limits (3 buttons, 5 sub-buttons
    each)."""
    if (fault := _misbehave("menu/create")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    body = _json_body()
    if (problem := _menu_problem(body)) is not None:
        return problem
    _state().menu = body
    return _answer({"errcode": 0, "errmsg": "ok"})


def _menu_problem(body: dict[str, Any]) -> Response | None:
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return _answer({"errcode": 40016, "errmsg": "invalid button size"})
    for button in buttons:
        subs = button.get("sub_button") or []
        if len(subs) > 5:
            return _answer({"errcode": 40023, "errmsg": "invalid sub button size"})
        if len(button.get("name", "").encode()) > 16:
            return _answer({"errcode": 40018, "errmsg": "invalid button name size"})
        for sub in subs:
            if len(sub.get("name", "").encode()) > 60:
                return _answer({"errcode": 40018, "errmsg": "invalid button name size"})
    return None


@bp.post("/cgi-bin/menu/addconditional")
def menu_add_conditional() -> Response:
    """A conditional menu: only after a default menu, with a matchrule naming a tag
    that exists."""
    if (fault := _misbehave("menu/addconditional")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    body = _json_body()
    state = _state()
    if state.menu is None:
        return _answer({"errcode": 65303,
                        "errmsg": "there is no selfmenu, please create selfmenu first"})
    rule = body.get("matchrule")
    if not isinstance(rule, dict) or not any(rule.values()):
        return _answer({"errcode": 65304, "errmsg": "match rule empty"})
    tag_id = str(rule.get("tag_id", ""))
    if tag_id and (not tag_id.isdigit() or int(tag_id) not in state.tags):
        return _answer({"errcode": 65310, "errmsg": "invalid tag id"})
    if (problem := _menu_problem(body)) is not None:
        return problem
    menuid = str(400000000 + next(state._ids))
    with state.lock:
        state.conditional_menus.append((menuid, body))
    return _answer({"menuid": menuid})


@bp.get("/cgi-bin/menu/delete")
def menu_delete() -> Response:
    """Remove the default menu and every conditional one."""
    if (fault := _misbehave("menu/delete")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    state = _state()
    with state.lock:
        state.menu = None
        state.conditional_menus.clear()
    return _answer({"errcode": 0, "errmsg": "ok"})


@bp.post("/cgi-bin/tags/create")
def tags_create() -> Response:
    """A user tag: a name of at most 30 characters, not used by another tag."""
    if (fault := _misbehave("tags/create")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    name = str((_json_body().get("tag") or {}).get("name") or "")
    state = _state()
    if not name or len(name) > 30:
        return _answer({"errcode": 45158, "errmsg": "tag name too long"})
    with state.lock:
        if name in state.tags.values():
            return _answer({"errcode": 45157, "errmsg": "invalid tag name"})
        tag_id = 100 + len(state.tags)
        state.tags[tag_id] = name
    return _answer({"tag": {"id": tag_id, "name": name}})


@bp.get("/cgi-bin/tags/get")
def tags_get() -> Response:
    """The account's tags, with how many users carry each."""
    if (fault := _misbehave("tags/get")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    state = _state()
    with state.lock:
        tags = [{"id": tag_id, "name": name,
                 "count": sum(tag_id in ids for ids in state.user_tags.values())}
                for tag_id, name in state.tags.items()]
    return _answer({"tags": tags})


@bp.post("/cgi-bin/tags/members/batchtagging")
def tags_batch_tagging() -> Response:
    """Tag up to 50 users at once (all or none)."""
    return _tagging("tags/members/batchtagging", add=True)


@bp.post("/cgi-bin/tags/members/batchuntagging")
def tags_batch_untagging() -> Response:
    """Untag up to 50 users at once (all or none)."""
    return _tagging("tags/members/batchuntagging", add=False)


def _tagging(endpoint: str, add: bool) -> Response:
    if (fault := _misbehave(endpoint)) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    body = _json_body()
    openids = body.get("openid_list")
    state = _state()
    if not isinstance(openids, list) or not openids:
        return _answer({"errcode": 40032, "errmsg": "invalid openid list size"})
    if len(openids) > 50:
        return _answer({"errcode": 40032, "errmsg": "invalid openid list size, more than 50"})
    tag_id = body.get("tagid")
    with state.lock:
        if tag_id not in state.tags:
            return _answer({"errcode": 45159, "errmsg": "invalid tag id"})
        if any(openid in state.unknown_openids for openid in openids):
            return _answer({"errcode": 40003, "errmsg": "invalid openid"})
        for openid in openids:
            mine = state.user_tags.setdefault(openid, set())
            if add and tag_id not in mine and len(mine) >= 20:
                return _answer({"errcode": 45059, "errmsg": "too many tags on a user"})
            (mine.add if add else mine.discard)(tag_id)
    return _answer({"errcode": 0, "errmsg": "ok"})


@bp.post("/cgi-bin/qrcode/create")
def qrcode_create() -> Response:
    """A parametric QR code: a ticket and the URL its picture encodes."""
    if (fault := _misbehave("qrcode/create")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    body = _json_body()
    scene = (body.get("action_info") or {}).get("scene") or {}
    scene_str = scene.get("scene_str") or str(scene.get("scene_id", ""))
    if not scene_str or len(scene_str) > 64:
        return _answer({"errcode": 40009, "errmsg": "invalid scene"})
    ticket = "fake-ticket-" + secrets.token_urlsafe(12)
    result: dict[str, Any] = {"ticket": ticket, "url": f"http://weixin.qq.com/q/sandbox-{ticket}"}
    if body.get("action_name") in ("QR_SCENE", "QR_STR_SCENE"):
        result["expire_seconds"] = int(body.get("expire_seconds") or 60)
    _state().qrcodes.append({"scene": scene_str, "at": _state().clock(), **result})
    return _answer(result)


@bp.get("/cgi-bin/user/info")
def user_info() -> Response:
    """Anyone the fake is asked about follows the account."""
    if (fault := _misbehave("user/info")) is not None:
        return fault
    if (bad := _check_token()) is not None:
        return bad
    openid = request.args.get("openid", "")
    nickname = texts.SANDBOX_USER.format(openid=openid[-4:])
    return _answer({"subscribe": 1, "openid": openid, "nickname": nickname,
                    "language": "zh_CN", "subscribe_time": int(time.time())})


# Controls (not part of WeChat's API).

@bp.post("/_fake/faults")
def add_fault() -> Response:
    """Add a fault rule (JSON with Fault's fields)."""
    body = _json_body()
    known = {k: v for k, v in body.items() if k in Fault.__dataclass_fields__}
    _state().faults.append(Fault(**known))
    return jsonify(ok=True)


@bp.post("/_fake/user_action")
def user_action() -> Response:
    """A user acted: {"openid": …, or "openids": […], "action": "message" | "event"}."""
    body = _json_body()
    opening = EVENT if body.get("action") == "event" else MESSAGE
    openids = body.get("openids") or [body.get("openid")]
    for openid in openids:
        if isinstance(openid, str) and openid:
            _state().user_acted(openid, opening)
    return jsonify(ok=True)


@bp.post("/_fake/templates")
def add_templates() -> Response:
    """Templates the account has: {"<id>": {"title": …, "keywords": {"thing1": "名称"}}}."""
    for template_id, shape in _json_body().items():
        if isinstance(shape, dict):
            _state().templates[str(template_id)] = TemplateShape(
                str(shape.get("title", "")), {str(k): str(v) for k, v in
                                              (shape.get("keywords") or {}).items()})
    return jsonify(ok=True)


@bp.delete("/_fake/faults")
def clear_faults() -> Response:
    """Remove every fault rule."""
    _state().faults.clear()
    return jsonify(ok=True)


@bp.post("/_fake/latency")
def set_latency() -> Response:
    """Set the latency of every call, in seconds."""
    _state().latency = float(_json_body().get("seconds", 0.0))
    return jsonify(ok=True)


@bp.post("/_fake/expire_tokens")
def expire_tokens() -> Response:
    """Expire every token issued so far."""
    _state().expire_tokens()
    return jsonify(ok=True)


@bp.post("/_fake/reset")
def reset() -> Response:
    """Forget everything."""
    _state().reset()
    return jsonify(ok=True)


@bp.get("/_fake/messages")
def messages() -> Response:
    """Delivered messages, optionally for one openid and after an id."""
    openid = request.args.get("openid") or None
    after = int(request.args.get("after", "0") or 0)
    items = _state().messages_for(openid, after)
    # (a list keeps the template's keyword order; JSON objects here come out sorted)
    return jsonify(messages=[{**asdict(m), "text": m.text, "fields": m.fields} for m in items])


@bp.get("/_fake/menu")
def menu_of_user() -> Response:
    """The menu WeChat shows one user (their tag's conditional menu, or the default)."""
    name, menu = _state().menu_for(request.args.get("openid", ""))
    return jsonify(which=name, menu=menu)


@bp.get("/_fake/stats")
def stats() -> Response:
    """Call counts per endpoint and messages delivered."""
    state = _state()
    by_channel = Counter(m.channel for m in state.delivered)
    return jsonify(calls=dict(state.calls), delivered=len(state.delivered), menu=state.menu,
                   qrcodes=len(state.qrcodes), by_channel=dict(by_channel),
                   duplicates_dropped=state.duplicates_dropped,
                   refused={str(k): v for k, v in state.refused.items()})


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
