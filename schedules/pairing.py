"""一帮一 sweepers: one combined message a day to each helper, urgent relays every minute,
reminders for relays not confirmed after 3 days, escalation to the branch admin's digest
after 6.

Each job opens its session, calls the sweep in models.pairing (sweeps, urgent) and
commits. All are idempotent: the daily message has a key per helper and day and marks
the relays it carried; the reminder has a key per helper and day; escalation is a flag
(and its audit entry is written by the action, as this job).
"""

from __future__ import annotations

import logging

from models.actors import Actor
from models.db.write_gate import write_session
from models.pairing.sweeps import (
    escalate_overdue_relays,
    queue_relay_digests,
    queue_relay_reminders,
)
from models.pairing.urgent import queue_urgent_relays
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

REMIND_AND_ESCALATE = "pairing.remind_and_escalate"


def send_relay_digests(runtime: Runtime) -> int:
    """One message per helper with everything new to pass on (each item dated; what no
    longer matters left out); returns messages queued."""
    with write_session(runtime.engine) as session:
        queued = queue_relay_digests(session, runtime.outbox, runtime.clock(),
                                     runtime.settings.tz)
        session.commit()
    if queued:
        log.info("pairing: %d helper digests queued", queued)
    return queued


def send_urgent_relays(runtime: Runtime) -> int:
    """Relays about a meeting within 24 hours that no message has carried yet (one that
    went to a helper after WeChat refused a direct message, say): sent now."""
    with write_session(runtime.engine) as session:
        queued = queue_urgent_relays(session, runtime.outbox, runtime.clock(),
                                     runtime.settings.tz)
        session.commit()
    if queued:
        log.info("pairing: %d urgent relay messages queued", queued)
    return queued


def remind_and_escalate(runtime: Runtime) -> tuple[int, int]:
    """Remind helpers of relays open for 3 days; flag those open for 6 for the admin."""
    now = runtime.clock()
    settings = runtime.settings
    with write_session(runtime.engine) as session:
        reminded = queue_relay_reminders(session, runtime.outbox, now, settings.tz,
                                         settings.relay_remind_days)
        escalated = escalate_overdue_relays(session, Actor.job(REMIND_AND_ESCALATE), now,
                                            settings.relay_escalate_days)
        session.commit()
    if reminded or escalated:
        log.info("pairing: %d helpers reminded, %d relays escalated", reminded, escalated)
    return reminded, escalated


JOBS = [
    JobSpec("pairing.relay_digest", send_relay_digests, "cron",
            lambda settings: {"hour": settings.relay_digest_time[0],
                              "minute": settings.relay_digest_time[1]}),
    JobSpec("pairing.urgent_relays", send_urgent_relays, "interval", {"minutes": 1}),
    JobSpec(REMIND_AND_ESCALATE, remind_and_escalate, "cron",
            {"hour": 10, "minute": 0}),
]
