"""Retention: every night, delete what partybot no longer needs to keep about people —
finished outbox rows (the delivery log) after PARTYBOT_RETAIN_DELIVERY_LOG_DAYS, console
login tickets after PARTYBOT_RETAIN_LOGIN_TICKET_DAYS, members' 心得 photos (rows and
files) after PARTYBOT_RETAIN_PHOTO_DAYS. 0 keeps forever. Inbound message keys and audit
entries have their own jobs in schedules/upkeep.py (the same batches).

Deletes go in batches of models.db.retention.BATCH rows, each committed on its own: a big
county never holds a long lock, a run cut short loses nothing, and a second run finds
nothing more to delete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from models.console.audit import retention_cutoff
from models.console.logins import LoginTicket
from models.db import retention as batches
from models.db.base import Base
from models.db.retention import delete_batch
from models.db.stored_files import FEEDBACK, StoredFile, remove_files
from models.db.write_gate import write_session
from models.delivery.outbox import Outbox, Status
from models.study.tables import StudyFeedback
from schedules.job_spec import JobSpec
from schedules.runtime import Runtime

log = logging.getLogger(__name__)

# Outbox rows whose story is over; pending, sending, held and unknown ones still matter.
FINISHED = (Status.SENT, Status.FAILED, Status.UNDELIVERABLE, Status.RELAYED, Status.MERGED,
            Status.DROPPED)


def prune_in_batches(runtime: Runtime, model: type[Base], *where: Any) -> int:
    """Delete every row of `model` matching `where`, a committed batch at a time."""
    total = 0
    while True:
        with write_session(runtime.engine) as session:
            removed = delete_batch(session, model, *where)
            session.commit()
        total += removed
        if removed < batches.BATCH:
            return total


def _cutoff(runtime: Runtime, days: int) -> datetime | None:
    return retention_cutoff(runtime.clock(), days)


def prune_delivery_log(runtime: Runtime) -> int:
    """Finished outbox rows created before the delivery log's retention."""
    cutoff = _cutoff(runtime, runtime.settings.retain_delivery_log_days)
    if cutoff is None:
        return 0
    return prune_in_batches(runtime, Outbox, Outbox.status.in_(FINISHED),
                            Outbox.created_at < cutoff)


def prune_login_tickets(runtime: Runtime) -> int:
    """Console login tickets that expired before the retention."""
    cutoff = _cutoff(runtime, runtime.settings.retain_login_ticket_days)
    if cutoff is None:
        return 0
    return prune_in_batches(runtime, LoginTicket, LoginTicket.expires_at < cutoff)


def prune_feedback_photos(runtime: Runtime) -> int:
    """Members' 心得 photos stored before the retention: the feedback piece and the
    file's row go (the 已学 record stays), then the files. Returns files deleted."""
    cutoff = _cutoff(runtime, runtime.settings.retain_photo_days)
    if cutoff is None:
        return 0
    root = Path(runtime.settings.instance_path)
    removed = 0
    while True:
        with write_session(runtime.engine) as session:
            rows = list(session.scalars(select(StoredFile).where(
                StoredFile.owner == FEEDBACK, StoredFile.stored_at < cutoff)
                .limit(batches.BATCH)))
            for row in rows:
                delete_batch(session, StudyFeedback, StudyFeedback.record_id == row.owner_id,
                             StudyFeedback.kind == "image",
                             StudyFeedback.url.endswith(row.name, autoescape=True))
            paths = [row.path for row in rows]
            delete_batch(session, StoredFile, StoredFile.id.in_([row.id for row in rows]))
            session.commit()
        removed += remove_files(root, paths)
        if len(rows) < batches.BATCH:
            return removed


STEPS: tuple[tuple[str, Callable[[Runtime], int]], ...] = (
    ("delivery log rows", prune_delivery_log),
    ("login tickets", prune_login_tickets),
    ("feedback photos", prune_feedback_photos),
)


def apply_retention(runtime: Runtime) -> dict[str, int]:
    """Every retention step; how many of each went (logged as counts only)."""
    done = {what: step(runtime) for what, step in STEPS}
    if any(done.values()):
        log.info("retention: deleted %s", ", ".join(f"{n} {what}" for what, n in done.items()))
    return done


JOBS = [
    JobSpec("retention.prune", apply_retention, "cron", {"hour": 3, "minute": 53}),
]
