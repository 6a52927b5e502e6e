"""Logging in to the console: the login page (the scan-to-login QR code and a password
form for staff with no bound WeChat), and logging out. The WeChat ways in live in
`wechat_login` and end in the same `log_in`."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bot.console.access import bp, log_in, safe_next
from bot.console.password_gate import password_gate
from bot.console.wechat_login import login_page_extras
from bot.services import services_of
from core import texts
from core.localtime import when
from models.console_access import account_of_user, check_password

log = logging.getLogger(__name__)

FIELD_MAX = 200  # longer input is not a login or a password of ours


@bp.get("/login")
def login() -> ResponseReturnValue:
    """The login page."""
    return render_template("console/login.html", next=request.args.get("next", ""),
                           error=None, login="", **login_page_extras())


@bp.post("/login")
def login_with_password() -> ResponseReturnValue:
    """A password login; 10 wrong ones in 15 minutes lock the login for 15 minutes."""
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
        if not entered:  # another check is hashing: see password_gate
            count = gate.note_turned_away()
            if count is not None:
                log.warning("console: %d password login(s) turned away: another check was "
                            "running (latest for %r)", count, login_name[:40])
            return render_template("console/login.html", next=next_url, login=login_name,
                                   error=texts.CONSOLE_LOGIN_BUSY, **login_page_extras()), \
                429, {"Retry-After": "2"}
        with services.sessions() as session:
            checked = check_password(session, login_name, password, now)
            account = account_of_user(session, checked.user.id) if checked.user else None
            session.commit()
    if account is None:
        log.warning("console: password login refused for %r%s", login_name[:40],
                    " (locked)" if checked.locked_until else "")
        error = texts.CONSOLE_LOGIN_LOCKED.format(
            until=when(checked.locked_until, services.settings.tz)) \
            if checked.locked_until else texts.CONSOLE_LOGIN_WRONG
        return render_template("console/login.html", next=next_url, login=login_name,
                               error=error, **login_page_extras()), 401
    log_in(account)
    log.info("console: %s logged in with a password", account.key)
    return redirect(safe_next(next_url))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out (a POST with the CSRF token, so a link elsewhere cannot do it)."""
    session.clear()
    return redirect(url_for("console.login"))
