"""Limits on guessing: wrong binding tries, wrong 签到码s and console passwords.

After `max_failures` guesses of one purpose within `window`, the key (an openid, or
"login:<name>") is refused for `lockout`. The counters live in the database so that
every web worker sees them.

A console password or a binding takes its try *before* it is evaluated
(`reserve_guess`): one conditional upsert adds one to the count only while the count is
under the limit, so however many guesses arrive at once (16 threads, several workers) at
most `max_failures` are evaluated; PostgreSQL serializes the statements on the row and
re-checks the condition. A guess that turns out right gives its try back
(`forget_failures`, or `release_guess` for an answer that was no wrong guess). The
签到码, checked in microseconds on the webhook's hot path, reads the lock first and
counts only wrong codes, with the same statement. Nothing but the end of its time clears
a lock: a late failure used to reset the count and let the next ten through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.db.base import Base, UTCDateTime, rowcount, table_of


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
# Mini-program login codes WeChat refused, counted per client address ("ip:<address>"):
# random codes would spend the mini-program's jscode2session allowance (45011) for all.
API_LOGIN = GuessLimit("api_login", 20, timedelta(minutes=10), timedelta(minutes=10))
LIMITS = (BINDING, MEETING_CODE, CONSOLE_LOGIN, API_LOGIN)


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


def locked_until(session: Session, limit: GuessLimit, openid: str,
                 now: datetime) -> datetime | None:
    """When this key may guess again, or None if it may now (a read: for cheap checks
    that count only wrong guesses, after the fact, with `reserve_guess`)."""
    until = session.scalar(select(GuessGuard.locked_until).where(_key(limit, openid)))
    return until if until is not None and until > now else None


def reserve_guess(session: Session, limit: GuessLimit, openid: str,
                  now: datetime) -> GuessState:
    """Take one try before evaluating a guess; `granted` is False while locked.

    One statement (INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING): a new count when
    the last window (unlocked) or the lock is over, else one more while under the limit;
    the try that reaches the limit sets the lock. An unexpired lock is never touched.
    The try is counted as a failure until `forget_failures` / `release_guess` gives it
    back. For a slow check (scrypt) commit this in its own short transaction first, so
    that parallel guesses see the count and the row lock is not held while hashing.
    """
    table = table_of(GuessGuard)
    row = table.c
    until = now + limit.lockout
    fresh = or_(and_(row.locked_until.is_(None), row.window_start < now - limit.window),
                row.locked_until <= now)
    count = case((fresh, 1), else_=row.failures + 1)
    insert: Any = _dialect_insert(session)
    statement = insert(table).values(
        openid=openid, purpose=limit.purpose, failures=1, window_start=now,
        locked_until=until if limit.max_failures <= 1 else None,
    ).on_conflict_do_update(
        index_elements=[row.openid, row.purpose],
        set_={"failures": count,
              "window_start": case((fresh, now), else_=row.window_start),
              "locked_until": case((count >= limit.max_failures, until), else_=None)},
        where=or_(fresh, and_(row.locked_until.is_(None),
                              row.failures < limit.max_failures)),
    ).returning(row.failures, row.locked_until)
    taken = session.execute(statement).first()
    if taken is None:
        locked = session.scalar(select(GuessGuard.locked_until).where(_key(limit, openid)))
        return GuessState(0, locked or until, granted=False)
    failures, locked_until = taken
    return GuessState(max(0, limit.max_failures - failures), locked_until)


def _dialect_insert(session: Session) -> Any:
    """INSERT with ON CONFLICT (the same API on PostgreSQL and SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    postgres = session.get_bind().dialect.name == "postgresql"
    return postgresql.insert if postgres else sqlite.insert


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
