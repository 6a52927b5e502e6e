"""The job list: every schedules/ module with jobs, named here, in code.

Nothing is registered by importing a module: each declares `JOBS = [JobSpec(...)]`
and `all_jobs()` collects them when the scheduler asks, so the jobs a process runs do
not depend on what else it happened to import.

A job is a plain function `job(runtime)`; the scheduler wraps it so that each run
gets its own log context and an exception is logged, never lost, and never kills
the scheduler.
"""

from __future__ import annotations

from schedules import (
    delivery,
    drafts,
    meetings,
    menu_tags,
    pairing,
    rectification,
    retention,
    study,
    study_photos,
    tokens,
    unionids,
    upkeep,
)
from schedules.job_spec import JobFunc, JobSpec, TriggerArgs

__all__ = ["JobFunc", "JobSpec", "TriggerArgs", "all_jobs"]

# The modules whose `JOBS` the scheduler runs, in the order they are added.
JOB_MODULES = (delivery, tokens, upkeep, drafts, meetings, study, pairing, menu_tags,
               study_photos, unionids, retention,
               rectification)


def all_jobs() -> list[JobSpec]:
    """Every job, a fresh list on each call; a job id declared twice is a bug."""
    jobs: list[JobSpec] = [spec for module in JOB_MODULES for spec in module.JOBS]
    ids = [spec.id for spec in jobs]
    duplicated = sorted({job_id for job_id in ids if ids.count(job_id) > 1})
    if duplicated:
        raise ValueError(f"job ids declared twice: {duplicated}")
    return jobs
