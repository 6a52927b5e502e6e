"""Telling a database outage (server gone, connection refused) from a bug."""

from __future__ import annotations

_OUTAGE_ERRORS = ("OperationalError", "InterfaceError")


def is_database_outage(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached or used right now.

    SQLAlchemy's OperationalError / InterfaceError, or the driver's own (the webhook
    runs some statements on the raw DB-API cursor): connection refused or lost, server
    shutting down, SQLite's "database is locked" after its busy timeout, disk errors.
    Matched by name so that SQLite installs need not import psycopg.
    """
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or any(
            cls.__name__ in _OUTAGE_ERRORS for cls in type(exc).__mro__)
    return any(cls.__name__ in _OUTAGE_ERRORS for cls in type(exc).__mro__)
