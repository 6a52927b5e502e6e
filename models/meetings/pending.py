"""A 新建会议 waiting for one answer from the secretary: the hour it left out ("12月10号
村委会": 几点?), morning or evening ("9点"), or a yes to a start at night. Nobody is
told of it until the answer comes; a newer 新建会议 replaces it, and it lapses after
PENDING_FOR.

The question is kept as the words read so far (the date and time as typed), so the
answer is read together with them by the same reader (core.dates).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime

PENDING_FOR = timedelta(minutes=30)
WAITING_NIGHT = "night"  # a complete start at night: waiting for 「是」


class PendingMeeting(Base):
    """One secretary's 新建会议 that waits for their answer."""

    __tablename__ = "pending_meeting"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"))
    kind: Mapped[str] = mapped_column(String(30))
    waiting: Mapped[str] = mapped_column(String(10))  # core.dates' missing, or "night"
    date_text: Mapped[str] = mapped_column(String(40))
    time_text: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def keep_pending(session: Session, pending: PendingMeeting) -> PendingMeeting:
    """Remember `pending` as its secretary's one waiting 新建会议 (replacing any)."""
    session.merge(pending)
    session.flush()
    return pending


def current_pending(session: Session, member_id: int, now: datetime) -> PendingMeeting | None:
    """The secretary's waiting 新建会议, if it has not lapsed."""
    pending = session.get(PendingMeeting, member_id)
    if pending is None or pending.created_at + PENDING_FOR < now:
        return None
    return pending


def drop_pending(session: Session, member_id: int) -> None:
    """Forget the secretary's waiting 新建会议 (answered, or replaced by a new one)."""
    pending = session.get(PendingMeeting, member_id)
    if pending is not None:
        session.delete(pending)
        session.flush()
