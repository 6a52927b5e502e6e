"""The sandbox's 订阅通知 buttons: act as a member on a subscription template — accept or
reject it (subscribe_msg_popup_event, as the 通知设置 page's `wx-open-subscribe` would
make WeChat send), turn it off (subscribe_msg_change_event), or report the last 订阅通知
sent as delivered (subscribe_msg_sent_event). The event is signed and POSTed to /wechat
like every sandbox message; the fake learns the answer from the webhook's listener
(bot/sandbox/mount.py), as WeChat counts acceptances itself.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from bot.sandbox.fake_http import fake_state
from bot.sandbox.fake_state import SUBSCRIBE_CHANNELS
from bot.sandbox.pages import post_to_webhook
from bot.services import services_of
from bot.simulator import subscription_event_xml
from core import texts
from core.subscribe_messages import ACCOUNT

bp = Blueprint("sandbox_subscribe", __name__)

ACTIONS = {"accept": "subscribe_msg_popup_event", "reject": "subscribe_msg_popup_event",
           "change": "subscribe_msg_change_event", "sent": "subscribe_msg_sent_event"}


@bp.get("/subscriptions")
def templates_and_counts() -> ResponseReturnValue:
    """The account's subscription templates (kind, id, title) and how many messages the
    user (?openid=) may still receive on each, as WeChat counts them."""
    openid = (request.args.get("openid") or "").strip()[:64]
    state = fake_state()
    with state.lock:
        left = {t: n for (o, t), n in state.subscriptions.items() if o == openid}
    found = [{"kind": kind, "template_id": spec.template_id, "title": spec.template.title,
              "remaining": left.get(spec.template_id, 0)}
             for kind, specs in services_of().settings.subscriptions.items()
             for spec in specs if spec.app == ACCOUNT]
    return jsonify(templates=found)


@bp.post("/subscribe")
def send_event() -> ResponseReturnValue:
    """{"openid", "action": accept | reject | change | sent, "template_id"}: WeChat's
    subscription event for that user, sent to the webhook."""
    body = request.get_json(silent=True) or {}
    openid = str(body.get("openid") or "").strip()[:64]
    action = str(body.get("action") or "")
    template_id = str(body.get("template_id") or "").strip()[:128]
    if not openid or not template_id:
        return jsonify(error=texts.SANDBOX_EMPTY), 400
    event = ACTIONS.get(action)
    if event is None:
        return jsonify(error=texts.SANDBOX_SUBSCRIBE_UNKNOWN.format(what=action[:20])), 400
    if action == "sent":
        sent = [m for m in fake_state().messages_for(openid)
                if m.channel in SUBSCRIBE_CHANNELS and m.body.get("template_id") == template_id]
        if not sent:
            return jsonify(error=texts.SANDBOX_SUBSCRIBE_NOTHING_SENT), 404
        item = {"TemplateId": template_id, "MsgID": str(sent[-1].msgid), "ErrorCode": "0",
                "ErrorStatus": "success"}
    else:
        item = {"TemplateId": template_id,
                "SubscribeStatusString": "accept" if action == "accept" else "reject"}
        if action != "change":
            item["PopupScene"] = "0"
    return post_to_webhook(subscription_event_xml(openid, event, [item]))
