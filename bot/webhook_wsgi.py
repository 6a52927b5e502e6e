"""`POST /wechat` straight from WSGI, in front of Flask.

A 帮助 costs about 0.37 ms in process, and about 0.1 ms of it was Flask and werkzeug
around the view: the request and app contexts, URL matching, the before/after hooks
(which all skip /wechat), the Response object (benchmarks/webhook_profile.py). WeChat
posts every message here, so this path answers it with `bot.webhook.answer` — the same
function the Flask view calls — reading the query and the body from the environ.

Anything unusual goes on to Flask unchanged: another path or method, a body without a
Content-Length or over the limit (Flask's 413). In sandbox mode it is not installed:
the sandbox's Host and loopback guard runs as a Flask hook, and its fake WeChat hears
of each message in the view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from bot.services import services_of
from bot.webhook import Answer, answer, listeners_of
from core.request_context import bound, incoming_or_new

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
log = logging.getLogger(__name__)
_REASONS = {200: "200 OK", 400: "400 BAD REQUEST", 403: "403 FORBIDDEN",
            500: "500 INTERNAL SERVER ERROR"}


class FastWebhook:
    """WSGI middleware: POST /wechat answered without Flask, the rest passed on."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.max_body = app.config["MAX_CONTENT_LENGTH"]

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        if environ.get("PATH_INFO") != "/wechat" or environ.get("REQUEST_METHOD") != "POST" \
                or not length.isdigit() or (self.max_body is not None
                                            and int(length) > self.max_body):
            return self.wsgi_app(environ, start_response)
        services = services_of(self.app)
        query: dict[str, str] = {}
        # the first value of a repeated name, as werkzeug's request.args.get
        for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
            query.setdefault(name, value)
        request_id = incoming_or_new(environ.get("HTTP_X_REQUEST_ID"))
        with bound(request_id):  # (bot.request_ids, as for the requests Flask serves)
            try:
                given = answer(services, query,
                               lambda: environ["wsgi.input"].read(int(length)),
                               environ.get("REMOTE_ADDR"), listeners_of(self.app))
            except Exception:  # as the app's own error page: logged, plain text, no trace
                log.exception("unhandled error on POST /wechat")
                given = Answer(500, "internal error")
        body = given.body.encode()
        start_response(_REASONS.get(given.status, f"{given.status} ERROR"), [
            ("Content-Type", f"{given.mimetype}; charset=utf-8"),
            ("Content-Length", str(len(body))), ("X-Request-Id", request_id)])
        return [body]
