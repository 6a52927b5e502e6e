"""Errors as `application/problem+json` (RFC 9457): a stable `type` per kind, an English
`title`, the HTTP `status`, and the catalog's Chinese sentence as `detail`.

A view raises `Problem`; Flask's own errors under /api (404 for an unknown path, 405,
413) and anything unexpected are answered the same way by `http_problem` and
`internal_problem`, which create_app's error hooks call for paths under /api.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

from core import texts

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:partybot:problem:"

# kind -> (status, title); the kinds are the stable part of the contract
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "token-missing": (401, "Authentication required"),
    "token-invalid": (401, "Token invalid, expired or revoked"),
    "bad-code": (401, "WeChat login code refused"),
    "not-bound": (403, "Bind to a member first"),
    "forbidden": (403, "Not allowed for your role"),
    "not-found": (404, "Not found"),
    "bind-no-match": (404, "No member with that name and phone"),
    "method-not-allowed": (405, "Method not allowed"),
    "refused": (409, "Request refused"),
    "too-large": (413, "Request body too large"),
    "rate-limited": (429, "Too many requests"),
    "internal": (500, "Internal error"),
    "wechat-unavailable": (502, "WeChat unavailable"),
    "not-configured": (503, "Mini-program not configured"),
    "not-helper": (403, "For helpers only"),
}


class Problem(Exception):
    """An answer other than success: raise it from a view."""

    def __init__(self, kind: str, detail: str, *, headers: dict[str, str] | None = None,
                 **extensions: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = KINDS[kind][0]
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def response(self) -> Response:
        """The problem+json response."""
        body = {"type": TYPE_PREFIX + self.kind, "title": KINDS[self.kind][1],
                "status": self.status, "detail": self.detail, **self.extensions}
        response = Response(json.dumps(body, ensure_ascii=False), status=self.status,
                            mimetype=MEDIA_TYPE)
        for name, value in self.headers.items():
            response.headers[name] = value
        if self.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="partybot"'
        return response


_HTTP_KINDS = {404: ("not-found", texts.API_NOT_FOUND),
               405: ("method-not-allowed", texts.API_METHOD_NOT_ALLOWED),
               413: ("too-large", texts.API_TOO_LARGE)}


def http_problem(exc: HTTPException) -> Response:
    """Flask's own refusal (unknown path, wrong method, body too large) as a problem."""
    kind, detail = _HTTP_KINDS.get(exc.code or 500, ("bad-request", texts.API_BAD_BODY_NOT_JSON))
    if (exc.code or 500) >= 500:
        kind, detail = "internal", texts.API_INTERNAL
    response = Problem(kind, detail).response()
    if exc.code == 405:
        allowed = exc.get_response().headers.get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    return response


def internal_problem() -> Response:
    """An unexpected error (already logged with its traceback by the caller)."""
    return Problem("internal", texts.API_INTERNAL).response()
