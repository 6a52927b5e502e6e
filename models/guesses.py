"""Limits on guessing: wrong binding tries, wrong 签到码s and console passwords.

After `max_failures` guesses of one purpose within `window`, the key (an openid, or
"login:<name>") is refused for `lockout`. The counters live in the database so that
every web worker sees them.

A guess takes its try *before* it is evaluated (`reserve_guess`): one conditional
UPDATE adds one to the count only while the count is under the limit, so however many
guesses arrive at once (16 threads, several workers) at most `max_failures` are
evaluated; PostgreSQL serializes the UPDATEs on the row and re-checks the condition. A
guess that turns out right gives its try back (`forget_failures`, or `release_guess`
for an answer that was no guess at all). Nothing but the end of its time clears a
lock: a late failure used to reset the count and let the next ten through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    delete,
    literal,
    or_,
    select,
    update,
)
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
    """Tries left in the window, and when the lock ends if the key is locked.

    `granted` says whether this guess may be evaluated: a reservation that made the
    count reach the limit is granted (it is the last try) and already carries the lock.
    """

    tries_left: int
    locked_until: datetime | None = None
    granted: bool = True


def _key(limit: GuessLimit, openid: str) -> ColumnElement[bool]:
    return and_(GuessGuard.openid == openid, GuessGuard.purpose == limit.purpose)


def _fresh_if_over(session: Session, limit: GuessLimit, openid: str, now: datetime) -> None:
    """Make the row, and start a new count when the last window (unlocked) or the lock
    is over. An unexpired lock is never touched."""
    insert_ignoring_conflict(session, GuessGuard, {
        "openid": openid, "purpose": limit.purpose, "failures": 0, "window_start": now})
    session.execute(update(GuessGuard).where(
        _key(limit, openid),
        or_(and_(GuessGuard.locked_until.is_(None),
                 GuessGuard.window_start < now - limit.window),
            GuessGuard.locked_until <= now)).values(
        failures=0, window_start=now, locked_until=None))


def reserve_guess(session: Session, limit: GuessLimit, openid: str,
                  now: datetime) -> GuessState:
    """Take one try before evaluating a guess; `granted` is False while locked.

    The try is counted as a failure until `forget_failures` / `release_guess` gives it
    back. For a slow check (scrypt) commit this in its own short transaction first, so
    that parallel guesses see the count and the row lock is not held while hashing.
    """
    _fresh_if_over(session, limit, openid, now)
    lock_at_limit = case((GuessGuard.failures + 1 >= limit.max_failures,
                          literal(now + limit.lockout, UTCDateTime())), else_=None)
    taken = session.execute(
        update(GuessGuard)
        .where(_key(limit, openid), GuessGuard.failures < limit.max_failures,
               GuessGuard.locked_until.is_(None))
        .values(failures=GuessGuard.failures + 1, locked_until=lock_at_limit)
        .returning(GuessGuard.failures, GuessGuard.locked_until)).first()
    if taken is None:
        until = session.scalar(select(GuessGuard.locked_until).where(_key(limit, openid)))
        return GuessState(0, until or now + limit.lockout, granted=False)
    failures, until = taken
    return GuessState(max(0, limit.max_failures - failures), until)


def release_guess(session: Session, limit: GuessLimit, openid: str) -> None:
    """Undo a granted reservation whose message turned out to be no wrong guess (a right
    签到码, an ambiguous name): one off the count, and off with the lock that count had
    set. Every release answers one counted try, so still at most `max_failures` wrong
    guesses are evaluated in a window."""
    session.execute(update(GuessGuard).where(_key(limit, openid), GuessGuard.failures > 0)
                    .values(failures=GuessGuard.failures - 1, locked_until=None))


def forget_failures(session: Session, limit: GuessLimit, openid: str) -> None:
    """A right guess: the count starts again from zero (only the holder of the secret
    gets here, and only with a granted reservation)."""
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
