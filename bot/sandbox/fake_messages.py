"""The fake's message sending: customer-service messages (counted against the user's
allowance, core.service_allowance) and template messages (checked against the account's
templates and the category templates' typed keywords)."""

from __future__ import annotations

from flask import Blueprint, Response

from bot.sandbox.fake_http import answer, fake_state, json_body, refused
from core.service_allowance import OVER_LIMIT, WINDOW_CLOSED
from core.template_types import problem

bp = Blueprint("fake_messages", __name__)

CUSTOM_TEXT_BYTES = 2048  # WeChat's limit on a customer-service text


@bp.post("/cgi-bin/message/custom/send")
def custom_send() -> Response:
    """A customer-service message."""
    body = json_body()
    openid = body.get("touser")
    if (bad := refused("message/custom/send", openid)) is not None:
        return bad
    if not openid or body.get("msgtype") not in ("text", "news", "image", "voice"):
        return answer({"errcode": 40003 if not openid else 40008, "errmsg": "invalid request"})
    if body.get("msgtype") == "text" and \
            len(str((body.get("text") or {}).get("content", "")).encode()) > CUSTOM_TEXT_BYTES:
        return answer({"errcode": 45002, "errmsg": "content size out of limit"})
    state = fake_state()
    over = state.take_allowance(openid)
    if over == OVER_LIMIT:
        return answer({"errcode": OVER_LIMIT, "errmsg": "out of response count limit"})
    if over == WINDOW_CLOSED:
        return answer({"errcode": WINDOW_CLOSED, "errmsg": "response out of time limit or "
                                                           "subscription is canceled"})
    state.deliver(openid, "custom", body)
    return answer({"errcode": 0, "errmsg": "ok"})


@bp.post("/cgi-bin/message/template/send")
def template_send() -> Response:
    """A template message; answers with its msgid."""
    body = json_body()
    openid = body.get("touser")
    if (bad := refused("message/template/send", openid)) is not None:
        return bad
    if not openid or not body.get("template_id"):
        return answer({"errcode": 40003 if not openid else 40037, "errmsg": "invalid request"})
    state = fake_state()
    if state.templates and str(body.get("template_id")) not in state.templates:
        return answer({"errcode": 40037, "errmsg": "invalid template_id"})
    data = body.get("data")
    if not isinstance(data, dict) or not data:
        return answer({"errcode": 47003, "errmsg": "argument invalid! data is empty"})
    for keyword, entry in data.items():  # category templates: typed keywords only
        value = entry.get("value") if isinstance(entry, dict) else None
        reason = problem(str(keyword), value if isinstance(value, str) else "")
        if reason is not None:
            return answer({"errcode": 47003, "errmsg": f"argument invalid! {reason}"})
    item = state.deliver(openid, "template", body)
    return answer({"errcode": 0, "errmsg": "ok", "msgid": item.msgid})
