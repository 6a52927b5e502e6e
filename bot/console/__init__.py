"""The console at /admin: a web workplace for branch secretaries and township/county
staff, on the same domain functions as the chat.

One blueprint; `access` loads the account from the session (idle for 2 hours: logged
out), checks the CSRF token of every POST (400 without it), and offers `login_required`
and `org_in_scope` (404 outside the account's org subtree) to every view.
"""

from __future__ import annotations

from flask import Flask

# Importing the page modules registers their views on the blueprint.
from bot.console import (  # noqa: F401  (importing registers their views)
    audit_log,
    auth,
    exports,
    meeting_files,
    meetings,
    members,
    orgs,
    overview,
    pairs_reach,
    questions,
    roster_upload,
    study_pages,
    wechat_login,
)
from bot.console.access import bp

__all__ = ["bp", "register_console"]


def register_console(app: Flask, secure_cookies: bool) -> None:
    """Mount the console; cookies are Secure when the public address is https."""
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=secure_cookies)
    app.register_blueprint(bp)
