"""Binding a WeChat openid to a roster member by name and phone suffix.

Guessing is limited: after MAX_FAILURES wrong tries within WINDOW from one openid,
that openid is refused for LOCKOUT. The counter lives in the database so that every
web worker sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, rowcount
from models.member import Member, member_by_openid

MAX_FAILURES = 5
WINDOW = timedelta(hours=1)
LOCKOUT = timedelta(hours=1)


class BindGuard(Base):
    """Wrong binding tries of one openid in the current window."""

    __tablename__ = "bind_guard"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BindOutcome(Enum):
    """What happened to a binding request."""

    BOUND = "bound"
    ALREADY_BOUND_SELF = "already_bound_self"  # this openid is already this member
    OPENID_TAKEN = "openid_taken"  # this openid is bound to someone else
    MEMBER_TAKEN = "member_taken"  # the member is bound to another openid
    NO_MATCH = "no_match"
    AMBIGUOUS = "ambiguous"  # several roster entries match; an admin must bind
    LOCKED = "locked"


@dataclass(frozen=True)
class BindResult:
    """The outcome, the member concerned (if any) and tries left / lock end."""

    outcome: BindOutcome
    member: Member | None = None
    tries_left: int = MAX_FAILURES
    locked_until: datetime | None = None


def bind_openid(
    session: Session, openid: str, name: str, phone_suffix: str, now: datetime
) -> BindResult:
    """Bind `openid` to the member called `name` whose phone ends with `phone_suffix`."""
    guard = session.get(BindGuard, openid)
    if guard is not None and guard.locked_until is not None and guard.locked_until > now:
        return BindResult(BindOutcome.LOCKED, locked_until=guard.locked_until, tries_left=0)

    current = member_by_openid(session, openid)
    if current is not None:
        same = current.name == name
        return BindResult(
            BindOutcome.ALREADY_BOUND_SELF if same else BindOutcome.OPENID_TAKEN, current
        )

    candidates = list(
        session.scalars(
            select(Member).where(Member.name == name, Member.phone.is_not(None))
        )
    )
    matches = [m for m in candidates if m.phone and m.phone.endswith(phone_suffix)]
    if not matches:
        return _record_failure(session, guard, openid, now)
    if len(matches) > 1:
        return BindResult(BindOutcome.AMBIGUOUS)
    member = matches[0]
    if member.openid is not None:
        return BindResult(BindOutcome.MEMBER_TAKEN, member)

    member.openid = openid
    member.bound_at = now
    member.subscribed = True
    if guard is not None:
        session.delete(guard)
    session.flush()
    return BindResult(BindOutcome.BOUND, member)


def _record_failure(
    session: Session, guard: BindGuard | None, openid: str, now: datetime
) -> BindResult:
    if guard is None:
        guard = BindGuard(openid=openid, failures=0, window_start=now)
        session.add(guard)
    elif now - guard.window_start > WINDOW or guard.locked_until is not None:
        # The last window (or lockout) is over: start counting afresh.
        guard.failures = 0
        guard.window_start = now
        guard.locked_until = None
    guard.failures += 1
    if guard.failures >= MAX_FAILURES:
        guard.locked_until = now + LOCKOUT
    session.flush()
    return BindResult(
        BindOutcome.NO_MATCH,
        tries_left=max(0, MAX_FAILURES - guard.failures),
        locked_until=guard.locked_until,
    )


def prune_guards(session: Session, now: datetime) -> int:
    """Forget wrong tries whose window and lockout are over; returns how many."""
    return rowcount(session.execute(delete(BindGuard).where(
        BindGuard.window_start < now - WINDOW,
        (BindGuard.locked_until.is_(None)) | (BindGuard.locked_until < now))))


def unbind_openid(session: Session, openid: str) -> Member | None:
    """Unlink the member bound to `openid` (they unfollowed); returns who it was."""
    member = member_by_openid(session, openid)
    if member is not None:
        member.openid = None
        member.subscribed = False
        session.flush()
    return member
