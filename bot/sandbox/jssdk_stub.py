"""The sandbox's JS-SDK (sandbox mode only, mounted by bot/sandbox/mount.py):

    GET  /sandbox/jssdk/jweixin.js  the stand-in for WeChat's jweixin-1.6.0.js
                                    (bot/sandbox/static/jweixin-stub.js)
    POST /sandbox/jssdk/verify      what WeChat checks at wx.config: the signature, against
                                    the stored jsapi_ticket and the page's own address
    GET  /sandbox/jssdk/try         a small page signing itself and asking for the location

The member pages load the stub instead of WeChat's script in sandbox mode
(bot.jssdk_page.jssdk_context), so `wx.getLocation` works in an ordinary browser.
"""

from __future__ import annotations

import hmac
import json
import logging
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, session
from flask.typing import ResponseReturnValue

from bot.jssdk_page import jssdk_context, page_url
from bot.services import services_of
from core import texts
from core.jssdk import signature

log = logging.getLogger(__name__)

bp = Blueprint("sandbox_jssdk", __name__, template_folder="templates")

STUB = Path(__file__).parent / "static" / "jweixin-stub.js"


@bp.get("/jssdk/jweixin.js")
def stub() -> Response:
    """The stub JS-SDK, preceded by the words of its position box and subscription popup,
    and by who this browser is (the member pages' login: WeChat knows its user, and the
    stub's wx-open-subscribe sends the subscription event for that openid)."""
    words = {"title": texts.JSSDK_STUB_BOX_TITLE, "latitude": texts.JSSDK_STUB_LATITUDE,
             "longitude": texts.JSSDK_STUB_LONGITUDE, "ok": texts.JSSDK_STUB_OK,
             "cancel": texts.JSSDK_STUB_CANCEL, "bad": texts.JSSDK_STUB_BAD_NUMBER,
             "subscribeTitle": texts.JSSDK_STUB_SUBSCRIBE_TITLE,
             "allow": texts.JSSDK_STUB_ALLOW, "deny": texts.JSSDK_STUB_DENY,
             "noUser": texts.JSSDK_STUB_NO_USER}
    openid = session.get("m_openid")
    user = {"openid": openid} if isinstance(openid, str) and openid else {}
    body = (f"window.__wxStubWords = {json.dumps(words)};\n"
            f"window.__wxStubUser = {json.dumps(user)};\n{STUB.read_text()}")
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/jssdk/verify")
def verify() -> ResponseReturnValue:
    """WeChat's check of wx.config: {"errMsg": "config:ok"} or why not (as wx.error says)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(errMsg="config:fail, bad request"), 400
    services = services_of()
    if str(body.get("appId") or "") != services.settings.effective_app_id:
        log.warning("sandbox wx.config: appId %r is not this account's", body.get("appId"))
        return jsonify(errMsg="config:invalid appid")
    ticket = services.jsapi_ticket.usable()
    fields = [str(body.get(key) or "") for key in ("nonceStr", "timestamp", "url")]
    expected = signature(ticket, *fields) if ticket is not None else ""
    if not all(fields) or not expected or \
            not hmac.compare_digest(expected, str(body.get("signature") or "")):
        log.warning("sandbox wx.config: invalid signature for %s (ticket %s)", fields[2][:200],
                    "stored" if ticket else "missing")
        return jsonify(errMsg="config:invalid signature")
    return jsonify(errMsg="config:ok")


@bp.get("/jssdk/try")
def try_page() -> Response:
    """Sign this page and ask for the location (with ?broken=1, signed for another URL:
    what a wrong signing looks like)."""
    url = page_url()
    signed_for = url + "&wrong" if request.args.get("broken") else url
    context = jssdk_context(signed_for)
    return Response(render_template("sandbox_jssdk_try.html", jssdk=context, texts=texts),
                    mimetype="text/html")
