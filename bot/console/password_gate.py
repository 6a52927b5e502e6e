"""One password check at a time on this machine, about five a second at most; the others
are turned away at once.

A password check costs a scrypt hash: ~50 ms of a core and 16 MiB. Sixteen clients
posting wrong passwords (each for a login name of its own, so no lockout stops them)
kept every gunicorn sync worker hashing, and WeChat's messages queued behind them: the
webhook's median went from 3 ms to 200 ms (benchmarks/login_flood.py). With this gate
at most one worker hashes at a time, and after a burst of 20 checks at most 5 a second
begin (a quarter of a core); a request that finds the gate taken is answered 429 at
once (a worker that waited would block the webhook just the same). A person who meets
it clicks 登录 again a moment later; during a flood, scanning the login code with WeChat
still works.

Threads of one process exclude each other with a lock, processes with a non-blocking
flock on a file in the instance folder (as models.db.base.WriteGate does for writes).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Checks may begin BURST at once (a room of secretaries logging in together), then RATE
# a second: hashing takes at most a quarter of one core, whatever the flood.
BURST, RATE = 20.0, 5.0
REPORT_EVERY = 10.0  # seconds: a flood is one log line per worker this often, not each
_gates: dict[Path, PasswordGate] = {}
_gates_lock = threading.Lock()


class PasswordGate:
    """A try-lock shared by the threads and processes that use one instance folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._turned_away = 0
        self._reported = 0.0

    def _lock_file(self) -> int:
        # A forked gunicorn worker must open its own file: a shared one is one lock.
        if self._fd is None or self._pid != os.getpid():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def entered(self) -> Iterator[bool]:
        """Yields True when this request may check a password now, False when another
        check is running on this machine."""
        if not self._threads.acquire(blocking=False):
            yield False
            return
        try:
            fd = self._lock_file()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield self._time_for_another(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


    @staticmethod
    def _time_for_another(fd: int) -> bool:
        """Take a token from the machine's bucket (BURST, refilled RATE a second), kept
        in the lock file as "tokens at": CLOCK_MONOTONIC is one clock for every process;
        a time from before a reboot is in the future and starts a full bucket."""
        now = time.monotonic()
        try:
            tokens, at = (float(part) for part in os.pread(fd, 64, 0).split())
        except ValueError:  # a new file
            tokens, at = BURST, now
        if at > now:
            tokens, at = BURST, now
        tokens = min(BURST, tokens + (now - at) * RATE)
        if tokens < 1:
            return False
        os.pwrite(fd, f"{tokens - 1:<20.6f} {now:<40.6f}".encode(), 0)
        return True

    def note_turned_away(self) -> int | None:
        """Count one check turned away; returns how many since the last report when
        one is due (the first at once, then at most every REPORT_EVERY seconds)."""
        with _gates_lock:
            self._turned_away += 1
            now = time.monotonic()
            if now - self._reported < REPORT_EVERY:
                return None
            count, self._turned_away, self._reported = self._turned_away, 0, now
            return count


def password_gate(instance_path: Path) -> PasswordGate:
    """The gate of this instance folder (made on first use)."""
    path = instance_path.resolve() / "password-check.lock"
    with _gates_lock:
        if path not in _gates:
            _gates[path] = PasswordGate(path)
        return _gates[path]
