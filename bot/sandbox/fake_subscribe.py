"""The fake's 订阅通知: the official account's `message/subscribe/bizsend` and the
mini-program's `message/subscribe/send`, with WeChat's answers, and the control that
says what a user accepted.

Like WeChat, each acceptance allows one message: the fake counts accepted
subscriptions per (openid, template id), spends one per send and answers 43101 when none
is left. 40003 for an unknown or missing openid, 47003 for a value its keyword refuses
(core.template_types: `thing` ≤ 20 characters …). What it sends is recorded with the
other messages (channel "subscribe", or "subscribe_mp" for the mini-program), for tests
and the sandbox page.

Controls (JSON only, like every `/_fake/...` control; the sandbox keeps them to loopback
clients): `POST /_fake/subscriptions {"openid", "template_id", "status": "accept" |
"reject", "count"}` and `GET /_fake/subscriptions?openid=…`.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from bot.sandbox.fake_http import answer, fake_state, json_body, refused
from bot.sandbox.fake_state import FakeWeChat
from core.template_types import problem

log = logging.getLogger(__name__)

bp = Blueprint("fake_subscribe", __name__)

NO_SUBSCRIPTION = 43101
MAX_PAGE_CHARS = 1024


@bp.before_request
def _control_takes_json() -> Response | None:
    """The control changes the fake's state: a JSON POST only (as fake_controls)."""
    if request.method == "POST" and "/_fake/" in request.path and not request.is_json:
        log.warning("refused POST %s: the fake's controls take application/json only",
                    request.path)
        return answer({"errcode": 415, "errmsg": "send application/json"}, 415)
    return None


@bp.post("/cgi-bin/message/subscribe/bizsend")
def bizsend() -> Response:
    """An official account's 订阅通知 (one-time subscription)."""
    return _send("message/subscribe/bizsend", "subscribe")


@bp.post("/cgi-bin/message/subscribe/send")
def miniprogram_send() -> Response:
    """A mini-program's subscription message."""
    return _send("message/subscribe/send", "subscribe_mp")


def _send(endpoint: str, channel: str) -> Response:
    body = json_body()
    openid = body.get("touser")
    if (bad := refused(endpoint, openid if isinstance(openid, str) else None)) is not None:
        return bad
    state = fake_state()
    if not isinstance(openid, str) or not openid or openid in state.unknown_openids:
        return answer({"errcode": 40003, "errmsg": "invalid openid"})
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id:
        return answer({"errcode": 40037, "errmsg": "invalid template_id"})
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        return answer({"errcode": 47003, "errmsg": "argument invalid! data is empty"})
    page = body.get("page")
    if page is not None and (not isinstance(page, str) or len(page) > MAX_PAGE_CHARS):
        return answer({"errcode": 47003, "errmsg": "argument invalid! page"})
    with state.lock:
        if state.subscriptions[(openid, template_id)] <= 0:
            return answer({"errcode": NO_SUBSCRIPTION,
                           "errmsg": "user refuse to accept the msg"})
    for keyword, entry in data.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        reason = problem(str(keyword), value if isinstance(value, str) else "")
        if reason is not None:
            return answer({"errcode": 47003,
                           "errmsg": f"argument invalid! data.{keyword}.value: {reason}"})
    if not take(state, openid, template_id):  # (another send spent it meanwhile)
        return answer({"errcode": NO_SUBSCRIPTION, "errmsg": "user refuse to accept the msg"})
    item = state.deliver(openid, channel, body)
    return answer({"errcode": 0, "errmsg": "ok", "msgid": item.msgid})


def take(state: FakeWeChat, openid: str, template_id: str) -> bool:
    """Spend one accepted subscription; False when none is left."""
    with state.lock:
        if state.subscriptions[(openid, template_id)] <= 0:
            return False
        state.subscriptions[(openid, template_id)] -= 1
        return True


def subscribe(state: FakeWeChat, openid: str, template_id: str, accepted: bool,
              count: int = 1) -> int:
    """The user accepted (one more message each time) or rejected (none) a template;
    how many messages they may now receive."""
    with state.lock:
        key = (openid, template_id)
        state.subscriptions[key] = state.subscriptions[key] + max(count, 0) if accepted else 0
        return state.subscriptions[key]


@bp.post("/_fake/subscriptions")
def set_subscription() -> Response:
    """A user's answer: {"openid", "template_id", "status": "accept" | "reject",
    "count": 1}."""
    body = json_body()
    openid, template_id = body.get("openid"), body.get("template_id")
    status = body.get("status", "accept")
    count = body.get("count", 1)
    if not isinstance(openid, str) or not openid or not isinstance(template_id, str) \
            or not template_id or status not in ("accept", "reject") \
            or not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100:
        return answer({"errcode": 400, "errmsg": "openid, template_id, status "
                                                 "accept|reject and count 0-100 expected"}, 400)
    left = subscribe(fake_state(), openid[:64], template_id[:128], status == "accept", count)
    return jsonify(ok=True, remaining=left)


@bp.get("/_fake/subscriptions")
def list_subscriptions() -> Response:
    """What each user (or one, ?openid=) may still receive, per template."""
    openid = request.args.get("openid") or None
    state = fake_state()
    with state.lock:
        found = [{"openid": o, "template_id": t, "remaining": n}
                 for (o, t), n in sorted(state.subscriptions.items())
                 if openid is None or o == openid]
    return jsonify(subscriptions=found)
