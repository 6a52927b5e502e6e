"""The rest of a reply too long for one WeChat message (2,048 bytes), kept until the
member sends 更多. One waiting rest per openid: a new long reply replaces it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime

KEPT_FOR = timedelta(days=1)  # "更多" a day later would show something long forgotten
# A rest that would name a secret ballot's choices (民主评议) is not kept as text: only
# this mark, the command to run again and how many characters were shown already.
SECRET_MARK = "\u2063"


def secret_rest(command: str, shown: int) -> str:
    """What is kept for the rest of a secret reply: the command and the offset."""
    return f"{SECRET_MARK}{command}\t{shown}"


def read_secret_rest(text: str) -> tuple[str, int] | None:
    """(command, characters already shown) of a kept secret rest, or None."""
    if not text.startswith(SECRET_MARK):
        return None
    command, _, shown = text[len(SECRET_MARK):].partition("\t")
    return (command, int(shown)) if shown.isascii() and shown.isdigit() else None


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
