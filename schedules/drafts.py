"""Drafts left alone: a post started in chat and not sent or cancelled within 30
minutes is dropped, and its author is sent what it held (models.study.drafts)."""

from __future__ import annotations

import logging

from models.actors import Actor
from models.db.write_gate import write_session
from models.study.drafts import expire_drafts
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

JOB_ID = "drafts.expire"


def expire_stale_drafts(runtime: Runtime) -> int:
    """Expire drafts untouched for 30 minutes; returns how many."""
    with write_session(runtime.engine) as session:
        expired = expire_drafts(session, Actor.job(JOB_ID), runtime.outbox, runtime.clock())
        session.commit()
    if expired:
        log.info("drafts: %d left alone for 30 minutes expired; their authors were told",
                 expired)
    return expired


JOBS = [
    JobSpec(JOB_ID, expire_stale_drafts, "interval", {"minutes": 1}),
]
