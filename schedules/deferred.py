"""Run slow handlers (see handlers.router: slow=True) and send their answers."""

from __future__ import annotations

import logging

from bot.services import Services
from models.deferred import pending_tasks
from schedules.registry import JobSpec, register

log = logging.getLogger(__name__)


def run_deferred(services: Services) -> int:
    """Run every pending deferred handler; returns how many ran."""
    with services.sessions() as session:
        tasks = [(t.id, t.inbound_key, t.openid, t.fields) for t in pending_tasks(session)]
    for task_id, key, openid, fields in tasks:
        services.inbox.run_deferred(task_id, key, openid, fields, services.clock())
    if tasks:
        log.info("ran %d deferred handler(s)", len(tasks))
    return len(tasks)


register(JobSpec("handlers.run_deferred", run_deferred, "interval", {"seconds": 2}))
