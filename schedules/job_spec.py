"""What a scheduled job is: a stable id, a plain function `job(runtime)`, and its trigger.

Each schedules/ module declares its jobs as a module-level `JOBS` list of `JobSpec`;
schedules.registry lists those modules and the scheduler asks it for the jobs.
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
