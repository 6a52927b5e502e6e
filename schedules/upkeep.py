"""Upkeep: prune old inbound-message keys (retries come within seconds; the 48-hour
customer-service window needs two days; we keep four)."""

from __future__ import annotations

import logging

from models.base import write_session
from models.guesses import prune_guards
from models.inbound import prune_inbound
from schedules.registry import JobSpec, register
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def prune_inbound_keys(runtime: Runtime) -> int:
    """Delete inbound keys older than four days; returns how many."""
    with write_session(runtime.engine) as session:
        removed = prune_inbound(session, runtime.clock())
        guards = prune_guards(session, runtime.clock())
        session.commit()
    if removed or guards:
        log.info("pruned %d old inbound message keys and %d guess guards", removed, guards)
    return removed


register(JobSpec("upkeep.prune_inbound", prune_inbound_keys, "cron",
                 {"hour": 3, "minute": 17}))
