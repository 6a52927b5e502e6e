"""Checks every request to the pages people use (console, sandbox, member pages) passes
before a view or the CSRF check reads it: ids that fit an id column, a body no
larger than its endpoint allows, and no control characters in the path, the query or
the form.

They are here, once for the whole app, so that no view has to remember them: a NUL
that reaches PostgreSQL ("text fields cannot contain NUL"), an id past 2**31-1
("integer out of range") or a CR/LF in a redirect would each answer 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request, session
from werkzeug.routing import IntegerConverter, Map

from bot.services import services_of
from core import texts
from models.console.sessions import live_session

log = logging.getLogger(__name__)

GUARDED_PREFIXES = ("/admin", "/sandbox", "/m/")
# Every id is an INTEGER column: 32 bits on PostgreSQL (SQLite takes 64).
ID_MAX = 2**31 - 1
View = TypeVar("View", bound=Callable[..., Any])
# C0 controls and DEL: never typed by a person. TAB, LF and CR come from textareas, so
# a form value may carry them; a query string or a path may not.
_FORM_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUERY_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` that matches only what fits an id column (and, as before, no sign): a
    larger number is a 404 instead of "integer out of range" from the database."""

    regex = r"[0-9]+"  # ASCII digits only (Python's \\d also matches other scripts)

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def register_request_guard(app: Flask) -> None:
    """Install the bounded `int` converter (before any blueprint adds its routes) and
    the body and control-character checks (before the blueprints' own hooks)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_guard)


def _guard() -> Response | None:
    if not request.path.startswith(GUARDED_PREFIXES):
        return None
    refused = _body_too_large()
    if refused is not None:
        return refused
    where = _control_characters()
    if where is not None:
        log.warning("refused %s %s: control character in %s", request.method,
                    _printable(request.path), where)
        return Response(texts.REQUEST_CONTROL_CHARACTERS, 400, mimetype="text/plain")
    return None


def _body_too_large() -> Response | None:
    """413 from the Content-Length alone, before anything reads the body. A chunked
    body (no Content-Length; browsers never send a form so) gets the app-wide limit and
    is read here: werkzeug would silently cut it off at the limit instead."""
    limit = request.max_content_length  # the app-wide limit
    length = request.content_length
    if length is None and "wsgi.input_terminated" in request.environ and limit is not None:
        request.max_content_length = limit + 1
        length = len(request.get_data(cache=True))  # kept for the form parser
        request.max_content_length = limit
    elif (upload := _upload_limit()) is not None and _logged_in():
        limit = request.max_content_length = upload
    if limit is None or length is None or length <= limit:
        return None
    log.warning("refused %s %s: body of %s%d bytes over the limit of %d", request.method,
                request.path, "at least " if request.content_length is None else "", length,
                limit)
    return Response(texts.REQUEST_TOO_LARGE.format(limit=_size(limit)), 413,
                    mimetype="text/plain")


def upload_limit(limit: int) -> Callable[[View], View]:
    """Let a view take a body up to `limit` bytes, larger than the app-wide limit (sized
    for the webhook). Only a logged-in session gets it: a stranger's body is refused at
    the app-wide limit before a byte of it is parsed."""
    def mark(view: View) -> View:
        view.upload_limit = limit  # type: ignore[attr-defined]
        return view
    return mark


def allow_upload() -> None:
    """For a blueprint outside the guarded paths (the API, whose refusals are its own
    problem+json): let an upload view take its larger body when the caller is logged
    in; anyone else stays at the app-wide limit (werkzeug refuses more with 413)."""
    upload = _upload_limit()
    if upload is not None and _logged_in():
        request.max_content_length = upload


def _upload_limit() -> int | None:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "upload_limit", None)


def _logged_in() -> bool:
    """Whether the cookie names a live console session, or on the member pages a bound
    member's login (only upload routes ask: one read before a large body is accepted)."""
    if request.path.startswith("/m/"):  # a member's pages: a bound member's login
        from bot.pages.access import member_in_cookie

        return member_in_cookie()
    if request.path.startswith("/api/"):  # the mini-program: a live Bearer token
        from models.api.tokens import token_is_live

        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not bearer.strip() or len(bearer) > 200:
            return False
        services = services_of()
        with services.sessions() as db:
            return token_is_live(db, bearer.strip(), services.clock())
    token = session.get("sid")
    if not token:
        return False
    services = services_of()
    with services.sessions() as db:
        return live_session(db, str(token), services.clock()) is not None


def _control_characters() -> str | None:
    """Where a control character was sent ("path", "query", "form"), or None."""
    if _QUERY_CONTROLS.search(request.path):
        return "path"
    if any(_QUERY_CONTROLS.search(key) or _QUERY_CONTROLS.search(value)
           for key, value in request.args.items(multi=True)):
        return "query"
    if request.method in ("POST", "PUT", "PATCH"):
        if any(_QUERY_CONTROLS.search(key) or _FORM_CONTROLS.search(value)
               for key, value in request.form.items(multi=True)):
            return "form"
        if any(_QUERY_CONTROLS.search(upload.filename or "")
               for upload in request.files.values()):
            return "form"
    return None


def _printable(text: str) -> str:
    return _QUERY_CONTROLS.sub("?", text)[:200]


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
