"""The job registry: each schedules/ module adds its jobs here, in code.

A job is a plain function `job(runtime)`; the scheduler wraps it so that each run
gets its own log context and an exception is logged, never lost, and never kills
the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.config import Settings
from schedules.runtime import Runtime

JobFunc = Callable[[Runtime], Any]
TriggerArgs = dict[str, Any] | Callable[[Settings], dict[str, Any]]


@dataclass(frozen=True)
class JobSpec:
    """One job: a stable id, the function, and its APScheduler trigger arguments."""

    id: str
    func: JobFunc
    trigger: str  # "interval" or "cron"
    # Fixed, or computed from the settings (a configurable time of day).
    trigger_args: TriggerArgs = field(default_factory=dict)
    delivery: bool = False  # also runs on delivery-only workers

    def trigger_kwargs(self, settings: Settings) -> dict[str, Any]:
        """The trigger's arguments under these settings."""
        return self.trigger_args(settings) if callable(self.trigger_args) \
            else dict(self.trigger_args)


JOBS: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    """Add a job (ids are unique; registering the same id twice is a bug)."""
    if spec.id in JOBS:
        raise ValueError(f"job id registered twice: {spec.id}")
    JOBS[spec.id] = spec
    return spec
