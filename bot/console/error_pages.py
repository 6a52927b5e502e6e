"""The console's error pages: a refused, missing or failed /admin page answers in
Chinese, inside the console's frame, with a way back (home, or the login page, and the
page the admin came from). Only /admin paths: the webhook and the other machine
endpoints keep their short plain-text answers (bot/__init__.py)."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Response, g, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from bot.console.access import load_account
from core import texts

log = logging.getLogger(__name__)

CONSOLE_PREFIX = "/admin"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def is_console_path(path: str) -> bool:
    """Whether a request is for the console (its pages answer errors in its frame)."""
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def _sentence(error: HTTPException, code: int) -> str:
    """Our own catalog sentence when the view gave one (abort(403, texts.…)); else the
    one for the code. Werkzeug's English descriptions never reach the page."""
    described = error.description or ""
    if _CHINESE.search(described):
        return described
    return texts.CONSOLE_ERROR_SENTENCES.get(code, texts.CONSOLE_ERROR_OTHER)


def _came_from() -> str | None:
    """The console page the admin came from, on this host, if any."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and is_console_path(referrer.path) \
            and referrer.path != request.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def _load_account_quietly() -> None:
    """Who is logged in, for the page's header and its way back; a failure here (a POST
    without its token, a database down) leaves the visitor as a stranger."""
    try:
        load_account()
    except Exception:  # the error page must show whatever went wrong
        g.account = None


def console_error_page(error: HTTPException) -> Response:
    """The page for an HTTP error on a console path (status kept)."""
    code = error.code or 500
    title = texts.CONSOLE_ERROR_TITLES.get(code, texts.CONSOLE_ERROR_TITLES[500]
                                           if code >= 500 else texts.CONSOLE_ERROR_OTHER)
    sentence = _sentence(error, code) if code < 500 else texts.CONSOLE_ERROR_SENTENCES[500]
    if "account" not in g:  # an address no console route matched: no view loaded it
        _load_account_quietly()
    logged_in = g.get("account") is not None
    try:
        home = url_for("console.overview.overview") if logged_in \
            else url_for("console.auth.login")
        body = render_template(
            "console/error.html", code=code, title=title, sentence=sentence, home=home,
            home_label=texts.CONSOLE_ERROR_BACK_HOME if logged_in
            else texts.CONSOLE_ERROR_BACK_LOGIN, came_from=_came_from())
    except Exception:  # the page itself failed (a broken template, no app context …)
        log.exception("console: the error page for %s could not be rendered", code)
        return Response(texts.CONSOLE_ERROR_PLAIN.format(title=title, sentence=sentence),
                        status=code, mimetype="text/plain")
    response = Response(body, status=code, mimetype="text/html")
    if error.response is None and code == 405:
        allowed = error.get_headers()
        response.headers.extend([(k, v) for k, v in allowed if k.lower() == "allow"])
    return response
