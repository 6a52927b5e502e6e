"""One writer at a time on SQLite: a process-wide gate in front of `BEGIN IMMEDIATE`."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import (
    Engine,
)
from sqlalchemy.orm import Session

from models.db.engine import immediate_engine


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
