"""Bearer tokens for the mini-program: issued at login, checked (and counted against the
rate limit) on every call, revoked at logout and when the member is unbound.

The client holds 32 random bytes; the database holds their SHA-256, so a leaked backup
holds no usable token. Checking a token and counting the call are one UPDATE … RETURNING
on the token's row: every worker on every host sees the same count (PostgreSQL
serializes the updates of one row), at one statement per call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, or_, select, text, update
from sqlalchemy.orm import Session

from models.api.tables import ApiToken
from models.db.base import UTCDateTime, rowcount, table_of

TOKEN_LIFETIME = timedelta(hours=2)
RATE_WINDOW = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(session: Session, openid: str, member_id: int | None,
                now: datetime) -> tuple[str, ApiToken]:
    """A new token for the mini-program user `openid` (flushes)."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(token), openid=openid, member_id=member_id,
                   issued_at=now, expires_at=now + TOKEN_LIFETIME, window_start=now, calls=0)
    session.add(row)
    session.flush()
    return token, row


@dataclass(frozen=True)
class Caller:
    """A valid token's holder and where its rate window stands."""

    token_id: int
    openid: str
    member_id: int | None
    calls: int  # this call included
    window_ends: datetime


def _use_statement() -> Any:
    table = table_of(ApiToken)
    row = table.c
    fresh = row.window_start <= bindparam("window_edge", type_=UTCDateTime())
    now = bindparam("now", type_=UTCDateTime())
    return (update(table)
            .where(row.token_hash == bindparam("hash"), row.revoked_at.is_(None),
                   row.expires_at > now)
            .values(calls=case((fresh, 1), else_=row.calls + 1),
                    window_start=case((fresh, now), else_=row.window_start))
            .returning(row.id, row.openid, row.member_id, row.calls, row.window_start))


# Built once: it runs on every call of the API.
_USE = _use_statement()
_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")


def use_token(session: Session, token: str, now: datetime) -> Caller | None:
    """Count one call on `token`; None when it is unknown, expired or revoked.

    One statement: a new window when the last one is over, else one more call. On
    PostgreSQL its commit does not wait for the WAL flush (a counter for the rate limit:
    a crash may forget the last calls counted, never a token's state): the wait was
    most of a call's time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NO_FLUSH_WAIT)
    found = session.execute(_USE, {"hash": token_hash(token), "now": now,
                                   "window_edge": now - RATE_WINDOW}).first()
    if found is None:
        return None
    token_id, openid, member_id, calls, window_start = found
    return Caller(token_id, openid, member_id, calls, window_start + RATE_WINDOW)


def revoke(session: Session, token_id: int, now: datetime) -> bool:
    """End one token now; False when it had ended already."""
    done = session.execute(update(ApiToken).where(ApiToken.id == token_id,
                                                  ApiToken.revoked_at.is_(None))
                           .values(revoked_at=now).returning(ApiToken.id)).first()
    return done is not None


def revoke_all(session: Session, now: datetime, *, member_id: int | None = None,
               openid: str | None = None) -> int:
    """End every live token of a member (or of a mini-program user); returns how many."""
    where = ApiToken.member_id == member_id if member_id is not None \
        else ApiToken.openid == openid
    ended = session.execute(update(ApiToken).where(where, ApiToken.revoked_at.is_(None),
                                                   ApiToken.expires_at > now)
                            .values(revoked_at=now).returning(ApiToken.id))
    return len(ended.all())


def give_tokens_member(session: Session, openid: str, member_id: int) -> None:
    """A mini-program user just bound: their live tokens now speak for the member."""
    session.execute(update(ApiToken).where(ApiToken.openid == openid,
                                           ApiToken.revoked_at.is_(None))
                    .values(member_id=member_id))


def prune_expired(session: Session, now: datetime, keep: timedelta = timedelta(days=1)) -> int:
    """Forget tokens ended more than `keep` ago (for an upkeep job)."""
    return rowcount(session.execute(delete(ApiToken).where(or_(
        ApiToken.expires_at < now - keep, ApiToken.revoked_at < now - keep))))


def token_state(session: Session, token: str) -> ApiToken | None:
    """The token's row whatever its state (to tell expired from unknown in logs)."""
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))


def token_is_live(session: Session, token: str, now: datetime) -> bool:
    """Whether `token` may call now (not counted: the call itself counts it)."""
    return session.scalar(select(ApiToken.id).where(
        ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now)) is not None
