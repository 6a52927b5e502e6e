"""Logging a dependency (the database) going away and coming back, once each.

During an outage every request and every job fails the same way; a traceback per
failure buries the one line that matters. An OutageLog writes one warning when the
first failure comes, one line when the next success comes (with how long it lasted
and how many failures were absorbed), and nothing in between.
"""

from __future__ import annotations

import logging
import threading
import time


def describe(exc: BaseException) -> str:
    """The exception's class and the first line of its message, for one log line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first[:200]}" if first else type(exc).__name__


class OutageLog:
    """The up/down state of one dependency, as seen by one process."""

    def __init__(self, log: logging.Logger, what: str) -> None:
        self.log = log
        self.what = what
        self._lock = threading.Lock()
        self.down = False
        self.failures = 0
        self._since = 0.0

    def failed(self, exc: BaseException, consequence: str = "") -> None:
        """One failure; logged only if it starts an outage."""
        with self._lock:
            self.failures += 1
            if self.down:
                return
            self.down, self.failures, self._since = True, 1, time.monotonic()
        self.log.warning("%s unreachable (%s)%s", self.what, describe(exc),
                         f"; {consequence}" if consequence else "")

    def succeeded(self) -> None:
        """A success; logged only if it ends an outage."""
        if not self.down:  # the common case: no lock, no work
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
            lasted, failures = time.monotonic() - self._since, self.failures
        self.log.info("%s reachable again after %.0f s (%d failures meanwhile)", self.what,
                      lasted, failures)
