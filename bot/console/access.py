"""Console sessions, CSRF and scope: the checks every console view relies on.

A session lives on the server (models.console.sessions); the signed cookie carries its
token and the CSRF token only."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.request_db import committed, db
from bot.services import services_of
from core import texts
from core.localtime import quarter_asked
from models.actors import Actor
from models.console.accounts import Account, account_by_key, in_scope, member_of_account
from models.console.sessions import (
    end_all_sessions,
    end_session,
    live_session,
    start_session,
    touch_session,
)
from models.members.org_tables import Org, OrgKind

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def same_token(sent: str, expected: str) -> bool:
    """Constant-time comparison of a token someone sent with ours. As bytes: on str,
    compare_digest raises TypeError for any non-ASCII character (a 500 for "中")."""
    return secrets.compare_digest(sent.encode("utf-8", "replace"),
                                  expected.encode("utf-8", "replace"))


def csrf_token() -> str:
    """This session's CSRF token (made on first use); every form carries it."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return cast(str, token)


def template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "account": g.get("account"), "texts": texts}


def load_account() -> None:
    """The CSRF check for every POST, then the account the session remembers."""
    if request.method == "POST":
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if not sent or not same_token(sent, session.get("csrf") or ""):
            log.warning("console: POST %s without a valid CSRF token refused", request.path)
            abort(400, "missing or wrong CSRF token")
    g.account = None
    token = session.get("sid")
    if not token:
        return
    services = services_of()
    now = services.clock()
    with services.sessions() as db:
        live = live_session(db, str(token), now)
        g.account = account_by_key(db, live.account_key) if live else None
    if live is None or g.account is None:
        # logged out (here or everywhere), idle, past 12 hours, or the account is gone
        # or lost its admin role: this cookie and every copy of it log in again
        session.clear()
        g.account = None
        return
    if live.stale:
        committed(lambda db: touch_session(db, str(token), now))


def log_in(account: Account) -> None:
    """Start a fresh server-side session for `account`; the cookie holds only its token
    (and a new CSRF token: no fixation)."""
    services = services_of()
    token = committed(lambda db: start_session(db, account.key, services.clock()))
    session.clear()
    session["sid"] = token
    csrf_token()


def log_out(everywhere: bool = False) -> int:
    """End this session, or every session of the logged-in account; returns how many
    ended. The cookie is cleared either way."""
    services = services_of()
    token, account = session.get("sid"), g.get("account")

    def end(db: Session) -> int:
        if everywhere and account is not None:
            return end_all_sessions(db, account.key, services.clock())
        if token:
            end_session(db, str(token), services.clock())
            return 1
        return 0

    ended = committed(end)
    session.clear()
    return ended


def current_account() -> Account:
    """The logged-in account (views under login_required only)."""
    return cast(Account, g.account)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: only a console path (no open redirect, and no
    control character: a CR/LF would split the Location header)."""
    if target and target.startswith("/admin") and not target.startswith("//") \
            and "\\" not in target and target.isprintable():
        return target
    return url_for("console.overview.overview")


ID_DIGITS = 9  # below 2**31: fits every id column, SQLite's and PostgreSQL's


def form_id(value: str | None) -> int | None:
    """An id sent by a form or a query string, or None. Only ASCII digits: `isdigit`
    also accepts superscripts (which `int` refuses), and a longer number overflows the
    database's integer — both were 500s."""
    value = value or ""
    if value.isascii() and value.isdigit() and len(value) <= ID_DIGITS:
        return int(value)
    return None


def quarter_of_query(default: datetime) -> datetime:
    """A moment in the quarter ?quarter=YYYY-Q asks for (`default` without one); 400
    for one that is no quarter a page can show (9999-4 overflowed the period's end)."""
    asked = request.args.get("quarter", "")
    moment = quarter_asked(asked, services_of().settings.tz, default)
    if moment is None:
        log.info("console: %s asked for quarter %r, refused", request.path, asked[:20])
        abort(Response(texts.CONSOLE_BAD_QUARTER, 400, mimetype="text/plain"))
    return moment


def in_wechat_browser() -> bool:
    """Whether the page is opened inside WeChat (its browser says MicroMessenger)."""
    return "MicroMessenger" in (request.headers.get("User-Agent") or "")


def login_required(view: View) -> View:
    """Send visitors who are not logged in to log in, and back afterwards: inside
    WeChat through web authorization (silent), elsewhere to the login page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("account") is None:
            here = request.full_path.rstrip("?")
            if in_wechat_browser():
                return redirect(url_for("console.wechat_login.oauth_start", next=here))
            return redirect(url_for("console.auth.login", next=here))
        return view(*args, **kwargs)

    return cast(View, wrapped)


def org_in_scope(session: Session, org_id: int) -> None:
    """404 (not 403: no hint that it exists) when the org is outside the account's."""
    if not in_scope(session, current_account(), org_id):
        abort(404)


def scoped_org(session: Session, org_id: int,
               kinds: tuple[str, ...] | None = None) -> Org:
    """The org, or 404 when it is not the account's to see (or not of these kinds)."""
    org_in_scope(session, org_id)
    org = session.get(Org, org_id)
    if org is None or (kinds is not None and org.kind not in kinds):
        abort(404)
    return org


def branch_in_scope(session: Session, branch_id: int) -> Org:
    """The branch, or 404 when it is not one or not the account's to see."""
    return scoped_org(session, branch_id, (OrgKind.BRANCH,))


def actor_of(account: Account) -> Actor:
    """A console account as the actor of a change."""
    return Actor.console(account.key, account.name,
                         account.id if account.kind == "member" else None)


def console_actor() -> Actor:
    """The logged-in account as the actor of a change, with the member behind a password
    account when it has one (a meeting's creator, an attendance record, a pair name
    that member). Looked up once per request."""
    actor: Actor | None = g.get("console_actor")
    if actor is None:
        account = current_account()
        actor = actor_of(account)
        if actor.member_id is None:
            me = member_of_account(db(), account)
            actor = Actor.console(account.key, account.name, me.id if me else None)
        g.console_actor = actor
    return actor


PHONE_AGENT_MARKS = ("MicroMessenger", "Mobile", "Android", "iPhone", "iPad", "HarmonyOS")


def on_a_phone() -> bool:
    """Whether the browser says it runs on a phone (or is WeChat's own): a QR code on
    its screen cannot be scanned by the same phone, so WeChat's way in comes first."""
    agent = request.headers.get("User-Agent") or ""
    return any(mark in agent for mark in PHONE_AGENT_MARKS)
