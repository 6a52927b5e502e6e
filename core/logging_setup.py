"""Logging for a partybot process, set up once by its entry point.

Nothing configures logging by being imported: `partybot <command>` (bot/cli/main.py)
and the WSGI factory for gunicorn (`bot:create_app()` without test settings) call
`configure_logging`, so tests and embedding programs keep the logging they set up.
"""

from __future__ import annotations

import logging

from core import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def configure_logging(verbose: bool = False) -> None:
    """Root handler and level, secrets redacted on every handler, quiet libraries.

    Safe to call more than once (a second call adds no handler or filter).
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT)
    redact.install()
    # Alembic announces every plugin it loads; only its migration lines are news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    migration = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, OnlyMigrationsRun) for f in migration.filters):
        migration.addFilter(OnlyMigrationsRun())
    skips = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, SkipOverlapNotices) for f in skips.filters):
        skips.addFilter(SkipOverlapNotices())
