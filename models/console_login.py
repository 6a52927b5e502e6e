"""Logging in to the console on a PC by scanning a QR code with WeChat.

The login page opens a ticket: a random key, shown as a temporary parametric QR code of
the account (scene ``login:<key>``, valid 2 minutes). A bound admin scans it; WeChat
sends the webhook a SCAN (or subscribe) event with that scene, and `scan_ticket` ties
the ticket to the member. The waiting page, which alone knows the key (it is kept in its
own session), then `claim_ticket`s it once and is logged in as that member.

Each step is one conditional UPDATE, so two scans of one code, or two claims of one
ticket (two tabs, two web workers), cannot both win.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, rowcount
from models.console_access import Account, account_of_member

SCENE_PREFIX = "login:"
TICKET_LIFETIME = timedelta(minutes=2)
# A scanned ticket may still be claimed a little after the code itself expired: the
# page polls every few seconds.
CLAIM_GRACE = timedelta(minutes=1)
KEEP_FOR = timedelta(days=1)


class LoginTicket(Base):
    """One scan-to-login attempt."""

    __tablename__ = "console_login_ticket"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 确认登录 on the phone
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def scene(self) -> str:
        """The QR code's scene string (≤ 64 characters, as WeChat requires)."""
        return SCENE_PREFIX + self.key


def open_ticket(session: Session, now: datetime) -> LoginTicket:
    """A new ticket valid for 2 minutes (flushes); forgets tickets older than a day."""
    session.execute(delete(LoginTicket).where(LoginTicket.expires_at < now - KEEP_FOR))
    ticket = LoginTicket(key=secrets.token_urlsafe(18), created_at=now,
                         expires_at=now + TICKET_LIFETIME)
    session.add(ticket)
    session.flush()
    return ticket


class Scan(enum.Enum):
    """What scanning a login code did."""

    LOGGED_IN = "logged_in"
    EXPIRED = "expired"  # unknown, expired or already used: refresh the login page
    NOT_ADMIN = "not_admin"  # only branch admins and township/county staff log in


@dataclass(frozen=True)
class ScanOutcome:
    """The outcome of a scan, with the account that logs in."""

    scan: Scan
    account: Account | None = None


def scan_ticket(session: Session, key: str, member_id: int, now: datetime) -> ScanOutcome:
    """A member scanned the code of ticket `key` (the caller commits)."""
    account = account_of_member(session, member_id)
    if account is None:
        return ScanOutcome(Scan.NOT_ADMIN)
    taken = session.execute(
        update(LoginTicket)
        .where(LoginTicket.key == key[:32], LoginTicket.scanned_at.is_(None),
               LoginTicket.expires_at > now)
        .values(member_id=member_id, scanned_at=now))
    if rowcount(taken) != 1:
        return ScanOutcome(Scan.EXPIRED)
    return ScanOutcome(Scan.LOGGED_IN, account)


class Waiting(enum.Enum):
    """Where a waiting login page stands."""

    WAITING = "waiting"
    EXPIRED = "expired"
    DONE = "done"


@dataclass(frozen=True)
class Claim:
    """The state of a ticket as its page sees it, with the account once scanned."""

    state: Waiting
    account: Account | None = None


def claim_ticket(session: Session, key: str, now: datetime) -> Claim:
    """The waiting page asks whether its code was scanned; a scanned ticket is used up
    by the first claim (the caller commits)."""
    ticket = session.get(LoginTicket, key[:32])
    if ticket is None or ticket.used_at is not None:
        return Claim(Waiting.EXPIRED)
    if ticket.scanned_at is None:
        return Claim(Waiting.EXPIRED if ticket.expires_at <= now else Waiting.WAITING)
    if ticket.expires_at + CLAIM_GRACE <= now or ticket.member_id is None:
        return Claim(Waiting.EXPIRED)
    used = session.execute(
        update(LoginTicket).where(LoginTicket.key == ticket.key, LoginTicket.used_at.is_(None))
        .values(used_at=now))
    account = account_of_member(session, ticket.member_id) if rowcount(used) == 1 else None
    if account is None:  # claimed by another tab, or the member lost the role meanwhile
        return Claim(Waiting.EXPIRED)
    return Claim(Waiting.DONE, account)
