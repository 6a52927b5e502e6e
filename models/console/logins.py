"""Logging in to the console on a PC by scanning a QR code with WeChat.

The login page opens a ticket: a random key, shown as a temporary parametric QR code of
the account (scene ``login:<key>``, valid 2 minutes). A bound admin scans it; WeChat
sends the webhook a SCAN (or subscribe) event with that scene, and `scan_ticket` ties
the ticket to the member and asks them, in the reply, whether it is them at the PC. Only
their 「确认登录」 (`confirm_scan`) lets the waiting page, which alone knows the key (it
is kept in its own session), `claim_ticket` it once and be logged in as that member;
「不是我」 (`cancel_scan`) kills the ticket. So a code relayed to an admin ("scan this to
sign in") logs nobody in by the scan alone.

Each step is one conditional UPDATE, so two scans of one code, or two claims of one
ticket (two tabs, two web workers), cannot both win.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    and_,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.console.accounts import Account, account_of_member
from models.db.base import Base, UTCDateTime, rowcount
from models.errors import DomainError

SCENE_PREFIX = "login:"
TICKET_LIFETIME = timedelta(minutes=2)
# A code scanned near the end of its 2 minutes still leaves a minute to confirm on the
# phone, and the page (polling every few seconds) a minute more to claim it.
CONFIRM_GRACE = timedelta(minutes=1)
CLAIM_GRACE = timedelta(minutes=2)
# Past its graces a ticket can no longer be scanned, confirmed or claimed: delete it
# (a loop of page loads must not leave a row per load for a day).
STALE_AFTER = CONFIRM_GRACE + CLAIM_GRACE
# New tickets one client address may open in RATE_WINDOW (PARTYBOT_LOGIN_QR_PER_MINUTE):
# each costs a qrcode/create call; a browser keeps reusing its own through its cookie.
RATE_WINDOW = timedelta(minutes=1)


class LoginTicket(Base):
    """One scan-to-login attempt."""

    __tablename__ = "console_login_ticket"

    __table_args__ = (
        Index("ix_console_login_ticket_client_created_at", "client", "created_at"),
    )

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The address that asked for it (request.remote_addr), for the per-address limit.
    client: Mapped[str | None] = mapped_column(String(45))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 确认登录 on the phone
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def scene(self) -> str:
        """The QR code's scene string (≤ 64 characters, as WeChat requires)."""
        return SCENE_PREFIX + self.key


class TooManyTickets(DomainError):
    """One client address asked for more login codes than a minute allows."""

    def __init__(self) -> None:
        super().__init__("CONSOLE_QR_TOO_MANY")


def open_ticket(session: Session, now: datetime, client: str | None = None,
                per_minute: int | None = None) -> LoginTicket:
    """A new ticket valid for 2 minutes (flushes); deletes stale tickets. Raises
    TooManyTickets when `client` already opened `per_minute` in the last minute."""
    session.execute(delete(LoginTicket).where(LoginTicket.expires_at < now - STALE_AFTER))
    client = client[:45] if client else None
    if per_minute is not None:
        recent = session.scalar(
            select(func.count()).select_from(LoginTicket)
            .where(LoginTicket.client == client if client else LoginTicket.client.is_(None),
                   LoginTicket.created_at > now - RATE_WINDOW))
        if (recent or 0) >= per_minute:
            raise TooManyTickets()
    ticket = LoginTicket(key=secrets.token_urlsafe(18), created_at=now, client=client,
                         expires_at=now + TICKET_LIFETIME)
    session.add(ticket)
    session.flush()
    return ticket


class Scan(enum.Enum):
    """What scanning a login code did."""

    SCANNED = "scanned"  # tied to the member: the phone is asked to confirm
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
    return ScanOutcome(Scan.SCANNED, account)


def _pending_of(member_id: int, now: datetime) -> ColumnElement[bool]:
    """The member's scanned tickets that still wait for their answer on the phone."""
    return and_(LoginTicket.member_id == member_id, LoginTicket.scanned_at.is_not(None),
                LoginTicket.confirmed_at.is_(None), LoginTicket.used_at.is_(None),
                LoginTicket.expires_at > now - CONFIRM_GRACE)


def confirm_scan(session: Session, member_id: int, now: datetime) -> Account | None:
    """「确认登录」: the member's latest scan waiting for an answer may log its page in;
    older ones still waiting are cancelled (a reply confirms one PC, never a code someone
    else slipped in earlier). None when nothing waits or the member lost the role
    meanwhile. The caller commits."""
    account = account_of_member(session, member_id)
    if account is None:
        return None
    latest = session.scalar(select(LoginTicket.key).where(_pending_of(member_id, now))
                            .order_by(LoginTicket.scanned_at.desc()).limit(1))
    if latest is None:
        return None
    confirmed = session.execute(
        update(LoginTicket).where(LoginTicket.key == latest, _pending_of(member_id, now))
        .values(confirmed_at=now).execution_options(synchronize_session=False))
    if rowcount(confirmed) != 1:  # answered meanwhile (the same reply, twice)
        return None
    cancel_scan(session, member_id, now)
    return account


def cancel_scan(session: Session, member_id: int, now: datetime) -> bool:
    """「不是我」: the member's scans waiting for an answer are dead (the page says so);
    False when nothing waited. The caller commits."""
    cancelled = session.execute(
        update(LoginTicket).where(_pending_of(member_id, now)).values(used_at=now)
        .execution_options(synchronize_session=False))
    return rowcount(cancelled) > 0


class Waiting(enum.Enum):
    """Where a waiting login page stands."""

    WAITING = "waiting"
    SCANNED = "scanned"  # waiting for 确认登录 on the phone
    CANCELLED = "cancelled"  # the phone answered 不是我
    EXPIRED = "expired"
    DONE = "done"


@dataclass(frozen=True)
class Claim:
    """The state of a ticket as its page sees it, with the account once scanned."""

    state: Waiting
    account: Account | None = None


def claim_ticket(session: Session, key: str, now: datetime) -> Claim:
    """The waiting page asks whether its code was scanned and confirmed on the phone; a
    confirmed ticket is used up by the first claim (the caller commits)."""
    ticket = session.get(LoginTicket, key[:32])
    if ticket is None:
        return Claim(Waiting.EXPIRED)
    if ticket.used_at is not None:
        cancelled = ticket.scanned_at is not None and ticket.confirmed_at is None
        return Claim(Waiting.CANCELLED if cancelled else Waiting.EXPIRED)
    if ticket.scanned_at is None:
        return Claim(Waiting.EXPIRED if ticket.expires_at <= now else Waiting.WAITING)
    if ticket.confirmed_at is None:
        late = ticket.expires_at + CONFIRM_GRACE <= now
        return Claim(Waiting.EXPIRED if late else Waiting.SCANNED)
    if ticket.expires_at + CLAIM_GRACE <= now or ticket.member_id is None:
        return Claim(Waiting.EXPIRED)
    used = session.execute(
        update(LoginTicket).where(LoginTicket.key == ticket.key, LoginTicket.used_at.is_(None))
        .values(used_at=now))
    account = account_of_member(session, ticket.member_id) if rowcount(used) == 1 else None
    if account is None:  # claimed by another tab, or the member lost the role meanwhile
        return Claim(Waiting.EXPIRED)
    return Claim(Waiting.DONE, account)
