"""The two WeChat ways into the console, both ending in `access.log_in`.

On a PC: the login page fetches a login QR code (`GET /admin/login/qr`: a ticket, shown
as a temporary parametric code of the account, 2 minutes) and polls
`GET /admin/login/qr/state`; when a bound admin scans it, the webhook ties the ticket to
them and asks them to confirm (handlers.console_login); after their 「确认登录」 the next
poll logs this browser in. Only the browser
that asked for the code knows its ticket (it is kept in that browser's session).

Inside WeChat: `login_required` sends WeChat's browser to `/admin/oauth`, which asks
WeChat for the openid with `snsapi_base` (no consent screen) and comes back to
`/admin/oauth/callback`; a bound admin is logged in.
"""

from __future__ import annotations

import logging
import secrets

import segno
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bot.console.access import in_wechat_browser, log_in, on_a_phone, safe_next, same_token
from bot.console.request_db import committed
from bot.qrcodes import QR_FAILURES, create_scene_qr
from bot.sandbox.exposure import sandbox_serves_client
from bot.services import services_of
from core import texts
from core.metrics import count_console_login
from core.web_authorization import WebAuthorizationError, authorize_url, openid_for_code
from models.console.accounts import account_of_member, bound_members_admins_first
from models.console.logins import (
    TICKET_LIFETIME,
    TooManyTickets,
    Waiting,
    claim_ticket,
    open_ticket,
)
from models.members.queries import member_by_openid

bp = Blueprint("wechat_login", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

REUSE_MARGIN = 30  # seconds a reused code must still have: time to scan it

QR_SCALE = 5


@bp.get("/login/qr")
def login_qr() -> ResponseReturnValue:
    """This browser's login QR code, as inline SVG (JSON): the one it already has while
    it has REUSE_MARGIN left (a reload or a loop does not spend WeChat calls), else a
    fresh one."""
    services = services_of()
    now = services.clock()
    until = float(session.get("login_qr_until") or 0)
    if session.get("login_ticket") and until - now.timestamp() >= REUSE_MARGIN:
        return _qr_answer(str(session["login_qr_url"]), str(session["login_qr_ticket"]),
                          int(until - now.timestamp()))
    try:
        ticket = committed(lambda db: open_ticket(db, now, request.remote_addr,
                                                  services.settings.login_qr_per_minute))
    except TooManyTickets as refused:
        log.warning("console: too many login QR codes for %s (limit %d a minute)",
                    request.remote_addr, services.settings.login_qr_per_minute)
        return jsonify(error=refused.render()), 429
    seconds = int(TICKET_LIFETIME.total_seconds())
    try:
        code = create_scene_qr(services.wechat, ticket.scene, expire_seconds=seconds)
    except QR_FAILURES as exc:
        log.warning("console: could not create a login QR code: %s", type(exc).__name__)
        return jsonify(error=texts.CONSOLE_QR_UNAVAILABLE), 503
    session.update(login_ticket=ticket.key, login_qr_url=code.url, login_qr_ticket=code.ticket,
                   login_qr_until=now.timestamp() + seconds)
    return _qr_answer(code.url, code.ticket, seconds)


def _qr_answer(url: str, wechat_ticket: str, seconds: int) -> ResponseReturnValue:
    svg = segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=2)
    answer = {"svg": svg, "expires_in": seconds}
    if sandbox_serves_client():  # the sandbox's "scan with…" needs the ticket
        answer["ticket"] = wechat_ticket
    return jsonify(answer)


@bp.get("/login/qr/state")
def login_qr_state() -> ResponseReturnValue:
    """Whether this browser's code was scanned (and confirmed on the phone); the first
    poll after the confirmation logs in."""
    key = session.get("login_ticket")
    if not key:
        return jsonify(state=Waiting.EXPIRED.value)
    services = services_of()
    # Reads the ticket, then uses it up: on SQLite that needs the write lock up front, or
    # parallel polls fail with "database is locked".
    claim = committed(lambda db: claim_ticket(db, str(key), services.clock()))
    if claim.state in (Waiting.EXPIRED, Waiting.CANCELLED):  # the next load makes another
        session.pop("login_qr_until", None)
    if claim.state is not Waiting.DONE or claim.account is None:
        return jsonify(state=claim.state.value)
    log_in(claim.account)
    count_console_login("wechat_scan", "ok")
    log.info("console: %s logged in by scanning the login code", claim.account.key)
    return jsonify(state=Waiting.DONE.value, next=safe_next(request.args.get("next")))


@bp.get("/oauth")
def oauth_start() -> ResponseReturnValue:
    """Ask WeChat who this is (snsapi_base: silent), coming back to the callback."""
    services = services_of()
    state = secrets.token_urlsafe(12)
    session["oauth_state"] = state
    session["oauth_next"] = safe_next(request.args.get("next"))
    base = (services.settings.public_url or request.host_url).rstrip("/")
    return redirect(authorize_url(services.settings,
                                  base + url_for("console.wechat_login.oauth_callback"), state))


@bp.get("/oauth/callback")
def oauth_callback() -> ResponseReturnValue:
    """Back from WeChat with a code: a bound admin is logged in."""
    services = services_of()
    expected = session.pop("oauth_state", None)
    next_url = session.pop("oauth_next", None)
    code = request.args.get("code", "")[:200]
    if not expected or not same_token(request.args.get("state", ""), expected) \
            or not code:
        log.warning("console: web authorization came back without its state or code")
        return _refused(texts.CONSOLE_OAUTH_FAILED.format(reason="state"), 400)
    try:
        openid = openid_for_code(services.settings, code)
    except WebAuthorizationError as exc:
        log.warning("console: web authorization failed: %s", exc.reason)
        count_console_login("wechat_oauth", "failed")
        return _refused(texts.CONSOLE_OAUTH_FAILED.format(reason=exc.reason), 502)
    with services.sessions() as db:
        member = member_by_openid(db, openid)
        account = account_of_member(db, member.id) if member is not None else None
    if account is None:
        log.info("console: web authorization for a member who is not an admin refused")
        count_console_login("wechat_oauth", "not_admin")
        return _refused(texts.CONSOLE_OAUTH_NOT_ADMIN, 403)
    log_in(account)
    count_console_login("wechat_oauth", "ok")
    log.info("console: %s logged in through WeChat web authorization", account.key)
    return redirect(safe_next(next_url))


def _refused(message: str, status: int) -> ResponseReturnValue:
    return render_template("console/login.html", next="", error=message, login="",
                           **login_page_extras()), status


def login_page_extras() -> dict[str, object]:
    """What the login page shows besides the password form: the sandbox's helpers, and
    whether it is on a phone (then WeChat's way in comes first, before the QR code)."""
    services = services_of()
    phone = {"on_a_phone": on_a_phone(), "in_wechat": in_wechat_browser()}
    if not sandbox_serves_client():  # who follows is the sandbox's, for this machine
        return {"sandbox_followers": None, **phone}
    with services.sessions() as db:
        return {"sandbox_followers": bound_members_admins_first(db), **phone}
