"""Logging for a partybot process, set up once by its entry point.

Nothing configures logging by being imported: `partybot <command>` (bot/cli/main.py)
and the WSGI factory for gunicorn (`bot:create_app()` without test settings) call
`configure_logging`, so tests and embedding programs keep the logging they set up.

Every event is one line: plain text by default (`PARTYBOT_LOG_FORMAT=text`), or one
JSON object per line (`PARTYBOT_LOG_FORMAT=json`: time, level, logger, message,
request_id when known, exception) for a log collector. A traceback stays on its
event's line ("\\n" in text, escaped in JSON), so that a grep for a request id finds
it. Both formats go through the same filters: secrets redacted (core.redact), the
request id added (core.request_context).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from core import redact
from core.request_context import current_request_id

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class AddRequestId(logging.Filter):
    """Puts the request (or job run) in progress on the record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "\\n")


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message request_id=…`, a traceback kept on the same line."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        # (the message is redacted by the filter; a traceback may quote a URL too)
        line = redact.redact(_one_line(super().format(record)))
        request_id = getattr(record, "request_id", None)
        return f"{line} request_id={request_id}" if request_id else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message,
    request_id when known, exception (its traceback as one string)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:  # (a traceback may quote a URL with a token in it)
            entry["exception"] = redact.redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter of `log_format` ("text" or "json")."""
    if log_format not in ("text", "json"):  # (core.config.parse_log_format checks it)
        raise ValueError(f"log format must be text or json; got {log_format!r}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


class _PartybotHandler(logging.StreamHandler):
    """The root handler `configure_logging` adds (found again by a second call)."""


class SkipOverlapNotices(logging.Filter):
    """A job still running when its next turn comes is skipped by design
    (max_instances=1): the delivery loop drains for up to a minute on a 2-second
    interval. APScheduler warns about every skip; that is noise, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


class OnlyMigrationsRun(logging.Filter):
    """Alembic opens every look at the schema with "Context impl SQLiteImpl." and
    "Will assume non-transactional DDL.": every command checks that the database is
    up to date, so these would head every command's output. Only the lines of a
    migration actually running ("Running upgrade …") are kept."""

    NOISE = ("Context impl ", "Will assume ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.NOISE)


def configure_logging(verbose: bool = False, log_format: str = "text") -> None:
    """Root handler (stderr, in `log_format`: "text" or "json") and level, secrets
    redacted and the request id added on every handler, quiet libraries.

    Safe to call more than once (a second call adds no handler or filter; it may change
    the level and the format). A root logger that already has handlers (a test, a
    program embedding partybot) keeps them and their formats.
    """
    formatter = formatter_for(log_format)
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _PartybotHandler)]
    if not root.handlers:
        ours = [_PartybotHandler()]
        root.addHandler(ours[0])
    for mine in ours:
        mine.setFormatter(formatter)
    if ours:  # (others' handlers, others' level)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redact.install()
    for handler in root.handlers:
        if not any(isinstance(f, AddRequestId) for f in handler.filters):
            handler.addFilter(AddRequestId())
    # Alembic announces every plugin it loads; only its migration lines are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, OnlyMigrationsRun) for f in migration.filters):
        migration.addFilter(OnlyMigrationsRun())
    skips = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkipOverlapNotices) for f in skips.filters):
        skips.addFilter(SkipOverlapNotices())
