"""The console at /admin: a web workplace for branch secretaries and township/county
staff, on the same actions as the chat.

`register_console` (called by `create_app`) builds the console's blueprint for that app
and nests one blueprint per area under it; importing a console module registers
nothing. On every console request `access` loads the account from the server-side
session and checks the CSRF token of every POST (400 without it); `request_db` gives
the request its one database session and answers every refused change the same way.
"""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint, Flask

from bot.console import (
    assess,
    assess_marks,
    audit_log,
    auth,
    evaluation,
    exports,
    joint,
    meeting_files,
    meeting_record,
    meetings,
    members,
    orgs,
    overview,
    pairs_reach,
    questions,
    rectification,
    reviews,
    roster_upload,
    study_pages,
    surveys,
    wechat_login,
)
from bot.console.access import load_account, template_globals
from bot.console.request_db import close_db, refused
from models.errors import DomainError

__all__ = ["register_console"]

# One blueprint per area; their endpoints read "console.<area>.<view>".
AREAS: tuple[ModuleType, ...]  # areas are added below (issue 28)
AREAS = (auth, wechat_login, overview, meetings, meeting_record, meeting_files, members,
         roster_upload, orgs, study_pages, questions, pairs_reach, audit_log, exports)
# issue 28, the county's year: 考核 (scheme and sheets, marks, 满意度测评), 整顿台账,
# 民主评议, 述职评议, 双联双促
AREAS += (assess, assess_marks, surveys, rectification, evaluation, reviews, joint)


def console_blueprint() -> Blueprint:
    """A fresh /admin blueprint with every area under it (one per app)."""
    console = Blueprint("console", __name__, url_prefix="/admin",
                        template_folder="templates", static_folder="static")
    console.before_request(load_account)
    console.app_context_processor(template_globals)
    console.teardown_request(close_db)
    console.register_error_handler(DomainError, refused)
    for area in AREAS:
        console.register_blueprint(area.bp)
    return console


def register_console(app: Flask, secure_cookies: bool) -> None:
    """Mount the console; cookies are Secure when the public address is https."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=secure_cookies)
    app.register_blueprint(console_blueprint())
