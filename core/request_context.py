"""The id of the request (or job run) this code is working for, for the logs.

Each webhook message, console, member-page and API request gets one (bot.request_ids),
each scheduler job run its own (`job-<name>-<short>`), and the delivery loop takes the
one stored on the outbox row it sends. A logging filter (core.logging_setup) adds it to
every record, and the outbox rows a request creates carry it (`outbox.request_id`), so
that one notice can be followed from the message that caused it to WeChat's answer.

A contextvar, not a thread-local: every thread starts without one, and a value set for
a request is gone when the request's `bound` block ends.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-Id"
# What an id from outside (nginx's $request_id, a load balancer's) may look like: a
# short token with no spaces, quotes or '=' that could forge a log field.
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
MAX_LENGTH = 64  # outbox.request_id

_current: ContextVar[str | None] = ContextVar("partybot_request_id", default=None)


def new_request_id() -> str:
    """A fresh id: 16 hex digits from os.urandom (a few µs; uuid4().hex costs several
    times that)."""
    return os.urandom(8).hex()


def incoming_or_new(header: str | None) -> str:
    """The caller's id if it is a sane short token, else a fresh one."""
    if header is not None and _SANE.fullmatch(header):
        return header
    return new_request_id()


def job_request_id(job: str) -> str:
    """The id of one run of scheduler job `job`."""
    return f"job-{job}-{os.urandom(4).hex()}"[-MAX_LENGTH:]


def cli_request_id(command: str) -> str:
    """The id of one `partybot <command>` run."""
    return f"cli-{command}-{os.urandom(4).hex()}"[-MAX_LENGTH:]


def current_request_id() -> str | None:
    """The id of the request or job run in progress (None outside one)."""
    return _current.get()


@contextmanager
def bound(request_id: str | None) -> Iterator[str | None]:
    """Work for `request_id` inside the block (None: for no request)."""
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


def set_request_id(request_id: str | None) -> object:
    """Set the id until `reset_request_id(token)` (for hooks that cannot use `bound`)."""
    return _current.set(request_id)


def reset_request_id(token: object) -> None:
    """Undo the `set_request_id` that returned `token`."""
    _current.reset(token)  # type: ignore[arg-type]
