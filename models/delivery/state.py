"""Account-wide delivery state: pauses after a quota error, and daily send counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime


class DeliveryPause(Base):
    """A channel that must not send until `until` (WeChat said 45009: quota used up)."""

    __tablename__ = "delivery_pause"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200))


class DeliveryCounter(Base):
    """Messages sent per local day and channel (the template quota is per day)."""

    __tablename__ = "delivery_counter"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, local
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)


def paused_channels(session: Session, now: datetime) -> set[str]:
    """Channels paused at `now`."""
    return set(session.scalars(select(DeliveryPause.channel).where(DeliveryPause.until > now)))


def pause_channel(session: Session, channel: str, until: datetime, reason: str) -> None:
    """Stop sending on `channel` until `until` (keeps the later of two pauses)."""
    pause = session.get(DeliveryPause, channel)
    if pause is None:
        session.add(DeliveryPause(channel=channel, until=until, reason=reason[:200]))
    elif pause.until < until:
        pause.until, pause.reason = until, reason[:200]
    session.flush()


def sent_today(session: Session, day: str, channel: str) -> int:
    """How many were sent on `channel` on local day `day`."""
    return session.scalar(select(DeliveryCounter.sent).where(
        DeliveryCounter.day == day, DeliveryCounter.channel == channel)) or 0


def count_sent(session: Session, day: str, channel: str, number: int) -> None:
    """Add `number` to the day's counter (an upsert, safe under concurrent workers)."""
    if number <= 0:
        return
    dialect = session.get_bind().dialect.name
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(DeliveryCounter).values(day=day, channel=channel, sent=number)
    session.execute(statement.on_conflict_do_update(
        index_elements=["day", "channel"],
        set_={"sent": DeliveryCounter.sent + statement.excluded.sent},
    ))
