"""Who is looking at a member page, and the checks every page relies on.

Login is WeChat's web authorization (`snsapi_base`: silent inside WeChat). The signed
cookie keeps the openid WeChat vouched for and when (`m_openid`, `m_since`, at most
SESSION_LIFETIME ago); each request looks the openid up again (one query, with the
member's font size), so a member unbound meanwhile is a stranger on their next page.
A stranger sees only /m/bind. The console's keys in the same cookie are left alone.

For page views: `member_required` (or `visitor_required` for the binding page),
`current_member()`, `member_actor()`, `font_size()`; forms carry `csrf_token()`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bot.console.access import csrf_token, same_token
from bot.console.request_db import db
from bot.services import services_of
from core import texts, words
from core.web_authorization import authorize_url
from models.actors import Actor, Surface
from models.members.preferences import FontSize, page_visitor
from models.members.tables import Member
from models.pairing.queries import is_helper_now, page_visitor_and_role

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])

SESSION_LIFETIME = timedelta(hours=12)
OAUTH_PENDING = 3  # authorizations a browser may have under way at once
_KEYS = ("m_openid", "m_since", "m_member")

__all__ = ["SESSION_LIFETIME", "csrf_token", "current_member", "font_size", "log_in_visitor",
           "member_actor", "member_required", "refusal_goes_to", "safe_next", "visitor_openid",
           "visitor_required"]


def is_pages_path(path: str) -> bool:
    """Whether a request is for the member pages (their errors are shown in their frame)."""
    return path == "/m" or path.startswith("/m/")


def load_visitor() -> ResponseReturnValue | None:
    """Before every page: the CSRF check of a POST, then who this is (g.member: the
    bound member or None; g.visitor_openid: the openid WeChat vouched for, or None)."""
    g.member, g.visitor_openid, g.font_size = None, None, FontSize.STANDARD
    if request.endpoint == "pages.static":
        return None
    if request.method == "POST":
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if not sent or not same_token(sent, session.get("csrf") or ""):
            log.warning("pages: POST %s without a valid CSRF token refused", request.path)
            return error_page(texts.PAGES_FORM_EXPIRED, 400)
    openid = session.get("m_openid")
    if not isinstance(openid, str) or not openid:
        return None
    now = services_of().clock().timestamp()
    since = session.get("m_since")
    if not isinstance(since, (int, float)) or not 0 <= now - since <= \
            SESSION_LIFETIME.total_seconds():
        log_out_visitor()
        return None
    g.visitor_openid = openid
    found = page_visitor_and_role(db(), openid)
    member_id = None
    if found is not None:
        g.member, g.font_size, g.pages_helping = found
        member_id = g.member.id
    if session.get("m_member") != member_id:  # bound or unbound since: say so once
        session["m_member"] = member_id
    return None


def log_in_visitor(openid: str) -> None:
    """WeChat vouched for `openid` just now (the callback)."""
    session["m_openid"] = openid
    session["m_since"] = int(services_of().clock().timestamp())
    session.pop("m_member", None)
    csrf_token()


def log_out_visitor() -> None:
    """Forget the member's login (the console's keys stay)."""
    for key in _KEYS:
        session.pop(key, None)


def current_member() -> Member:
    """The bound member looking at the page (views under member_required only)."""
    return cast(Member, g.member)


def visitor_openid() -> str:
    """The openid WeChat vouched for (views under visitor_required or member_required)."""
    return cast(str, g.visitor_openid)


def member_actor() -> Actor:
    """The member as the actor of a change made on a page."""
    member = current_member()
    return Actor.member(member.id, member.name, Surface.PAGE)


def font_size() -> FontSize:
    """The member's font size (standard for a stranger)."""
    return cast(FontSize, g.get("font_size", FontSize.STANDARD))


def safe_next(target: str | None) -> str:
    """Where to go after logging in or binding: only a member page (no open redirect,
    no control character to split the Location header)."""
    if target and (target == "/m" or target.startswith("/m/")) and "\\" not in target \
            and not target.startswith("//") and target.isprintable() and len(target) < 500:
        return target
    return url_for("pages.home.home")


def here() -> str:
    """This request's path and query: where to come back to."""
    return request.full_path.rstrip("?")


