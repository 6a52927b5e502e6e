"""Keeping request signatures and access tokens out of the logs.

Every URL partybot, werkzeug, requests or urllib3 logs goes through the filter: the
values of `signature`, `msg_signature`, `access_token`, `secret`, `js_code` and
`session_key` become `***`. A signature is a key to replay a plain-mode request within
its time window, an access token or an app secret is the account, a mini-program's
login code is the user's login.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMETERS = re.compile(
    r"\b(signature|msg_signature|access_token|secret|js_code|session_key)=[^&\s\"'#]+")


def redact(text: str) -> str:
    """`text` with the secret query parameters' values replaced by ***."""
    return SECRET_PARAMETERS.sub(r"\1=***", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message with the secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (default: the root logger).

    On handlers, not on the logger: a logger's filter does not see records that
    propagate up from other loggers (werkzeug, urllib3), a handler's does.
    """
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
