"""The engine and session factory: SQLite pragmas and real transactions, file modes,
connect timeouts, and the flag that says a connection wrote."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT_SECONDS = 3


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, make the file's folder and set the pragmas.

    A database error's text leaves out the statement's values: it is logged with its
    traceback, and the values are phone numbers and what members wrote.
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_file(Path(database))
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    ping_pooled = "pool_pre_ping" not in kwargs
    if parsed.get_backend_name() == "postgresql":
        # A server that does not answer (network partition) fails a request in seconds,
        # not the OS's minutes: WeChat waits 5 s, and the scheduler retries anyway.
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    engine = create_engine(url, **kwargs)
    if ping_pooled:
        ping_when_idle(engine)
    return engine


# A pooled connection unused for this long is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 2.0


def ping_when_idle(engine: Engine, after: float | None = None) -> None:
    """Ping a pooled connection at checkout only if it sat unused for `after` seconds
    (default PING_AFTER_IDLE_SECONDS).

    `pool_pre_ping` pings at every checkout: one round trip per webhook message, a
    third of what a `帮助` costs on PostgreSQL. A connection returned a moment ago is
    as good as a ping; one that sat idle may have been dropped by a server restart or a
    firewall, and is replaced (the pool retries the checkout on DisconnectionError).
    The webhook retries a message whose connection still turns out dead (bot.inbox).
    """
    idle_limit = PING_AFTER_IDLE_SECONDS if after is None else after

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < idle_limit:
            return  # just connected, or just used
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection is dead: {exc}") from exc
        if not alive:
            raise DisconnectionError("pooled connection is dead")


_RETURNED_AT = "partybot_returned_at"


def private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by this user only.

    It holds phone numbers, openids and the live access token. SQLite gives the -wal and
    -shm files the database file's permissions, so they are private too.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    elif path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
        path.chmod(0o600)  # an older install made it world-readable


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        # WAL + NORMAL is durable against application crashes; only an OS crash can
        # lose the last commits, which WeChat's retries and the outbox tolerate.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: this runs for every transaction, and SQLAlchemy's
        # statement machinery would add tens of microseconds to each.
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )


def immediate_engine(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock at BEGIN.

    Use it for read-then-write transactions on SQLite, which would otherwise fail with
    "database is locked" when another writer commits between the read and the write.
    On PostgreSQL the option is ignored.
    """
    return engine.execution_options(sqlite_immediate=True)


WROTE = "partybot_wrote"  # connection.info flag: a statement other than a read ran


def track_writes(engine: Engine) -> None:
    """Flag each connection that runs anything but a read (SELECT / WITH … SELECT).

    The inbox uses it on PostgreSQL: a message whose handler only read commits its
    dedupe key without waiting for the WAL flush (see bot.inbox).
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
            connection.info[WROTE] = True


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
