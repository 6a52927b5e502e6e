"""The sandbox chat page (`/sandbox/`): talk to the bot as any openid in a browser.

Messages typed on the page are signed (and encrypted, with an AES key configured) on
the server exactly as WeChat would, and POSTed to /wechat; pushed messages (what the
outbox delivered to the fake API) appear as they arrive.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from bot.cli.chat import line_to_xml
from bot.pages.access import log_out_visitor, safe_next, to_wechat
from bot.sandbox.fake_http import fake_state
from bot.sandbox.fake_media import new_picture
from bot.sandbox.fake_state import scene_of_ticket
from bot.services import services_of
from bot.simulator import WeChatSide, event_xml
from core import texts, words

bp = Blueprint("sandbox_pages", __name__, template_folder="templates")

@bp.get("/")
def page() -> Response:
    """The chat page."""
    return Response(render_template("sandbox_chat.html",
                                    member_pages=words.SANDBOX_MEMBER_PAGES),
                    mimetype="text/html")


@bp.get("/member-pages")
def member_pages() -> ResponseReturnValue:
    """Open the member pages (/m/, or the page `next` names: a menu's VIEW button) in
    this browser as `openid`: through their real login
    — WeChat's web authorization (the fake's authorize page, with that follower already
    picked), the callback exchanging the code, then /m/ — so what the page shows is what
    that member sees in WeChat. Whoever was logged in to the pages here is logged out
    first (the console's login stays)."""
    openid = request.args.get("openid", "").strip()[:64]
    if not openid or not openid.isprintable():
        return jsonify(error=texts.SANDBOX_EMPTY), 400
    log_out_visitor()
    answer = cast(Response, to_wechat(safe_next(request.args.get("next"))))
    parts = urlsplit(answer.location)
    query = urlencode([*parse_qsl(parts.query), ("sandbox_openid", openid)])
    answer.location = urlunsplit(parts._replace(query=query))
    return answer


@bp.post("/send")
def send() -> ResponseReturnValue:
    """Sign one line as WeChat would, POST it to /wechat, return the opened reply."""
    body = request.get_json(silent=True) or {}
    openid = str(body.get("openid") or "").strip()[:64]
    text = str(body.get("text") or "").strip()[:2000]
    if not openid or not text:
        return jsonify(error=texts.SANDBOX_EMPTY), 400
    # A photo sent from the page is one the fake keeps, so the bot can fetch it back.
    xml = line_to_xml(openid, text, new_picture() if text == "/image" else None)
    if xml is None:
        return jsonify(error=texts.SANDBOX_UNKNOWN_ACTION), 400
    return _post_to_webhook(xml)


@bp.post("/scan")
def scan() -> ResponseReturnValue:
    """Scan a QR code (by its ticket) as `openid`: WeChat sends the webhook a SCAN event
    with the code's scene (the console's login page offers this in the sandbox)."""
    body = request.get_json(silent=True) or {}
    openid = str(body.get("openid") or "").strip()[:64]
    ticket = str(body.get("ticket") or "")[:100]
    if not openid or not ticket:
        return jsonify(error=texts.SANDBOX_EMPTY), 400
    scene = scene_of_ticket(fake_state(), ticket)
    if scene is None:
        return jsonify(error=texts.SANDBOX_QR_EXPIRED), 410
    return _post_to_webhook(event_xml(openid, "SCAN", scene))


def _post_to_webhook(xml: str) -> ResponseReturnValue:
    """Sign `xml` as WeChat would, POST it to /wechat, return the opened reply."""
    try:
        xml.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from JSON ("\ud800"): no WeChat text
        return jsonify(error=texts.SANDBOX_BAD_TEXT), 400
    settings = services_of().settings
    side = WeChatSide(settings.wechat_token, settings.encoding_aes_key,
                      settings.effective_app_id)
    signed = side.sign_request(xml)
    response = current_app.test_client().post(f"/wechat?{signed.query}", data=signed.body)
    if response.status_code != 200:
        return jsonify(error=f"HTTP {response.status_code}"), 502
    reply = side.open_reply(response.get_data())
    return jsonify(reply="" if reply.is_success else reply.content)


# (public, for the sandbox's other pages: bot/sandbox/subscribe_page.py)
post_to_webhook = _post_to_webhook
