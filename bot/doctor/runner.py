"""Running the doctor's checks: what a check returns, what it can read (the settings,
the database, the WeChat client, earlier results), and running them in order, each with
a time limit, so that one hung or broken check is one failed line and never a crash."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from core import outage
from core.config import Settings
from core.redact import redact
from core.texts import doctor as said
from core.texts.doctor import Said
from models.db.base import utcnow
from schedules.runtime import Runtime, build_runtime


class Status(StrEnum):
    """A check's verdict: only FAIL makes the exit status 1."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    """What a check found: what is (or what is wrong), and what to do about it."""

    status: Status
    detail: Said
    fix: Said | None = None


def ok(detail: Said) -> Finding:
    """All is well."""
    return Finding(Status.OK, detail)


def warn(detail: Said, fix: Said) -> Finding:
    """Works, but the operator should know (exit status stays 0)."""
    return Finding(Status.WARN, detail, fix)


def fail(detail: Said, fix: Said) -> Finding:
    """Broken: the exit status will be 1."""
    return Finding(Status.FAIL, detail, fix)


def skip(detail: Said) -> Finding:
    """Could not be checked here, and that is not a problem in itself."""
    return Finding(Status.SKIP, detail)


class Doctor:
    """What the checks share: the raw environment, the settings once loaded, the
    runtime (database and WeChat client, made on first use) and earlier findings."""

    def __init__(self, environ: Mapping[str, str] | None = None,
                 dotenv_path: str | os.PathLike[str] | None = ".env",
                 clock: Callable[[], datetime] = utcnow, command: str = "partybot") -> None:
        self.environ = _environment(environ, dotenv_path)
        self.dotenv_path = dotenv_path
        self.clock = clock
        self.command = command  # how to type `partybot` in this shell (for the fixes)
        self.settings: Settings | None = None
        self.findings: dict[str, Finding] = {}
        self.memo: dict[str, Any] = {}  # what one check learned that another reuses
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()

    def raw(self, name: str) -> str | None:
        """A variable as written in the environment or `.env` (None when unset/blank)."""
        value = self.environ.get(name)
        return value.strip() if value is not None and value.strip() else None

    @property
    def ready(self) -> Settings:
        """The settings (the configuration check loads them before any other runs)."""
        if self.settings is None:
            raise RuntimeError("the configuration did not load")
        return self.settings

    @property
    def runtime(self) -> Runtime:
        """Database engine and WeChat client of the configured account (made once)."""
        with self._lock:
            if self._runtime is None:
                self._runtime = build_runtime(self.ready, self.clock)
            return self._runtime

    def dispose(self) -> None:
        """Close the database connections."""
        if self._runtime is not None:
            self._runtime.dispose()


def _environment(environ: Mapping[str, str] | None,
                 dotenv_path: str | os.PathLike[str] | None) -> dict[str, str]:
    """`.env` with the real environment over it, as core.config.load_settings reads."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: `run` looks at one thing; it is skipped when a
    check in `needs` did not pass (its result would only repeat that failure)."""

    id: str
    run: Callable[[Doctor], Finding]
    needs: tuple[str, ...] = ()
    time_limit: float | None = None  # seconds; None: the doctor's default


@dataclass(frozen=True)
class Outcome:
    """A check's finding, with how long it took."""

    check: str
    finding: Finding
    seconds: float


@dataclass
class Report:
    """Every outcome, in order."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        """How many checks came to `status`."""
        return sum(1 for o in self.outcomes if o.finding.status is status)

    @property
    def failed(self) -> bool:
        """Any check failed (exit status 1)."""
        return self.count(Status.FAIL) > 0


def run_checks(doctor: Doctor, checks: list[Check], time_limit: float,
               on_outcome: Callable[[Outcome], Any] | None = None) -> Report:
    """Run `checks` in order; a check that raises fails with the reason, one that takes
    longer than its limit fails as hung (its thread is left behind, a daemon)."""
    report = Report()
    for check in checks:
        started = time.monotonic()
        blocked = next((other for other in check.needs
                        if doctor.findings.get(other, _MISSING).status
                        not in (Status.OK, Status.WARN)), None)
        earlier = doctor.findings.get(blocked) if blocked is not None else None
        if earlier is not None and earlier.status is Status.SKIP:
            finding = earlier  # skipped for the same reason
        elif blocked is not None:
            finding = skip(said.NEEDS.format(other=said.CHECK_NAMES.get(blocked,
                                                                         Said(blocked, blocked))))
        else:
            finding = _run_limited(doctor, check, check.time_limit or time_limit)
        doctor.findings[check.id] = finding
        outcome = Outcome(check.id, finding, time.monotonic() - started)
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return report


_MISSING = Finding(Status.SKIP, Said("", ""))


def _run_limited(doctor: Doctor, check: Check, limit: float) -> Finding:
    result: list[Finding] = []

    def run() -> None:
        try:
            result.append(check.run(doctor))
        except Exception as exc:  # a check's own bug or an unforeseen error: one line
            result.append(fail(said.CRASHED.format(error=describe(exc)), said.CRASHED_FIX))

    worker = threading.Thread(target=run, name=f"doctor-{check.id}", daemon=True)
    worker.start()
    worker.join(limit)
    if not result:
        return fail(said.TOOK_TOO_LONG.format(seconds=f"{limit:g}"), said.TOOK_TOO_LONG_FIX)
    return result[0]


def describe(exc: BaseException) -> str:
    """An exception as one short line, with any token or secret in a URL it names
    blanked out (requests puts the whole URL, query and all, in its messages)."""
    return redact(outage.describe(exc))
