"""The health check's write probe: one row per probe name, rewritten on each check.

`SELECT 1` succeeds on a database that cannot take writes (a full disk, a read-only
replica after a failover, SQLite locked by a stuck writer); the webhook writes on every
message, so health means "a write commits".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, insert_ignoring_conflict


class Heartbeat(Base):
    """When a probe last wrote."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())


def beat(session: Session, name: str, now: datetime) -> None:
    """Write the probe's row (flushes; the caller commits)."""
    if not insert_ignoring_conflict(session, Heartbeat, {"name": name, "beat_at": now}):
        session.execute(update(Heartbeat).where(Heartbeat.name == name).values(beat_at=now))
