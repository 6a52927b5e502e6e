"""The member pages at /m/: a member's own screen inside WeChat's browser, on the same
actions as the chat (issue 26).

`register_pages` (called by `create_app`) builds the /m blueprint for that app and
nests one blueprint per area under it; importing a page module registers nothing. On
every page request `access.load_visitor` checks the CSRF token of a POST and finds who
is looking (WeChat web authorization, then the binding); `request_db` (the console's)
gives the request its one database session; a refused action is answered once, here.

A new area: a module with `bp = Blueprint("<area>", __name__)` and views decorated
with `access.member_required`, listed in AREAS (endpoints read "pages.<area>.<view>").
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.console.request_db import close_db
from bot.pages import (
    auth,
    bind,
    evaluation,
    font,
    helper,
    home,
    me,
    meetings,
    notices,
    review,
    study,
    survey,
)
from bot.pages.access import load_visitor, not_found, template_globals
from models.errors import DomainError

__all__ = ["register_pages"]

log = logging.getLogger(__name__)

# One blueprint per area, one a line (helpers add theirs at the end).
AREAS = (
    auth,
    bind,
    home,
    font,
    meetings,
    me,
    helper,
    notices,
    study,
    evaluation,
    review,
    survey,  # issue 28: 满意度测评
)


def pages_blueprint() -> Blueprint:
    """A fresh /m blueprint with every area under it (one per app)."""
    pages = Blueprint("pages", __name__, url_prefix="/m", template_folder="templates",
                      static_folder="static")
    pages.before_request(load_visitor)
    pages.context_processor(template_globals)
    pages.teardown_request(close_db)
    pages.register_error_handler(DomainError, refused)
    pages.register_error_handler(404, not_found)
    for area in AREAS:
        pages.register_blueprint(area.bp)
    return pages


def register_pages(app: Flask) -> None:
    """Mount the member pages (the cookie settings are the console's: register_console)."""
    app.register_blueprint(pages_blueprint())


def refused(error: DomainError) -> ResponseReturnValue:
    """The one answer to a refused change on a page: rolled back, the catalog sentence
    flashed on the page the member came from (or `g.pages_refusal_to`)."""
    found: Session | None = g.get("console_db")
    if found is not None:
        # a wrong guess stays counted (as in chat); anything else is undone
        found.commit() if error.keep_writes else found.rollback()
    log.info("pages: %s %s refused: %s", request.method, request.endpoint, error.key)
    flash(error.render())
    return redirect(g.get("pages_refusal_to") or page_came_from())


def page_came_from() -> str:
    """The member page the form was on (same host, under /m/), else home."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/m/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("pages.home.home")
