"""What /metrics reads from the database at each scrape: the outbox's open rows by
channel and status with the wait of the oldest due one, and today's template sends.

Two statements, both served by indexes (the outbox's (status, send_after) index holds
only open rows' part of the table for these statuses), on one connection under a
short statement timeout on PostgreSQL: a scrape never waits long on a sick database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from models.db.base import UTCDateTime
from models.delivery.outbox import Channel, Outbox, Status
from models.delivery.state import sent_today

# Rows still on their way: waiting, being sent, outcome unknown, or held for the
# member's next message. (Sent, failed, relayed … rows are history, not depth.)
OPEN_STATUSES = (Status.PENDING, Status.SENDING, Status.UNKNOWN, Status.HELD)
STATEMENT_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class OutboxGroup:
    """Open outbox rows of one channel and status."""

    channel: str
    status: str
    rows: int
    # Seconds the oldest row that is due (send_after passed) has waited; 0 if none is due.
    oldest_due_seconds: float


@dataclass(frozen=True)
class Readings:
    """Everything one scrape reads."""

    outbox: list[OutboxGroup]
    template_sent_today: int

    @property
    def held(self) -> int:
        """Notices held for members who cannot be reached now."""
        return sum(g.rows for g in self.outbox if g.status == Status.HELD)


def read(session: Session, now: datetime, local_day: str) -> Readings:
    """Read the outbox's depth and today's template count (`local_day` is YYYY-MM-DD)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
    oldest_due = func.min(case((Outbox.send_after <= now, Outbox.send_after)),
                          type_=UTCDateTime())
    found = session.execute(
        select(Outbox.channel, Outbox.status, func.count(), oldest_due)
        .where(Outbox.status.in_(OPEN_STATUSES))
        .group_by(Outbox.channel, Outbox.status))
    groups = [OutboxGroup(str(channel), str(status), int(count),
                          max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
              for channel, status, count, oldest in found]
    return Readings(groups, sent_today(session, local_day, Channel.TEMPLATE))
