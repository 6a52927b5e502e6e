"""The scheduler process: APScheduler 3 with the jobs of the registry.

Jobs are added in code with explicit ids, `replace_existing=True`, coalescing, one
instance at a time and a generous misfire grace, so that a run missed while the
process was busy or briefly down is made up once rather than lost or repeated.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.services import Services
from schedules import upkeep  # noqa: F401  (registers its jobs)
from schedules.registry import JOBS, JobSpec

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 6 * 3600


def _run_job(spec: JobSpec, services: Services) -> Any:
    try:
        return spec.func(services)
    except Exception:
        log.exception("job %s failed", spec.id)
        return None


def add_jobs(scheduler: BaseScheduler, services: Services, specs: Iterable[JobSpec]) -> None:
    """Add each job with the settings every partybot job shares."""
    for spec in specs:
        scheduler.add_job(
            _run_job, spec.trigger, args=(spec, services), id=spec.id, name=spec.id,
            replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=MISFIRE_GRACE_SECONDS, **spec.trigger_args,
        )


def make_scheduler(services: Services, background: bool = False,
                   delivery_only: bool = False) -> BaseScheduler:
    """A scheduler with the registry's jobs, in the configured time zone."""
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(timezone=services.settings.tz)
    specs = [s for s in JOBS.values() if s.delivery or not delivery_only]
    add_jobs(scheduler, services, specs)
    return scheduler


def run_scheduler(services: Services, delivery_only: bool = False) -> None:
    """Run until SIGTERM or SIGINT, then let running jobs finish and exit."""
    scheduler = make_scheduler(services, delivery_only=delivery_only)

    def stop(signum: int, _frame: Any) -> None:
        log.info("scheduler: received %s, shutting down", signal.Signals(signum).name)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler: started with jobs %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
    log.info("scheduler: stopped")
