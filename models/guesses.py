"""Limits on guessing: wrong binding tries and wrong 签到码s, counted per openid.

After `max_failures` wrong guesses of one purpose within `window`, the openid is
refused for `lockout`. The counters live in the database so that every web worker
sees them; each step is one statement, so concurrent guesses from one openid (on
PostgreSQL, several workers) never collide on the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, String, and_, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, insert_ignoring_conflict, rowcount


@dataclass(frozen=True)
class GuessLimit:
    """How many wrong guesses of one kind an openid gets, and for how long it waits."""

    purpose: str
    max_failures: int
    window: timedelta
    lockout: timedelta


BINDING = GuessLimit("bind", 5, timedelta(hours=1), timedelta(hours=1))
# A member mistypes a code now and then; 10 wrong codes in 10 minutes is a search.
MEETING_CODE = GuessLimit("meeting_code", 10, timedelta(minutes=10), timedelta(minutes=10))
# Console passwords, counted per login ("login:<name>" in the openid column).
CONSOLE_LOGIN = GuessLimit("console_login", 10, timedelta(minutes=15), timedelta(minutes=15))
LIMITS = (BINDING, MEETING_CODE, CONSOLE_LOGIN)


class GuessGuard(Base):
    """Wrong guesses of one purpose by one openid in the current window."""

    __tablename__ = "guess_guard"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class GuessState:
    """Tries left in the window, and when the lock ends if the openid is locked."""

    tries_left: int
    locked_until: datetime | None = None


def _key(limit: GuessLimit, openid: str) -> ColumnElement[bool]:
    return and_(GuessGuard.openid == openid, GuessGuard.purpose == limit.purpose)


def locked_until(session: Session, limit: GuessLimit, openid: str,
                 now: datetime) -> datetime | None:
    """When this openid may guess again, or None if it may now."""
    until = session.scalar(select(GuessGuard.locked_until).where(_key(limit, openid)))
    return until if until is not None and until > now else None


def record_failure(session: Session, limit: GuessLimit, openid: str,
                   now: datetime) -> GuessState:
    """Count one wrong guess; locks the openid when it was the last one allowed."""
    insert_ignoring_conflict(session, GuessGuard, {
        "openid": openid, "purpose": limit.purpose, "failures": 0, "window_start": now})
    # The last window (or lockout) is over: count afresh.
    session.execute(update(GuessGuard).where(
        _key(limit, openid),
        or_(GuessGuard.window_start < now - limit.window,
            GuessGuard.locked_until.is_not(None))).values(
        failures=0, window_start=now, locked_until=None))
    failures = session.execute(update(GuessGuard).where(_key(limit, openid)).values(
        failures=GuessGuard.failures + 1).returning(GuessGuard.failures)).scalar_one()
    until = None
    if failures >= limit.max_failures:
        until = now + limit.lockout
        session.execute(update(GuessGuard).where(_key(limit, openid)).values(
            locked_until=until))
    return GuessState(max(0, limit.max_failures - failures), until)


def forget_failures(session: Session, limit: GuessLimit, openid: str) -> None:
    """A right guess: the count starts again from zero."""
    session.execute(delete(GuessGuard).where(_key(limit, openid)))


def prune_guards(session: Session, now: datetime) -> int:
    """Forget wrong guesses whose window and lockout are over; returns how many."""
    removed = 0
    for limit in LIMITS:
        removed += rowcount(session.execute(delete(GuessGuard).where(
            GuessGuard.purpose == limit.purpose,
            GuessGuard.window_start < now - limit.window,
            or_(GuessGuard.locked_until.is_(None), GuessGuard.locked_until < now))))
    return removed
