"""Named locks shared by every process using one database.

PostgreSQL: session-level advisory locks, held on a connection of their own. SQLite:
an flock on a file beside the database file. Either way the lock disappears when its
holder dies, which is what the scheduler's leader election relies on.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.sql import func


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:8], "big", signed=True)


def _lock_file(engine: Engine, name: str) -> str:
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValueError("named locks need a SQLite file database (or PostgreSQL)")
    return f"{database}.{name}.lock"


class HeldLock:
    """A lock held until `release()` (or until this process dies)."""

    def __init__(self, release: Any, alive: Any) -> None:
        self._release = release
        self._alive = alive
        self.held = True

    def alive(self) -> bool:
        """Still held? (On PostgreSQL: the lock's connection still answers.)"""
        if not self.held:
            return False
        try:
            return bool(self._alive())
        except Exception:  # a dead connection means the lock is gone
            return False

    def release(self) -> None:
        """Give the lock up."""
        if self.held:
            self.held = False
            self._release()


def try_lock(engine: Engine, name: str) -> HeldLock | None:
    """Take the lock if nobody holds it; None if someone does. Never waits."""
    if engine.dialect.name == "postgresql":
        connection = engine.connect()
        try:
            got = connection.execute(select(func.pg_try_advisory_lock(lock_key(name)))).scalar()
            connection.commit()
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        if not got:
            connection.close()
            return None
        return HeldLock(lambda: _pg_release(connection, name),
                        lambda: connection.execute(text("SELECT 1")).scalar() == 1)
    fd = os.open(_lock_file(engine, name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return HeldLock(lambda: os.close(fd), lambda: True)


def _pg_release(connection: Connection, name: str) -> None:
    try:
        connection.execute(select(func.pg_advisory_unlock(lock_key(name))))
        connection.commit()
    except Exception:  # the connection died (and the lock with it): nothing to release
        connection.invalidate()
    finally:
        connection.close()


@contextmanager
def hold_lock(engine: Engine, name: str) -> Iterator[None]:
    """Wait for the lock, hold it for the `with` block."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(select(func.pg_advisory_lock(lock_key(name))))
            connection.commit()
            try:
                yield
            finally:
                connection.execute(select(func.pg_advisory_unlock(lock_key(name))))
                connection.commit()
        return
    fd = os.open(_lock_file(engine, name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def lock_is_held(engine: Engine, name: str, connection: Connection | None = None) -> bool:
    """Whether some process holds the lock now (for /metrics: is there a scheduler
    leader?). PostgreSQL: one look at pg_locks, on `connection` if given. SQLite: a shared
    flock tried and let go at once — it fails only while the holder has it; it never
    blocks, and it is held for microseconds (a scheduler trying to lead at that instant
    retries a few seconds later)."""
    if engine.dialect.name == "postgresql":
        key = lock_key(name) & 0xFFFF_FFFF_FFFF_FFFF  # pg_locks shows a bigint key as two oids
        statement = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1")
        params = {"high": key >> 32, "low": key & 0xFFFF_FFFF}
        if connection is not None:
            return bool(connection.execute(statement, params).scalar())
        with engine.connect() as own:
            return bool(own.execute(statement, params).scalar())
    path = _lock_file(engine, name)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False  # nobody ever took it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # (closing lets a shared lock we got go)
    return False
