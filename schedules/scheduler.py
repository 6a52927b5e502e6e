"""The scheduler process: APScheduler 3 with the jobs of the registry, one leader.

Jobs are added in code with explicit ids, `replace_existing=True`, coalescing, one
instance at a time and a generous misfire grace, so that a run missed while the
process was busy or briefly down is made up once rather than lost or repeated.

Only one scheduler is active: the one holding the leader lock (a PostgreSQL advisory
lock, or an flock beside the SQLite file). Others stand by, retrying every few
seconds, and take over when the leader's lock disappears with it. Delivery-only
workers need no lock: claiming outbox rows is safe with any number of them.

A database outage of any length kills no scheduler: the leader whose lock connection
died steps down to standby, standbys retry with backoff (1 s doubling to 30 s), jobs
that fail for want of the database are logged once per outage, not once per run, and
whoever reaches the database first afterwards leads.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from core.metrics import timed_job
from core.outage import OutageLog
from core.request_context import bound, job_request_id
from models.db.locks import HeldLock, try_lock
from models.db.outage import is_database_outage
from schedules.job_spec import JobSpec
from schedules.registry import all_jobs
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 6 * 3600
LEADER_LOCK = "partybot-scheduler-leader"
STANDBY_POLL_SECONDS = 5.0
LEADER_CHECK_SECONDS = 10
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0

# One per process: the jobs and the leader election see the same database.
database_state = OutageLog(log, "scheduler: database")


def _run_job(spec: JobSpec, runtime: Runtime) -> Any:
    # Each run its own id: in its log lines and on the outbox rows it queues.
    with bound(job_request_id(spec.id)):
        return _run_job_once(spec, runtime)


def _run_job_once(spec: JobSpec, runtime: Runtime) -> Any:
    # (timed and counted in the metrics: each job's last success and duration)
    with timed_job(spec.id) as run:
        try:
            result = spec.func(runtime)
        except Exception as exc:
            if is_database_outage(exc):
                run["outcome"] = "database_down"
                database_state.failed(exc, "jobs wait for it")
            else:
                run["outcome"] = "failed"
                log.exception("job %s failed", spec.id)
            return None
    database_state.succeeded()
    return result


def add_jobs(scheduler: BaseScheduler, runtime: Runtime, specs: Iterable[JobSpec]) -> None:
    """Add each job with the settings every partybot job shares."""
    for spec in specs:
        scheduler.add_job(
            _run_job, spec.trigger, args=(spec, runtime), id=spec.id, name=spec.id,
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS, **spec.trigger_kwargs(runtime.settings),
        )


def make_scheduler(runtime: Runtime, delivery_only: bool = False) -> BackgroundScheduler:
    """A scheduler with the registry's jobs, in the configured time zone."""
    scheduler = BackgroundScheduler(timezone=runtime.settings.tz)
    specs = [s for s in all_jobs() if s.delivery or not delivery_only]
    add_jobs(scheduler, runtime, specs)
    return scheduler


class SchedulerRunner:
    """Waits to become leader (unless delivery-only), then runs the jobs until stopped."""

    def __init__(self, runtime: Runtime, delivery_only: bool = False) -> None:
        self.runtime = runtime
        self.delivery_only = delivery_only
        self.stopping = threading.Event()
        self.lost_leadership = False
        self.scheduler: BackgroundScheduler | None = None
        self.lock: HeldLock | None = None
        self.thread: threading.Thread | None = None
        self.term_over = threading.Event()  # this leadership term ended (lock lost)

    def become_leader(self) -> bool:
        """Block until we hold the leader lock (True) or are told to stop (False).

        An unreachable database is retried with backoff, logged when it goes and
        when it comes back; nothing here raises.
        """
        announced = False
        backoff = BACKOFF_FIRST_SECONDS
        while not self.stopping.is_set():
            try:
                self.lock = try_lock(self.runtime.engine, LEADER_LOCK)
            except Exception as exc:
                if not is_database_outage(exc):
                    raise
                database_state.failed(exc, "standing by, retrying with backoff")
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
                continue
            database_state.succeeded()
            backoff = BACKOFF_FIRST_SECONDS
            if self.lock is not None:
                return True
            if not announced:
                log.info("scheduler: another scheduler is active; standing by")
                announced = True
            self.stopping.wait(STANDBY_POLL_SECONDS)
        return False

    def run(self) -> None:
        """Run in this thread until `stop()`; returns when stopped.

        A leader that loses its lock stops its jobs and stands by again.
        """
        while not self.stopping.is_set():
            if not self.delivery_only and not self.become_leader():
                break
            self._run_jobs()
            if self.lost_leadership and not self.stopping.is_set():
                log.warning("scheduler: stepped down; standing by until the database is back")
        log.info("scheduler: stopped")

    def _run_jobs(self) -> None:
        """Run the jobs until told to stop or until the leader lock is lost."""
        self.lost_leadership = False
        self.term_over = threading.Event()
        self.scheduler = make_scheduler(self.runtime, self.delivery_only)
        if self.lock is not None:
            self.scheduler.add_job(self._check_leadership, "interval",
                                   seconds=LEADER_CHECK_SECONDS, id="scheduler.leadership",
                                   replace_existing=True, coalesce=True, max_instances=1)
        self.scheduler.start()
        mode = "delivery-only" if self.delivery_only else "leader"
        log.info("scheduler: started (%s) with jobs %s", mode,
                 ", ".join(sorted(j.id for j in self.scheduler.get_jobs())))
        while not self.stopping.is_set() and not self.term_over.is_set():
            self.stopping.wait(0.5)
        self.scheduler.shutdown(wait=True)
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _check_leadership(self) -> None:
        if self.lock is not None and not self.lock.alive():
            log.error("scheduler: lost the leader lock (database connection gone); "
                      "stopping the jobs")
            self.lost_leadership = True
            self.term_over.set()

    def start_background(self) -> None:
        """Run in a daemon thread (for `partybot run`)."""
        self.thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Ask to stop; running jobs finish first."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=60)


def run_scheduler(runtime: Runtime, delivery_only: bool = False) -> int:
    """`partybot scheduler`: run until SIGTERM/SIGINT (a database outage does not end
    it); returns the exit code."""
    runner = SchedulerRunner(runtime, delivery_only)

    def stop(signum: int, _frame: Any) -> None:
        log.info("scheduler: received %s, shutting down", signal.Signals(signum).name)
        runner.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.run()
    return 0
