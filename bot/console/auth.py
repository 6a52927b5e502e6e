"""Logging in to the console: the login page (the scan-to-login QR code and a password
form for staff with no bound WeChat), and logging out. The WeChat ways in live in
`wechat_login` and end in the same `log_in`."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.access import current_account, log_in, log_out, login_required, safe_next
from bot.console.password_gate import password_gate
from bot.console.request_db import committed
from bot.console.wechat_login import login_page_extras
from bot.services import services_of
from core import texts
from core.localtime import when
from core.metrics import count_console_login, metrics
from models.console.accounts import (
    Account,
    account_of_user,
    password_login_done,
    reserve_password_try,
    user_with_password,
)

bp = Blueprint("auth", __name__)  # registered under the console in bot/console/__init__.py

log = logging.getLogger(__name__)

FIELD_MAX = 200  # longer input is not a login or a password of ours


@bp.get("/login")
def login() -> ResponseReturnValue:
    """The login page."""
    return render_template("console/login.html", next=request.args.get("next", ""),
                           error=None, login="", **login_page_extras())


@bp.post("/login")
def login_with_password() -> ResponseReturnValue:
    """A password login; a login gets 10 tries in 15 minutes, then is locked for 15."""
    services = services_of()
    login_name = (request.form.get("login") or "")[:FIELD_MAX]
    password = (request.form.get("password") or "")[:FIELD_MAX]
    next_url = request.form.get("next", "")
    if not login_name or not password:
        return render_template("console/login.html", next=next_url, login=login_name,
                               error=texts.CONSOLE_LOGIN_EMPTY, **login_page_extras()), 400
    now = services.clock()
    gate = password_gate(services.settings.instance_path)
    with gate.entered() as entered:
        if not entered:  # another check is hashing: see password_gate (no try is taken)
            count_console_login("password", "busy")
            count = gate.note_turned_away()
            if count is not None:
                log.warning("console: %d password login(s) turned away: another check was "
                            "running (latest for %r)", count, login_name[:40])
            return render_template("console/login.html", next=next_url, login=login_name,
                                   error=texts.CONSOLE_LOGIN_BUSY, **login_page_extras()), \
                429, {"Retry-After": "2"}
        # Three short transactions, none open while scrypt runs: take a try (committed
        # before hashing, so parallel guesses see it; on SQLite `write_session` queues
        # writers instead of failing with "database is locked"), check the password, and
        # on success start the count afresh.
        reserved = committed(lambda session: reserve_password_try(session, login_name, now))
        account = None
        if reserved.granted:
            with services.sessions() as session:
                user_id = user_with_password(session, login_name, password)
            if user_id is not None:
                found = user_id

                def done(session: Session) -> Account | None:
                    user = password_login_done(session, found, now)
                    return account_of_user(session, user.id) if user else None

                account = committed(done)
    if account is None:
        locked = reserved.locked_until
        count_console_login("password", "locked" if locked else "wrong")
        if locked and reserved.granted:  # this wrong try was the last: the lock begins
            metrics().console_lockouts.inc()
        log.warning("console: password login refused for %r%s", login_name[:40],
                    " (locked)" if locked else "")
        error = texts.CONSOLE_LOGIN_LOCKED.format(until=when(locked, services.settings.tz)) \
            if locked else texts.CONSOLE_LOGIN_WRONG
        return render_template("console/login.html", next=next_url, login=login_name,
                               error=error, **login_page_extras()), 401
    log_in(account)
    count_console_login("password", "ok")
    log.info("console: %s logged in with a password", account.key)
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out (a POST with the CSRF token, so a link elsewhere cannot do it): the
    session ends on the server, for every copy of its cookie."""
    account = g.get("account")
    log_out()
    if account is not None:
        log.info("console: %s logged out", account.key)
    return redirect(url_for("console.auth.login"))


@bp.post("/logout/all")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """「退出所有设备」: end every session of this account, in any browser (a lost phone, a
    login someone else confirmed)."""
    account = current_account()
    ended = log_out(everywhere=True)
    log.info("console: %s logged out everywhere (%d sessions)", account.key, ended)
    flash(texts.CONSOLE_LOGGED_OUT_EVERYWHERE.format(count=ended))
    return redirect(url_for("console.auth.login"))
