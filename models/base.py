"""Declarative base, engine and session factory.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and real
transactions: Python's sqlite3 module would otherwise run SELECTs outside any
transaction and start one lazily at the first write. A connection can ask for
`BEGIN IMMEDIATE` (take the write lock up front) with the execution option
`sqlite_immediate=True`; see `immediate_engine`.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    Result,
    Table,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as aware UTC.

    SQLite keeps no zone, PostgreSQL `timestamp without time zone` neither; doing the
    conversion here means every comparison in Python is between aware datetimes.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def table_of(model: type[Base]) -> Table:
    """The Table behind a mapped class (typed, for Core statements)."""
    return cast(Table, model.__table__)


def id_list(ids: Iterable[int]) -> BindParameter[Any]:
    """Ids for `column.in_(...)`, written into the SQL as numbers rather than one bound
    parameter each: psycopg parses every placeholder of a statement it has not seen, and
    a county's thousand branch ids cost 15–20 ms a query (ints only, so nothing to quote)."""
    return bindparam("ids", [int(i) for i in ids], expanding=True, literal_execute=True,
                     unique=True)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE/INSERT touched (0 when the driver does not say)."""
    return cast(CursorResult[Any], result).rowcount or 0


def insert_ignoring_conflict(session: Session, model: type[Base],
                             values: dict[str, Any]) -> bool:
    """Insert one row unless one with the same key exists; True if this one went in.

    One statement (ON CONFLICT DO NOTHING on SQLite and PostgreSQL), so two
    transactions inserting the same key at once never fail with a unique violation.
    """
    dialect = session.get_bind().dialect.name
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = table_of(model)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT run through the ORM.
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(
        *table.primary_key.columns)
    return session.execute(statement).first() is not None


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


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


CONNECT_TIMEOUT_SECONDS = 3


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite, make the file's folder and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_file(Path(database))
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        # A server that does not answer (network partition) fails a request in seconds,
        # not the OS's minutes: WeChat waits 5 s, and the scheduler retries anyway.
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    return create_engine(url, **kwargs)


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


class WriteGate:
    """Lets one SQLite write transaction at a time in, across threads and processes.

    SQLite allows one writer; the others wait in its busy handler, which polls with
    sleeps of 1 ms and more, far longer than a webhook transaction (~0.1 ms). Waiting
    on an flock instead wakes the next writer the moment the lock is free. Threads of
    one process queue on a threading lock first (an flock does not exclude holders of
    the same open file), then the process takes the flock on its one lock file. Not
    needed (and a no-op) on PostgreSQL.
    """

    def __init__(self, database_path: str | None) -> None:
        self.path = f"{database_path}.writelock" if database_path else None
        self._threads = threading.RLock()  # re-entrant: a nested use must not hang
        self._fd: int | None = None
        self._pid = 0

    def _lock_file(self) -> int:
        # A forked child (gunicorn workers) must not share its parent's open file:
        # the flock would then be one lock for both.
        if self._fd is None or self._pid != os.getpid():
            assert self.path is not None
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        with self._threads:
            fd = self._lock_file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_gates: dict[str | None, WriteGate] = {}
_gates_lock = threading.Lock()


def write_gate_for(engine: Engine) -> WriteGate:
    """The write gate of the engine's database (a no-op unless it is a SQLite file)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    path = database if database and database != ":memory:" and not database.startswith(
        "file:") else None
    with _gates_lock:
        if path not in _gates:
            _gates[path] = WriteGate(path)
        return _gates[path]


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for work that reads and then writes.

    On SQLite, a transaction that starts by reading and writes later fails at once
    ("database is locked") if another connection committed in between; this one takes
    the write lock at BEGIN (after passing the write gate). On PostgreSQL it is an
    ordinary session. The caller commits.
    """
    with write_gate_for(engine)(), Session(immediate_engine(engine),
                                           expire_on_commit=False) as session:
        yield session
