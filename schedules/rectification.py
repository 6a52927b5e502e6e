"""整顿台账 sweeper: warnings about rectification problems whose milestone is due or
whose deadline passed (models.rectification.sweeps). Hourly, and once when the scheduler
starts; every warning has its dedupe key, so a run repeats nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from core.config import Settings
from models.db.write_gate import write_session
from models.rectification.sweeps import queue_rectification_warnings
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

WARN_JOB = "rectification.warn"


def warn_rectification(runtime: Runtime) -> int:
    """Queue the day's rectification warnings; returns how many."""
    with write_session(runtime.engine) as session:
        queued = queue_rectification_warnings(session, runtime.outbox, runtime.clock(),
                                              runtime.settings.tz)
        session.commit()
    if queued:
        log.info("rectification: queued %d warnings", queued)
    return queued


def _trigger(settings: Settings) -> dict[str, object]:
    # Hourly, the first run as the scheduler starts (a day's warnings are not held back
    # an hour by a restart).
    return {"hours": 1, "next_run_time": datetime.now(settings.tz)}


JOBS = [JobSpec(WARN_JOB, warn_rectification, "interval", _trigger)]
