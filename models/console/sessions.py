"""Console sessions, kept on the server.

The browser's signed cookie holds only a random token; the row it names says whose
session it is and whether it still lives. So logging out ends the session for every
copy of the cookie, 「退出所有设备」 ends all of an account's sessions, and a session
ends 2 hours after its last request and 12 hours after its login, however busy. Before,
the session lived in the cookie alone: a copied cookie outlived the logout, and every
request extended it for ever.

Only a hash of the token is stored: a copy of the database opens no session.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, rowcount

IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
# last_seen is written at most once a minute: a page of requests is not a page of writes.
TOUCH_EVERY = timedelta(minutes=1)
KEEP_ENDED = timedelta(days=7)


class ConsoleSession(Base):
    """One login to the console, in one browser."""

    __tablename__ = "console_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    account_key: Mapped[str] = mapped_column(String(40), index=True)  # "user:3", "member:12"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def member_key(member_id: int) -> str:
    """The account key of a member who logs in through WeChat (Account.key)."""
    return f"member:{member_id}"


def user_key(user_id: int) -> str:
    """The account key of a password account (Account.key)."""
    return f"user:{user_id}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, account_key: str, now: datetime) -> str:
    """A new session for the account; returns the token for the cookie (flushes).
    Forgets sessions that ended (or lapsed) more than a week ago."""
    session.execute(delete(ConsoleSession).where(
        ConsoleSession.created_at < now - LIFETIME - KEEP_ENDED))
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSession(id=_digest(token), account_key=account_key, created_at=now,
                               last_seen_at=now))
    session.flush()
    return token


@dataclass(frozen=True)
class LiveSession:
    """The account of a live session, and whether its last_seen is due a write."""

    account_key: str
    stale: bool


def live_session(session: Session, token: str, now: datetime) -> LiveSession | None:
    """The session the cookie's token names, if it has not ended, been idle too long or
    outlived its 12 hours (reads only)."""
    row = session.get(ConsoleSession, _digest(token[:100]))
    if row is None or row.ended_at is not None or now - row.created_at >= LIFETIME \
            or now - row.last_seen_at >= IDLE:
        return None
    return LiveSession(row.account_key, now - row.last_seen_at >= TOUCH_EVERY)


def touch_session(session: Session, token: str, now: datetime) -> None:
    """Note a request on a live session (the idle timeout counts from here)."""
    session.execute(update(ConsoleSession).where(
        ConsoleSession.id == _digest(token[:100]), ConsoleSession.ended_at.is_(None))
        .values(last_seen_at=now))


def end_session(session: Session, token: str, now: datetime) -> None:
    """Log this session out, for every copy of its cookie."""
    session.execute(update(ConsoleSession).where(
        ConsoleSession.id == _digest(token[:100]), ConsoleSession.ended_at.is_(None))
        .values(ended_at=now))


def end_all_sessions(session: Session, account_key: str, now: datetime) -> int:
    """Log the account out everywhere (「退出所有设备」, a new password); returns how many
    live sessions ended."""
    return rowcount(session.execute(update(ConsoleSession).where(
        ConsoleSession.account_key == account_key, ConsoleSession.ended_at.is_(None),
        ConsoleSession.created_at > now - LIFETIME)
        .values(ended_at=now)))
