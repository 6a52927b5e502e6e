"""Upkeep: prune old inbound-message keys (retries come within seconds; the 48-hour
customer-service window needs two days; we keep PARTYBOT_RETAIN_INBOUND_DAYS, four by
default), wrong-guess counters past their
time and mini-program tokens ended a day ago; every hour, delete the uploaded
photos nothing needs any more; every day, drop audit entries past their retention
(PARTYBOT_AUDIT_RETENTION_DAYS)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from models.api.tokens import prune_expired
from models.console.audit import AuditEntry, retention_cutoff
from models.db.guesses import prune_guards
from models.db.inbound import InboundMessage
from models.db.stored_files import find_orphans, release_due, remove_files
from models.db.write_gate import write_session
from schedules.job_spec import JobSpec
from schedules.retention import prune_in_batches
from schedules.runtime import Runtime

log = logging.getLogger(__name__)


def prune_inbound_keys(runtime: Runtime) -> int:
    """Delete inbound keys older than PARTYBOT_RETAIN_INBOUND_DAYS (four by default: the
    48-hour window needs two), in batches; returns how many."""
    removed = 0
    keep_days = runtime.settings.retain_inbound_days  # PARTYBOT_RETAIN_INBOUND_DAYS
    if keep_days:  # 0 keeps them forever
        removed = prune_in_batches(runtime, InboundMessage, InboundMessage.received_at
                                   < runtime.clock() - timedelta(days=keep_days))
    with write_session(runtime.engine) as session:
        guards = prune_guards(session, runtime.clock())
        tokens = prune_expired(session, runtime.clock())
        session.commit()
    if removed or guards or tokens:
        log.info("pruned %d old inbound message keys, %d guess guards and %d ended API "
                 "tokens", removed, guards, tokens)
    return removed


def sweep_uploads(runtime: Runtime) -> int:
    """Delete the photos their owner let go (a withdrawn study item's; a cancelled
    meeting's after PARTYBOT_CANCELLED_PHOTO_DAYS) and orphans no row names; adopt
    photos stored before the quotas. Files go only after the rows' commit. Returns how
    many files were deleted."""
    root = Path(runtime.settings.instance_path)
    keep = timedelta(days=runtime.settings.cancelled_photo_days)
    now = runtime.clock()
    with write_session(runtime.engine) as session:
        orphans = find_orphans(session, root, now)
        released = release_due(session, now, keep)
        session.commit()
    removed = remove_files(root, [*released, *orphans])
    if removed:
        log.info("deleted %d uploaded photos (%d released, %d orphans)", removed,
                 len(released), len(orphans))
    return removed




def prune_audit_log(runtime: Runtime) -> int:
    """Delete audit entries older than PARTYBOT_AUDIT_RETENTION_DAYS (0 keeps them all);
    returns how many."""
    keep_days = runtime.settings.audit_retention_days
    cutoff = retention_cutoff(runtime.clock(), keep_days)
    if cutoff is None:
        return 0
    removed = prune_in_batches(runtime, AuditEntry, AuditEntry.at < cutoff)
    log.info("pruned %d audit entries older than %d days", removed, keep_days)
    return removed


JOBS = [
    JobSpec("upkeep.prune_inbound", prune_inbound_keys, "cron", {"hour": 3, "minute": 17}),
    JobSpec("upkeep.sweep_uploads", sweep_uploads, "cron", {"minute": 41}),
    JobSpec("upkeep.prune_audit", prune_audit_log, "cron", {"hour": 3, "minute": 29}),
]
