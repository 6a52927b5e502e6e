"""A request id for every request Flask serves (console, member pages, API, health,
the sandbox, /wechat in sandbox mode): taken from an incoming `X-Request-Id` when it
is a sane short token (nginx's $request_id), else made here; set for the request's
log lines (core.request_context) and the outbox rows it creates, and returned as the
`X-Request-Id` response header. `POST /wechat` outside the sandbox never reaches
Flask: bot.webhook_wsgi does the same there.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from core.request_context import HEADER, incoming_or_new, reset_request_id, set_request_id


def register_request_ids(app: Flask) -> None:
    """Give every request an id (first, before any other hook logs)."""
    app.before_request(_start)
    app.after_request(_answer_with_id)
    app.teardown_request(_end)


def _start() -> None:
    request_id = incoming_or_new(request.headers.get(HEADER))
    g.request_id = request_id
    g.request_id_token = set_request_id(request_id)


def _answer_with_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[HEADER] = g.request_id
    return response


def _end(_error: BaseException | None = None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        reset_request_id(token)
