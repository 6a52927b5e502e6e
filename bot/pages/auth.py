"""Coming back from WeChat's web authorization: the openid is this browser's login."""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from bot.console.request_db import db
from bot.pages.access import error_page, log_in_visitor, take_oauth_state
from bot.services import services_of
from core import texts
from core.web_authorization import WebAuthorizationError, openid_for_code
from models.members.queries import member_by_openid

bp = Blueprint("auth", __name__)

log = logging.getLogger(__name__)


@bp.get("/oauth/callback")
def callback() -> ResponseReturnValue:
    """WeChat came back with a code and our state: the openid is logged in; a bound
    member goes to the page first asked for, a stranger to the binding page."""
    next_url = take_oauth_state(request.args.get("state", "")[:100])
    code = request.args.get("code", "")[:200]
    if next_url is None or not code:
        log.warning("pages: web authorization came back without its state or code")
        return error_page(texts.PAGES_OAUTH_FAILED.format(reason="state"), 400)
    try:
        openid = openid_for_code(services_of().settings, code)
    except WebAuthorizationError as exc:
        log.warning("pages: web authorization failed: %s", exc.reason)
        return error_page(texts.PAGES_OAUTH_FAILED.format(reason=exc.reason), 502)
    log_in_visitor(openid)
    if member_by_openid(db(), openid) is None:
        log.info("pages: a visitor who is not bound was sent to the binding page")
        return redirect(url_for("pages.bind.bind", next=next_url))
    return redirect(next_url)