def to_wechat(next_url: str) -> ResponseReturnValue:
    """Ask WeChat who this is (silent), coming back to the callback and then `next_url`.
    The state is kept in the session (the last OAUTH_PENDING: two links opened at once
    both come back); a callback without one of them is refused."""
    settings = services_of().settings
    state = secrets.token_urlsafe(12)
    pending = session.get("m_oauth")
    kept = list(pending.items())[-(OAUTH_PENDING - 1):] if isinstance(pending, dict) else []
    session["m_oauth"] = dict([*kept, (state, safe_next(next_url))])
    base = (settings.public_url or request.host_url).rstrip("/")
    callback = base + url_for("pages.auth.callback")
    return redirect(authorize_url(settings, callback, state))


def take_oauth_state(sent: str) -> str | None:
    """The page first asked for, if `sent` is a state this browser is waiting for (used
    up either way); None for any other."""
    pending = session.pop("m_oauth", None)
    if not isinstance(pending, dict):
        return None
    for state, next_url in pending.items():
        if same_token(sent, str(state)):
            rest = {key: value for key, value in pending.items() if key != state}
            if rest:
                session["m_oauth"] = rest
            return safe_next(str(next_url))
    session["m_oauth"] = pending
    return None


def visitor_required(view: View) -> View:
    """Only with an openid WeChat vouched for (bound or not): else to WeChat first."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("visitor_openid") is None:
            return to_wechat(here())
        return view(*args, **kwargs)

    return cast(View, wrapped)


def member_required(view: View) -> View:
    """Only for a bound member: a visitor not logged in goes to WeChat, a stranger to
    the binding page; both come back here afterwards."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if g.get("visitor_openid") is None:
            return to_wechat(here())
        if g.get("member") is None:
            return redirect(url_for("pages.bind.bind", next=here()))
        return view(*args, **kwargs)

    return cast(View, wrapped)


def refusal_goes_to(url: str) -> None:
    """If this request's action refuses (a DomainError), flash its sentence on this page
    (default: the member page the form was on, else home)."""
    g.pages_refusal_to = url


def not_found(_error: Exception) -> ResponseReturnValue:
    """404 raised by a page view (abort(404): not there, or not the member's to see)."""
    return error_page(texts.PAGES_NOT_FOUND, 404)


def unrouted_error(status: int) -> ResponseReturnValue:
    """An error under /m/ that no page view answered (an unknown address, an upload over
    the limit, a fault): the members' frame in plain words, never Werkzeug's English.
    The pages' own hooks did not run, so nobody is shown as logged in."""
    message = texts.PAGES_NOT_FOUND if status == 404 else \
        texts.PAGES_ERROR_SENTENCES.get(status, texts.PAGES_ERROR_OTHER)
    return render_template("pages/error.html", message=message, **template_globals()), status


def error_page(message: str, status: int) -> ResponseReturnValue:
    """A refusal as a page in the members' frame."""
    return render_template("pages/error.html", message=message), status


def template_globals() -> dict[str, Any]:
    """What every page template may use."""
    member = g.get("member")
    return {"csrf_token": csrf_token, "member": member, "font_size": font_size(),
            "texts": texts, "font_sizes": words.PAGE_FONT_SIZES,
            "nav_items": nav_items(member)}


NAV = (("/m/", words.PAGE_NAV_HOME), ("/m/study", words.PAGE_NAV_STUDY),
       ("/m/meetings", words.PAGE_NAV_MEETINGS), ("/m/me", words.PAGE_NAV_ME))
HELPER_NAV = ("/m/helper", words.PAGE_NAV_HELPER)


def helping(member: Member) -> bool:
    """Whether the member has the helper role now — by the roster or by a pair alone —
    the same test the 帮扶 page lets people in by (asked once a request)."""
    if "pages_helping" not in g:
        g.pages_helping = is_helper_now(db(), member)
    return bool(g.pages_helping)


def nav_items(member: Member | None) -> list[tuple[str, str, bool]]:
    """The bottom bar: (label, path, is this page) — 帮扶 only for helpers."""
    items = list(NAV) + ([HELPER_NAV] if member is not None and helping(member) else [])
    path = request.path
    return [(label, href, path == href if href == "/m/" else
             path == href or path.startswith(href + "/")) for href, label in items]


def member_in_cookie() -> bool:
    """Whether this request's cookie holds a live member-page login of a bound member
    (bot.request_guard asks it before accepting an upload's larger body: one query)."""
    openid = session.get("m_openid")
    since = session.get("m_since")
    if not isinstance(openid, str) or not openid or not isinstance(since, (int, float)):
        return False
    services = services_of()
    if not 0 <= services.clock().timestamp() - since <= SESSION_LIFETIME.total_seconds():
        return False
    with services.sessions() as found:
        return page_visitor(found, openid) is not None
