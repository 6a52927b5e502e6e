"""Delivery jobs: drain the outbox, and reconcile rows whose sender vanished.

Both also run on delivery-only workers (`partybot scheduler --delivery-only`), any
number of them: claiming is safe across processes and the reconciling UPDATEs are
idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from models.db.write_gate import write_session
from models.delivery.claims import reap_expired_leases, retry_unknown
from schedules.delivery_loop import DeliveryWorker, DrainStats
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def worker_of(runtime: Runtime) -> DeliveryWorker:
    """This process's delivery worker (one thread pool per process)."""
    return runtime.cached("delivery_worker", lambda: DeliveryWorker(
        runtime, runtime.wechat, miniprogram=runtime.miniprogram_wechat))


def drain_outbox(runtime: Runtime) -> DrainStats:
    """Send what is due; stops after ~50 s so the next run starts fresh."""
    stats = worker_of(runtime).drain(max_seconds=50)
    if stats.claimed or stats.rerouted or stats.combined:
        log.info("delivery: %d claimed, %d sent, %d to retry, %d failed, %d leases lost, "
                 "%d moved to a helper or held, %d combined messages for members back",
                 stats.claimed, stats.sent, stats.retried, stats.failed, stats.lost_lease,
                 stats.rerouted, stats.combined)
    return stats


def reconcile_leases(runtime: Runtime) -> tuple[int, int, int]:
    """Expired leases become unknown; unknown rows without a report retry once."""
    with write_session(runtime.engine) as session:
        now = runtime.clock()
        reaped = reap_expired_leases(session, now)
        retried, failed = retry_unknown(
            session, now, timedelta(seconds=runtime.settings.unknown_retry_after))
        session.commit()
    if reaped or retried or failed:
        log.warning("delivery: %d leases expired (outcome unknown), %d unknown retried, "
                    "%d unknown given up", reaped, retried, failed)
    return reaped, retried, failed


JOBS = [
    JobSpec("delivery.drain", drain_outbox, "interval", {"seconds": 2}, delivery=True),
    JobSpec("delivery.reconcile", reconcile_leases, "interval", {"seconds": 30},
            delivery=True),
]
