"""The fake's controls, `/_fake/...` (not WeChat's API): faults, latency, expiring
tokens, user actions, the account's templates, reset; and what was delivered, the menu a
user sees and call counts. Tests, the sandbox page and `partybot chat` use them."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from bot.sandbox.fake_http import answer, fake_state, json_body
from bot.sandbox.fake_state import Fault, TemplateShape
from core.service_allowance import EVENT, MESSAGE

log = logging.getLogger(__name__)

bp = Blueprint("fake_controls", __name__)


@bp.before_request
def _controls_take_json() -> Response | None:
    """The controls change the fake's state: only a JSON POST (which a browser sends
    cross-site only after a CORS preflight we never answer) may call them."""
    if request.method == "POST" and not request.is_json:
        log.warning("refused POST %s: the fake's controls take application/json only",
                    request.path)
        return answer({"errcode": 415, "errmsg": "send application/json"}, 415)
    return None


@bp.post("/_fake/faults")
def add_fault() -> Response:
    """Add a fault rule (JSON with Fault's fields)."""
    body = json_body()
    known = {k: v for k, v in body.items() if k in Fault.__dataclass_fields__}
    fake_state().faults.append(Fault(**known))
    return jsonify(ok=True)


@bp.post("/_fake/user_action")
def user_action() -> Response:
    """A user acted: {"openid": …, or "openids": […], "action": "message" | "event"}."""
    body = json_body()
    opening = EVENT if body.get("action") == "event" else MESSAGE
    openids = body.get("openids") or [body.get("openid")]
    for openid in openids:
        if isinstance(openid, str) and openid:
            fake_state().user_acted(openid, opening)
    return jsonify(ok=True)


@bp.post("/_fake/templates")
def add_templates() -> Response:
    """Templates the account has: {"<id>": {"title": …, "keywords": {"thing1": "名称"}}}."""
    for template_id, shape in json_body().items():
        if isinstance(shape, dict):
            fake_state().templates[str(template_id)] = TemplateShape(
                str(shape.get("title", "")), {str(k): str(v) for k, v in
                                              (shape.get("keywords") or {}).items()})
    return jsonify(ok=True)


@bp.delete("/_fake/faults")
def clear_faults() -> Response:
    """Remove every fault rule."""
    fake_state().faults.clear()
    return jsonify(ok=True)


@bp.post("/_fake/latency")
def set_latency() -> Response:
    """Set the latency of every call, in seconds."""
    fake_state().latency = float(json_body().get("seconds", 0.0))
    return jsonify(ok=True)


@bp.post("/_fake/expire_tokens")
def expire_tokens() -> Response:
    """Expire every token issued so far."""
    fake_state().expire_tokens()
    return jsonify(ok=True)


@bp.post("/_fake/reset")
def reset() -> Response:
    """Forget everything."""
    fake_state().reset()
    return jsonify(ok=True)


@bp.get("/_fake/messages")
def messages() -> Response:
    """Delivered messages, optionally for one openid and after an id."""
    openid = request.args.get("openid") or None
    after = int(request.args.get("after", "0") or 0)
    items = fake_state().messages_for(openid, after)
    # (a list keeps the template's keyword order; JSON objects here come out sorted)
    return jsonify(messages=[{**asdict(m), "text": m.text, "fields": m.fields} for m in items])


@bp.get("/_fake/menu")
def menu_of_user() -> Response:
    """The menu WeChat shows one user (their tag's conditional menu, or the default)."""
    name, menu = fake_state().menu_for(request.args.get("openid", ""))
    return jsonify(which=name, menu=menu)


@bp.get("/_fake/stats")
def stats() -> Response:
    """Call counts per endpoint and messages delivered."""
    state = fake_state()
    by_channel = Counter(m.channel for m in state.delivered)
    return jsonify(calls=dict(state.calls), delivered=len(state.delivered), menu=state.menu,
                   qrcodes=len(state.qrcodes), by_channel=dict(by_channel),
                   duplicates_dropped=state.duplicates_dropped,
                   refused={str(k): v for k, v in state.refused.items()})
