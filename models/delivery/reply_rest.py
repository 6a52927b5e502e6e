"""The rest of a reply too long for one WeChat message (2,048 bytes), kept until the
member sends 更多. One waiting rest per openid: a new long reply replaces it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime

KEPT_FOR = timedelta(days=1)  # "更多" a day later would show something long forgotten


class ReplyRest(Base):
    """What is left to show an openid."""

    __tablename__ = "reply_rest"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


def keep_rest(session: Session, openid: str, text: str, now: datetime) -> None:
    """Keep `text` to show on 更多 (replacing anything kept before; flushes)."""
    row = session.get(ReplyRest, openid)
    if row is None:
        session.add(ReplyRest(openid=openid, text=text, saved_at=now))
    else:
        row.text, row.saved_at = text, now
    session.flush()


def take_rest(session: Session, openid: str, now: datetime) -> str | None:
    """The kept rest for this openid (removed), or None when nothing recent waits."""
    row = session.scalar(select(ReplyRest).where(ReplyRest.openid == openid))
    if row is None:
        return None
    text = row.text if row.saved_at >= now - KEPT_FOR else None
    session.execute(delete(ReplyRest).where(ReplyRest.openid == openid))
    return text
